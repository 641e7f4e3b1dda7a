import { useState } from 'react';
import { errorText, sendJson } from '../api.js';
import { Notice } from '../components/Notice.js';
import { EmptyRow, TableHead } from '../components/Fields.js';
import { EMPTY_SERVER, fieldsOf, type ServerFields } from '../server-config.js';
import type { ServerInfo } from '../types.js';
import { useInterval, useLoad } from '../use-load.js';
import { ImportServers } from './ImportServers.js';
import { ServerForm } from './ServerForm.js';

type Editing = { fields: ServerFields; existing: boolean } | null;

export function Servers() {
  const { data, error, reload } = useLoad<{ servers: ServerInfo[] }>('/api/servers');
  useInterval(reload, 10_000);
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<string>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();

  async function remove(name: string) {
    try {
      await sendJson('DELETE', `/api/servers/${encodeURIComponent(name)}`);
      setMessage({ kind: 'ok', text: `Removed ${name}.` });
      reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
    setConfirming(undefined);
  }

  return (
    <section aria-labelledby="servers-title">
      <header className="page-head">
        <h1 id="servers-title">Servers</h1>
        <button type="button" className="primary" onClick={() => setEditing({ fields: EMPTY_SERVER, existing: false })}>
          Add server
        </button>
      </header>
      <Notice kind="error">{error}</Notice>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {editing && (
        <ServerForm
          key={editing.fields.name || 'new'}
          initial={editing.fields}
          editing={editing.existing}
          onCancel={() => setEditing(null)}
          onSaved={(name) => {
            setMessage({ kind: 'ok', text: `Saved ${name}.` });
            setEditing(null);
            reload();
          }}
        />
      )}
      <div className="card">
        <table className="responsive">
          <TableHead columns={['Name', 'Status', 'Connection', 'Tools', 'Source', '']} />
          <tbody>
            {data?.servers.length === 0 && (
              <EmptyRow columns={6}>No servers yet.</EmptyRow>
            )}
            {data?.servers.map((s) => (
              <tr key={s.name}>
                <td data-label="Name">
                  <strong>{s.name}</strong>
                </td>
                <td data-label="Status">
                  <span className={`dot status-${s.status}`} aria-hidden="true" /> {s.status}
                  {s.error ? <div className="muted small">{s.error}</div> : null}
                </td>
                <td data-label="Connection" className="mono small wrap">
                  {s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : `${s.transport} ${s.url ?? ''}`}
                </td>
                <td data-label="Tools">{Array.isArray(s.tools) ? s.tools.length : s.tools}</td>
                <td data-label="Source">{s.source === 'config' ? 'config file (read-only)' : 'console / API'}</td>
                <td className="row-actions">
                  {s.source === 'api' && (
                    <>
                      <button type="button" onClick={() => setEditing({ fields: fieldsOf(s), existing: true })} aria-label={`Edit ${s.name}`}>
                        Edit
                      </button>
                      {confirming === s.name ? (
                        <button type="button" className="danger" onClick={() => void remove(s.name)}>
                          Confirm remove
                        </button>
                      ) : (
                        <button type="button" onClick={() => setConfirming(s.name)} aria-label={`Remove ${s.name}`}>
                          Remove
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ImportServers onImported={reload} />
    </section>
  );
}
