import { useState } from 'react';
import { errorText, sendJson } from '../api.js';
import { Notice } from '../components/Notice.js';

interface ImportResult {
  imported: string[];
  skipped: { name: string; reason: string }[];
}

/** Paste the `mcpServers` block Claude Desktop, Cursor and VS Code use, and register each server in it. */
export function ImportServers({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<string>();

  async function submit() {
    setError(undefined);
    setResult(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      setError(`Not JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    try {
      const wrapped = typeof body === 'object' && body !== null && 'mcpServers' in body ? body : { mcpServers: body };
      setResult(await sendJson<ImportResult>('POST', '/api/servers/import', wrapped));
      onImported();
    } catch (e) {
      setError(errorText(e));
    }
  }

  return (
    <details className="card">
      <summary>Import from a client config (mcpServers JSON)</summary>
      <label>
        Paste the file or its <code>mcpServers</code> object
        <textarea className="mono" rows={8} value={text} onChange={(e) => setText(e.target.value)} placeholder={'{ "mcpServers": { "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] } } }'} />
      </label>
      <Notice kind="error">{error}</Notice>
      {result && (
        <Notice kind="ok">
          Imported {result.imported.length ? result.imported.join(', ') : 'nothing'}.
          {result.skipped.map((s) => (
            <div key={s.name}>
              Skipped {s.name}: {s.reason}
            </div>
          ))}
        </Notice>
      )}
      <div className="actions">
        <button type="button" onClick={() => void submit()} disabled={text.trim() === ''}>
          Import
        </button>
      </div>
    </details>
  );
}
