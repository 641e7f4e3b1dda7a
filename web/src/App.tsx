import { useEffect, useState } from 'react';
import { UNAUTHORIZED_EVENT } from './api.js';
import { Approvals } from './pages/Approvals.js';
import { Audit } from './pages/Audit.js';
import { Catalog } from './pages/Catalog.js';
import { Login } from './pages/Login.js';
import { Overview } from './pages/Overview.js';
import { Policy } from './pages/Policy.js';
import { Servers } from './pages/Servers.js';
import { ToolPage } from './pages/ToolPage.js';
import { href, useRoute } from './router.js';
import { clearSession, loadSession, type ConsoleSession } from './session.js';

const NAV = [
  ['overview', 'Overview'],
  ['servers', 'Servers'],
  ['catalog', 'Catalog'],
  ['policy', 'Policy'],
  ['approvals', 'Approvals'],
  ['audit', 'Audit'],
] as const;

function Page({ route }: { route: string[] }) {
  const [section, detail] = route;
  switch (section) {
    case 'servers':
      return <Servers />;
    case 'catalog':
      return detail ? <ToolPage key={detail} name={detail} /> : <Catalog />;
    case 'policy':
      return <Policy />;
    case 'approvals':
      return <Approvals />;
    case 'audit':
      return <Audit />;
    default:
      return <Overview />;
  }
}

export function App() {
  const [session, setSession] = useState<ConsoleSession | null>(loadSession);
  const [expired, setExpired] = useState<string>();
  const route = useRoute();
  useEffect(() => {
    const onUnauthorized = () => {
      setSession(null);
      setExpired('The admin token was refused; sign in again.');
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);
  // After navigating, focus the page itself, so keyboard and screen reader users start at its top.
  const section = route[0];
  useEffect(() => {
    if (section !== undefined) document.getElementById('main')?.focus({ preventScroll: true });
  }, [section]);

  if (!session) return <Login reason={expired} onLogin={(s) => (setSession(s), setExpired(undefined))} />;
  const current = route[0] ?? 'overview';
  return (
    <>
      {/* Not href="#main": the hash is the route. */}
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <span className="brand">Gatehouse</span>
        <nav aria-label="Console">
          {NAV.map(([path, label]) => (
            <a key={path} href={href(path)} aria-current={current === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="who">
          {session.by}{' '}
          <button
            type="button"
            className="quiet"
            onClick={() => {
              clearSession();
              setSession(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
