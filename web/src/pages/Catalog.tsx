import { useMemo, useState } from 'react';
import { EffectBadge, RiskBadge } from '../components/RiskBadge.js';
import { Notice } from '../components/Notice.js';
import { EmptyRow, SelectFilter, TableHead } from '../components/Fields.js';
import { href } from '../router.js';
import type { CatalogTool, UpstreamHealth } from '../types.js';
import { useLoad } from '../use-load.js';

const LEVELS = ['Low', 'Medium', 'High', 'Critical'];
const EFFECTS = ['allow', 'deny', 'limit', 'approval', 'conditional', 'hidden'];

/** Every tool every upstream exposes, with its risk and what the policy does with it. */
export function Catalog() {
  const { data, error } = useLoad<{ tools: CatalogTool[]; upstreams: UpstreamHealth[] }>('/api/catalog');
  const [server, setServer] = useState('');
  const [level, setLevel] = useState('');
  const [effect, setEffect] = useState('');
  const [search, setSearch] = useState('');
  const tools = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (data?.tools ?? []).filter(
      (t) => (!server || t.server === server) && (!level || t.level === level) && (!effect || t.policy === effect) && (!needle || `${t.name} ${t.category} ${t.server}`.toLowerCase().includes(needle)),
    );
  }, [data, server, level, effect, search]);
  const servers = [...new Set((data?.tools ?? []).map((t) => t.server))].sort();

  return (
    <section aria-labelledby="catalog-title">
      <header className="page-head">
        <h1 id="catalog-title">Catalog</h1>
        <span className="muted">{data ? `${tools.length} of ${data.tools.length} tools` : ''}</span>
      </header>
      <Notice kind="error">{error}</Notice>
      <div className="filters" role="search">
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="tool name or category" />
        </label>
        <SelectFilter label="Server" value={server} options={servers} onChange={setServer} />
        <SelectFilter label="Risk level" value={level} options={LEVELS} onChange={setLevel} />
        <SelectFilter label="Policy effect" value={effect} options={EFFECTS} onChange={setEffect} />
      </div>
      <div className="card">
        <table className="responsive">
          <TableHead columns={['Tool', 'Server', 'Risk', 'Policy', 'Rule']} />
          <tbody>
            {tools.map((t) => (
              <tr key={t.name}>
                <td data-label="Tool">
                  <a href={href('catalog', t.name)}>{t.name}</a>
                  {t.findings.length > 0 && <span className="badge risk-high"> {t.findings.length} finding(s)</span>}
                  {t.pin === 'changed' && <span className="badge risk-critical"> definition changed</span>}
                </td>
                <td data-label="Server">{t.server}</td>
                <td data-label="Risk">
                  <RiskBadge category={t.category} level={t.level} confidence={t.confidence} />
                </td>
                <td data-label="Policy">
                  <EffectBadge effect={t.policy} />
                </td>
                <td data-label="Rule" className="mono small">
                  {t.rule}
                </td>
              </tr>
            ))}
            {data && tools.length === 0 && (
              <EmptyRow columns={5}>No tool matches.</EmptyRow>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
