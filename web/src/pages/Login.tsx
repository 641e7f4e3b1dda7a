import { useState, type FormEvent } from 'react';
import { errorText, getJson } from '../api.js';
import { Notice } from '../components/Notice.js';
import { clearSession, saveSession, type ConsoleSession } from '../session.js';

/** Asks once per tab for the admin token (checked against the API before it is kept) and the approver's name. */
export function Login({ onLogin, reason }: { onLogin: (s: ConsoleSession) => void; reason?: string | undefined }) {
  const [token, setToken] = useState('');
  const [by, setBy] = useState('console');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const session = { token: token.trim(), by: by.trim() || 'console' };
    saveSession(session);
    try {
      await getJson('/api/catalog');
      onLogin(session);
    } catch (err) {
      clearSession();
      setError(errorText(err));
      setBusy(false);
    }
  }
  return (
    <main className="login">
      <form className="card form" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Gatehouse console</h1>
        <p className="muted">Sign in with the admin token from the gateway's config (<code>admin.token</code>). It is kept in this tab only.</p>
        <Notice kind="error">{error ?? reason}</Notice>
        <label>
          Admin token
          <input type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} required autoFocus />
        </label>
        <label>
          Approver name <span className="muted small">(recorded on your decisions and policy saves)</span>
          <input value={by} onChange={(e) => setBy(e.target.value)} autoComplete="username" />
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
            Sign in
          </button>
        </div>
      </form>
    </main>
  );
}
