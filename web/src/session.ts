/** The admin token and approver name, kept for this browser tab only (sessionStorage). */
const TOKEN_KEY = 'gatehouse.adminToken';
const BY_KEY = 'gatehouse.approver';

export interface ConsoleSession {
  token: string;
  by: string;
}

export function loadSession(): ConsoleSession | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { token, by: sessionStorage.getItem(BY_KEY) || 'console' } : null;
}

export function saveSession(session: ConsoleSession): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(BY_KEY, session.by || 'console');
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function approverName(): string {
  return sessionStorage.getItem(BY_KEY) || 'console';
}
