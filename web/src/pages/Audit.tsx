import { useState, type FormEvent } from 'react';
import { download, errorText, query } from '../api.js';
import { Notice } from '../components/Notice.js';
import { EmptyRow, SelectFilter, TableHead } from '../components/Fields.js';
import { formatTime } from '../format.js';
import type { AuditRecord, AuditVerify, Decision } from '../types.js';
import { useLoad } from '../use-load.js';

const DECISIONS: Decision[] = ['allow', 'deny', 'limit', 'hold', 'approved', 'rejected', 'error'];

interface Filters {
  agent: string;
  tool: string;
  decision: string;
  /** datetime-local text */
  since: string;
}

const EMPTY: Filters = { agent: '', tool: '', decision: '', since: '' };

function filterQuery(f: Filters): Record<string, string | undefined> {
  return { agent: f.agent.trim(), tool: f.tool.trim(), decision: f.decision, since: f.since ? String(new Date(f.since).getTime()) : undefined };
}

export function Audit() {
  const [draft, setDraft] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const { data, error, loading, reload } = useLoad<{ records: AuditRecord[] }>(`/api/audit${query({ ...filterQuery(filters), limit: 200 })}`);
  const verify = useLoad<AuditVerify>('/api/audit/verify');
  const [exportError, setExportError] = useState<string>();
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    reload();
  };
  const exportAs = (format: 'csv' | 'jsonl') =>
    download(`/api/audit/export${query({ ...filterQuery(filters), format })}`, `gatehouse-audit.${format}`).catch((e: unknown) => setExportError(errorText(e)));
  const set = (patch: Partial<Filters>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <section aria-labelledby="audit-title">
      <header className="page-head">
        <h1 id="audit-title">Audit</h1>
        <span className="chain" role="status">
          {verify.data ? (
            verify.data.ok ? (
              <span className="badge effect-allow">Chain verified: {verify.data.count} records intact</span>
            ) : (
              <span className="badge risk-critical" title={verify.data.detail}>
                Chain broken at record {verify.data.seq}: {verify.data.problem}
              </span>
            )
          ) : (
            <span className="muted small">{verify.error ? `Verification unavailable: ${verify.error}` : 'Verifying chain…'}</span>
          )}
        </span>
      </header>
      <form className="filters" onSubmit={apply} role="search" aria-label="Filter the audit trail">
        <label>
          Agent
          <input value={draft.agent} onChange={(e) => set({ agent: e.target.value })} />
        </label>
        <label>
          Tool
          <input value={draft.tool} onChange={(e) => set({ tool: e.target.value })} />
        </label>
        <SelectFilter label="Decision" value={draft.decision} options={DECISIONS} any="any" onChange={(decision) => set({ decision })} />
        <label>
          Since
          <input type="datetime-local" value={draft.since} onChange={(e) => set({ since: e.target.value })} />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Apply
          </button>
          <button type="button" onClick={() => void exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => void exportAs('jsonl')}>
            Export JSONL
          </button>
        </div>
      </form>
      <Notice kind="error">{error ?? exportError}</Notice>
      <div className="card">
        <table className="responsive">
          <TableHead columns={['#', 'Time', 'Agent', 'Tool', 'Decision', 'Rule / reason', 'Outcome']} />
          <tbody>
            {data?.records.map((r) => (
              <tr key={r.seq}>
                <td data-label="#">{r.seq}</td>
                <td data-label="Time">{formatTime(r.time)}</td>
                <td data-label="Agent">{r.agent}</td>
                <td data-label="Tool" className="mono">
                  {r.tool}
                </td>
                <td data-label="Decision">
                  <span className={`badge decision-${r.decision}`}>{r.decision}</span>
                </td>
                <td data-label="Rule / reason" className="small wrap">
                  <span className="mono">{r.rule ?? ''}</span> {r.reason ?? ''}
                </td>
                <td data-label="Outcome">
                  {r.outcome ?? '—'}
                  {r.latencyMs === null ? '' : ` · ${r.latencyMs} ms`}
                </td>
              </tr>
            ))}
            {data && data.records.length === 0 && (
              <EmptyRow columns={7}>{loading ? 'Loading…' : 'No records match.'}</EmptyRow>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
