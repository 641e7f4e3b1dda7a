import { clearSession, loadSession } from './session.js';

/** An answer of the admin API that is not 2xx: its `{ error: { message, path } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path?: string,
    /** Every problem, when the API found several. */
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Fired when the token is refused, so the shell can ask for it again. */
export const UNAUTHORIZED_EVENT = 'gatehouse:unauthorized';

export function authHeaders(): Record<string, string> {
  const session = loadSession();
  return session ? { authorization: `Bearer ${session.token}` } : {};
}

/** Any request to the admin API, with the token; the response as it came, for streams and downloads. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers } });
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  let path_: string | undefined;
  let issues: { path: string; message: string }[] = [];
  try {
    const body = (await res.json()) as { error?: { message?: string; path?: string; issues?: { path: string; message: string }[] } };
    if (body.error?.message) message = body.error.message;
    path_ = body.error?.path;
    issues = body.error?.issues ?? [];
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401) {
    clearSession();
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  }
  throw new ApiError(res.status, message, path_, issues);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await apiFetch(path, signal ? { signal } : {});
  return (await res.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await apiFetch(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as T;
}

/** Query string from the non-empty fields. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') q.set(key, String(value));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Downloads an authenticated response as a file (a plain link could not send the Authorization header). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await apiFetch(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const errorText = (error: unknown): string => (error instanceof ApiError && error.path ? `${error.message} (at ${error.path})` : error instanceof Error ? error.message : String(error));
