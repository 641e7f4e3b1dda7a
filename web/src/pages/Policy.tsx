import { useEffect, useRef, useState } from 'react';
import type { JsonObject } from '../../../src/core/policy/visual-model.js';
import { ApiError, errorText, getJson, sendJson } from '../api.js';
import { Notice } from '../components/Notice.js';
import { pretty } from '../format.js';
import { approverName } from '../session.js';
import type { CatalogTool, PolicyDocument, Validation, ValidationProblem } from '../types.js';
import { useLoad } from '../use-load.js';
import { PolicyBuilder } from './PolicyBuilder.js';
import { PolicyHistory } from './PolicyHistory.js';

/** Text → document, or why it is not one. */
function parseDoc(text: string): { doc: JsonObject } | { error: string } {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the policy must be a JSON object' };
    return { doc: value as JsonObject };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The policy editor: the visual builder and the JSON beside it edit one document. The builder writes the
 * JSON text; JSON that parses replaces the builder's document; every change is checked by the gateway.
 */
export function Policy() {
  const { data: catalog } = useLoad<{ tools: CatalogTool[] }>('/api/catalog');
  const [inForce, setInForce] = useState<PolicyDocument>();
  const [doc, setDoc] = useState<JsonObject>();
  const [text, setText] = useState('');
  const [jsonError, setJsonError] = useState<string>();
  const [problems, setProblems] = useState<ValidationProblem[]>([]);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [saves, setSaves] = useState(0);
  const checking = useRef(0);

  async function load() {
    try {
      const current = await getJson<PolicyDocument>('/api/policy');
      setInForce(current);
      setDoc(current.policy);
      setText(current.text.trim().startsWith('{') ? current.text : pretty(current.policy));
      setJsonError(undefined);
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  }
  useEffect(() => void load(), []);

  // Ask the gateway about each new document (debounced); only the newest answer is shown.
  useEffect(() => {
    if (!doc) return undefined;
    const ticket = ++checking.current;
    const timer = setTimeout(() => {
      sendJson<Validation>('POST', '/api/policy/validate', { policy: doc })
        .then((v) => {
          if (ticket !== checking.current) return;
          setProblems(v.valid ? [] : v.errors);
          setWarnings(v.valid ? (v.warnings ?? []) : []);
        })
        .catch((e: unknown) => ticket === checking.current && setProblems([{ path: '', message: `could not validate: ${errorText(e)}` }]));
    }, 300);
    return () => clearTimeout(timer);
  }, [doc]);

  function fromBuilder(next: JsonObject) {
    setDoc(next);
    setText(pretty(next));
    setJsonError(undefined);
  }

  function fromJson(next: string) {
    setText(next);
    const parsed = parseDoc(next);
    if ('doc' in parsed) {
      setDoc(parsed.doc);
      setJsonError(undefined);
    } else setJsonError(parsed.error);
  }

  async function save() {
    if (!doc) return;
    setMessage(undefined);
    try {
      const saved = await sendJson<{ version: string; revision: number }>('PUT', '/api/policy', { policy: doc, by: approverName(), ...(note.trim() ? { note: note.trim() } : {}) });
      setMessage({ kind: 'ok', text: `Saved and in force: version ${saved.version}, revision ${saved.revision}.` });
      setNote('');
      setSaves((n) => n + 1);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) setProblems([...e.issues]);
      else if (e instanceof ApiError && e.path) setProblems([{ path: e.path, message: e.message }]);
      setMessage({ kind: 'error', text: `Not saved; the policy in force is unchanged. ${errorText(e)}` });
    }
  }

  const dirty = inForce !== undefined && doc !== undefined && JSON.stringify(doc) !== JSON.stringify(inForce.policy);
  const known = (catalog?.tools ?? []).map((t) => t.name);
  return (
    <section aria-labelledby="policy-title">
      <header className="page-head">
        <h1 id="policy-title">Policy</h1>
        <span className="muted small">{inForce ? `in force: version ${inForce.version}${inForce.revision === null ? '' : `, revision ${inForce.revision}`}` : ''}</span>
      </header>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {problems.length > 0 && (
        <div className="notice notice-error" role="alert">
          <strong>{problems.length === 1 ? 'One problem' : `${problems.length} problems`}:</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.path ? <span className="mono">{p.path}</span> : null} {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {warnings.length > 0 && (
        <Notice>
          <ul>
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </Notice>
      )}
      <div className="save-bar">
        <label>
          Note <span className="muted small">(optional, kept in history)</span>
          <input value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="button" className="primary" onClick={() => void save()} disabled={!doc || jsonError !== undefined}>
          Save policy
        </button>
        <button type="button" className="quiet" onClick={() => void load()} disabled={!dirty}>
          Discard changes
        </button>
        <span className="muted small" aria-live="polite">
          {dirty ? 'Unsaved changes' : 'No unsaved changes'}
        </span>
      </div>
      <div className="editor-split">
        <div className="card">
          <h2>Visual builder</h2>
          {doc ? <PolicyBuilder doc={doc} known={known} problems={problems} onChange={fromBuilder} /> : <p className="muted">Loading…</p>}
        </div>
        <div className="card">
          <h2>
            <label htmlFor="policy-json">JSON</label>
          </h2>
          <textarea id="policy-json" className="mono json-editor" spellCheck={false} value={text} onChange={(e) => fromJson(e.target.value)} aria-invalid={jsonError !== undefined} aria-describedby="policy-json-error" />
          <p id="policy-json-error" className="problem" role={jsonError ? 'alert' : undefined}>
            {jsonError ? `JSON error: ${jsonError}` : ''}
          </p>
        </div>
      </div>
      <PolicyHistory currentText={inForce?.text ?? ''} refreshKey={saves} onRolledBack={() => void load()} />
    </section>
  );
}
