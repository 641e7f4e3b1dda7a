import { useState } from 'react';
import { query } from '../api.js';
import { Chart } from '../components/Chart.js';
import { Notice } from '../components/Notice.js';
import { TableHead } from '../components/Fields.js';
import { href } from '../router.js';
import type { Overview as OverviewData } from '../types.js';
import { useInterval, useLoad } from '../use-load.js';

const TOTALS = [
  ['allow', 'Allowed'],
  ['deny', 'Denied'],
  ['limit', 'Rate limited'],
  ['hold', 'Held'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['error', 'Errors'],
] as const;

export function Overview() {
  const [window, setWindow] = useState<'1h' | '24h'>('1h');
  const { data, error, reload } = useLoad<OverviewData>(`/api/overview${query({ window })}`);
  useInterval(reload, 15_000);
  return (
    <section aria-labelledby="overview-title">
      <header className="page-head">
        <h1 id="overview-title">Overview</h1>
        <label className="inline">
          Window{' '}
          <select value={window} onChange={(e) => setWindow(e.target.value as '1h' | '24h')}>
            <option value="1h">last hour</option>
            <option value="24h">last 24 hours</option>
          </select>
        </label>
      </header>
      <Notice kind="error">{error}</Notice>
      {data && (
        <>
          <div className="stats">
            <a className="stat stat-link" href={href('approvals')}>
              <span className="stat-value">{data.pendingApprovals}</span>
              <span className="stat-label">pending approvals</span>
            </a>
            <div className="stat">
              <span className="stat-value">{data.sessions}</span>
              <span className="stat-label">agent sessions</span>
            </div>
            {TOTALS.map(([key, label]) => (
              <div className="stat" key={key}>
                <span className="stat-value">{data.totals[key] ?? 0}</span>
                <span className="stat-label">{label}</span>
              </div>
            ))}
          </div>
          <div className="card">
            <h2>Decisions over time</h2>
            {data.series.length > 0 ? <Chart series={data.series} /> : <p className="muted">No calls in this window yet.</p>}
            {data.truncated ? <p className="muted small">This window holds more records than the overview sums; the numbers are a lower bound.</p> : null}
          </div>
          <div className="columns">
            <div className="card">
              <h2>Top tools</h2>
              {data.topTools.length === 0 ? (
                <p className="muted">No calls yet.</p>
              ) : (
                <table>
                  <TableHead columns={['Tool', 'Calls', 'Denied']} numeric={['Calls', 'Denied']} />
                  <tbody>
                    {data.topTools.map((t) => (
                      <tr key={t.tool}>
                        <td>
                          <a href={href('catalog', t.tool)}>{t.tool}</a>
                        </td>
                        <td className="num">{t.calls}</td>
                        <td className="num">{t.denied}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
            <div className="card">
              <h2>Upstream servers</h2>
              <ul className="plain">
                {data.upstreams.map((u) => (
                  <li key={u.name}>
                    <span className={`dot status-${u.status}`} aria-hidden="true" /> <strong>{u.name}</strong> — {u.status}
                    {u.tools === undefined ? '' : `, ${u.tools} tools`}
                    {u.error ? <div className="muted small">{u.error}</div> : null}
                  </li>
                ))}
              </ul>
              <p className="muted small">Policy version {data.policyVersion ?? 'none'}</p>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
