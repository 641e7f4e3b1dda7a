import { setMaxListeners } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StderrTail } from './procs.js';

/**
 * The SDK's StreamableHTTPClientTransport passes its one AbortController's signal to every fetch. Node's fetch
 * (undici) adds an 'abort' listener to that signal per request, raises the signal's limit to 1500 itself, and
 * removes each listener only when its Request object is garbage-collected; after a few thousand calls the
 * count passes 1500 and Node prints a MaxListenersExceededWarning per request. It is bounded by GC, not a leak
 * that grows forever, so we lift the limit (0 = none) on exactly the signals the transport hands to fetch,
 * keeping its abort-on-close behaviour. (A limit of, say, 64 would be worse: undici only raises a default limit.)
 */
const raisedSignals = new WeakSet<AbortSignal>();
export const fetchWithoutListenerLimit = (url: string | URL, init?: RequestInit): Promise<Response> => {
  const signal = init?.signal;
  if (signal && !raisedSignals.has(signal)) {
    raisedSignals.add(signal);
    setMaxListeners(0, signal);
  }
  return fetch(url, init);
};

/** Counts MaxListenersExceededWarning in this process from now on; the benches print the count (should be 0). */
export function countMaxListenerWarnings(): () => number {
  let count = 0;
  process.on('warning', (warning) => {
    if (warning.name === 'MaxListenersExceededWarning') count++;
  });
  return () => count;
}

export function newClient(): Client {
  return new Client({ name: 'gatehouse-bench', version: '0.0.0' });
}

/** A stdio client transport whose stderr is drained into a tail kept for error messages. */
export function stdioTransport(command: string, args: string[], cwd: string): { transport: StdioClientTransport; stderr: StderrTail } {
  const transport = new StdioClientTransport({ command, args, cwd, stderr: 'pipe' });
  const stderr = new StderrTail();
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return { transport, stderr };
}

/**
 * A Streamable HTTP client transport. By default it gets `fetchWithoutListenerLimit`; `plainFetch` leaves the
 * SDK's own fetch in place (to see the warning that works around).
 */
export function httpTransport(url: string, plainFetch = false): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url), plainFetch ? {} : { fetch: fetchWithoutListenerLimit });
}

/** `error` with the tail of a child's stderr appended, for a readable failure. */
export function withStderr(error: unknown, who: string, stderr: StderrTail): Error {
  const text = stderr.toString().trim();
  const message = error instanceof Error ? error.message : String(error);
  return new Error(text ? `${message}\n--- ${who} stderr ---\n${text}` : message);
}
