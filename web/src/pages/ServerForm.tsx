import { useState, type FormEvent } from 'react';
import { errorText, sendJson } from '../api.js';
import { Notice } from '../components/Notice.js';
import { configOf, type ServerFields } from '../server-config.js';

type TestResult = { ok: true; tools: string[]; ms: number } | { ok: false; error: string; ms: number };

/** Register a server (or change an api-registered one): stdio command or HTTP URL, with a connection test. */
export function ServerForm({ initial, editing, onSaved, onCancel }: { initial: ServerFields; editing: boolean; onSaved: (name: string) => void; onCancel: () => void }) {
  const [fields, setFields] = useState(initial);
  const [error, setError] = useState<string>();
  const [test, setTest] = useState<TestResult>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ServerFields>) => setFields((f) => ({ ...f, ...patch }));

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const testConnection = () => run(async () => setTest(await sendJson<TestResult>('POST', '/api/servers/test', { config: configOf(fields) })));
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (editing) await sendJson('PUT', `/api/servers/${encodeURIComponent(fields.name)}`, { config: configOf(fields) });
      else await sendJson('POST', '/api/servers', { name: fields.name.trim(), config: configOf(fields) });
      onSaved(fields.name.trim());
    });
  };

  return (
    <form className="card form" onSubmit={save} aria-label={editing ? `Edit server ${fields.name}` : 'Register a server'}>
      <h2>{editing ? `Edit ${fields.name}` : 'Register a server'}</h2>
      <label>
        Name
        <input value={fields.name} onChange={(e) => set({ name: e.target.value })} required disabled={editing} pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" />
      </label>
      <fieldset className="segmented">
        <legend>Transport</legend>
        <label>
          <input type="radio" name="kind" checked={fields.kind === 'stdio'} onChange={() => set({ kind: 'stdio' })} /> Local command (stdio)
        </label>
        <label>
          <input type="radio" name="kind" checked={fields.kind === 'http'} onChange={() => set({ kind: 'http' })} /> Remote URL (HTTP)
        </label>
      </fieldset>
      {fields.kind === 'stdio' ? (
        <>
          <label>
            Command
            <input value={fields.command} onChange={(e) => set({ command: e.target.value })} required placeholder="npx" />
          </label>
          <label>
            Arguments <span className="muted small">(one per line)</span>
            <textarea rows={3} value={fields.args} onChange={(e) => set({ args: e.target.value })} />
          </label>
          <label>
            Environment <span className="muted small">(KEY=value per line; values are stored, never shown again; leave one empty to keep it)</span>
            <textarea rows={2} value={fields.env} onChange={(e) => set({ env: e.target.value })} />
          </label>
        </>
      ) : (
        <>
          <label>
            URL
            <input type="url" value={fields.url} onChange={(e) => set({ url: e.target.value })} required placeholder="https://example.com/mcp" />
          </label>
          <label>
            Protocol
            <select value={fields.transport} onChange={(e) => set({ transport: e.target.value as ServerFields['transport'] })}>
              <option value="streamable-http">Streamable HTTP</option>
              <option value="sse">SSE (legacy)</option>
            </select>
          </label>
          <label>
            Headers <span className="muted small">(Name: value per line; values are stored, never shown again; leave one empty to keep it)</span>
            <textarea rows={2} value={fields.headers} onChange={(e) => set({ headers: e.target.value })} />
          </label>
        </>
      )}
      <Notice kind="error">{error}</Notice>
      {test && (
        <Notice kind={test.ok ? 'ok' : 'error'}>
          {test.ok ? `Connected in ${test.ms} ms: ${test.tools.length} tools (${test.tools.slice(0, 8).join(', ')}${test.tools.length > 8 ? ', …' : ''})` : `Could not connect (${test.ms} ms): ${test.error}`}
        </Notice>
      )}
      <div className="actions">
        <button type="button" onClick={() => void testConnection()} disabled={busy}>
          Test connection
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {editing ? 'Save changes' : 'Register server'}
        </button>
        <button type="button" className="quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
