import { useState } from 'react';
import { lineDiff } from '../../../src/core/text-diff.js';
import { errorText, getJson, sendJson } from '../api.js';
import { Notice } from '../components/Notice.js';
import { formatTime } from '../format.js';
import { approverName } from '../session.js';
import type { Revision, RevisionSummary } from '../types.js';
import { useLoad } from '../use-load.js';

/** Saved revisions, newest first; a revision's line diff against the policy in force, and rollback to it. */
export function PolicyHistory({ currentText, refreshKey, onRolledBack }: { currentText: string; refreshKey: number; onRolledBack: () => void }) {
  const { data, error, reload } = useLoad<{ revisions: RevisionSummary[] }>(`/api/policy/history?limit=50&r=${refreshKey}`);
  const [shown, setShown] = useState<Revision>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();

  async function show(id: number) {
    try {
      setShown((await getJson<{ revision: Revision }>(`/api/policy/history/${id}`)).revision);
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  }

  async function rollback(id: number) {
    try {
      const result = await sendJson<{ version: string; revision: number }>('POST', '/api/policy/rollback', { revision: id, by: approverName() });
      setMessage({ kind: 'ok', text: `Rolled back to revision ${id}; saved as revision ${result.revision}.` });
      setShown(undefined);
      reload();
      onRolledBack();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  }

  return (
    <div className="card">
      <h2>History</h2>
      <Notice kind="error">{error}</Notice>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <ol className="plain history">
        {data?.revisions.map((r) => (
          <li key={r.id} className={r.current ? 'current' : ''}>
            <span>
              <strong>#{r.id}</strong> {formatTime(r.savedAt)} by {r.savedBy}
              {r.current ? <span className="badge effect-allow"> in force</span> : null}
              {r.note ? <span className="muted"> — {r.note}</span> : null}
            </span>
            <span className="row-actions">
              <button type="button" className="quiet" onClick={() => void show(r.id)} aria-label={`Compare revision ${r.id} with the current policy`}>
                Diff
              </button>
              {!r.current && (
                <button type="button" className="quiet" onClick={() => void rollback(r.id)} aria-label={`Roll back to revision ${r.id}`}>
                  Roll back
                </button>
              )}
            </span>
          </li>
        ))}
      </ol>
      {shown && (
        <div>
          <h3>
            Revision #{shown.id} → policy in force
          </h3>
          <pre className="code diff" aria-label={`Differences between revision ${shown.id} and the current policy`}>
            {lineDiff(shown.text, currentText)
              .split('\n')
              .map((line, i) => (
                <span key={i} className={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : ''}>
                  {line}
                  {'\n'}
                </span>
              ))}
          </pre>
        </div>
      )}
    </div>
  );
}
