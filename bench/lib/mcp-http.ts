import autocannon from 'autocannon';
import { checkEcho, echoCallBody } from './echo.js';
import type { LoadResult } from './load.js';

/** Pulls JSON-RPC messages out of a Streamable HTTP response: SSE-framed (`data: {...}`) or plain JSON. */
export function parseMcpBody(body: string): unknown[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  return body
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter((data) => data !== '')
    .map((data) => JSON.parse(data) as unknown);
}

export interface RawSession {
  readonly sessionId: string;
  readonly protocolVersion: string;
  /** Headers every in-session POST carries. */
  readonly headers: Record<string, string>;
}

const BASE_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } as const;

/**
 * The MCP initialize handshake done by hand with fetch: initialize, read mcp-session-id, notifications/initialized.
 * Any stateful Streamable HTTP server (gatehouse, mcp-proxy, supergateway --stateful) needs it before a
 * non-SDK client such as autocannon can call tools.
 */
export async function rawInitialize(url: string): Promise<RawSession> {
  const init = await fetch(url, {
    method: 'POST',
    headers: BASE_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gatehouse-bench-autocannon', version: '0.0.0' } },
    }),
  });
  const text = await init.text();
  if (init.status !== 200) throw new Error(`initialize answered ${init.status}: ${text}`);
  const sessionId = init.headers.get('mcp-session-id');
  if (!sessionId) throw new Error('initialize response has no mcp-session-id header');
  const [message] = parseMcpBody(text) as { result?: { protocolVersion?: string }; error?: unknown }[];
  const protocolVersion = message?.result?.protocolVersion;
  if (!protocolVersion) throw new Error(`initialize failed: ${text}`);
  const headers = { ...BASE_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': protocolVersion };
  const initialized = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await initialized.arrayBuffer();
  if (initialized.status !== 202 && initialized.status !== 200) throw new Error(`notifications/initialized answered ${initialized.status}`);
  return { sessionId, protocolVersion, headers };
}

/** Ends the session (DELETE), so the gateway drops its per-session state. Best effort. */
export async function rawTerminate(url: string, session: RawSession): Promise<void> {
  await fetch(url, { method: 'DELETE', headers: session.headers })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}

export interface CannonResult extends LoadResult {
  readonly non2xx: number;
  readonly errors: number;
  readonly mismatches: number;
}

/**
 * `amount` POSTs of one tools/call over `connections` keep-alive connections (one request in flight on each).
 * `bodyFor(id)` gives the JSON-RPC body for a request id. Each request gets its own id: JSON-RPC ids must be
 * unique among a session's requests in flight, and with a fixed id, concurrent calls in one session overwrite
 * each other's response routing in the SDK's server transport and the losers hang.
 * Latencies are autocannon's per-response hrtime durations, taken from each client's 'response' event: its own
 * latency histogram is in whole milliseconds, too coarse here.
 */
export async function cannon(
  url: string,
  session: RawSession,
  bodyFor: (id: number) => string,
  amount: number,
  connections: number,
  expect: (body: string) => boolean,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<CannonResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  let nextId = 0;
  // Wall time runs from the first request sent to the last response received. autocannon's own promise (and
  // result.duration) only settles on its next sampling tick, which would quantise calls/s to whole intervals.
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  // Called without a callback, autocannon returns its instance, which is also a promise of the result.
  const instance = autocannon({
    url,
    requests: [
      {
        method: 'POST',
        headers: session.headers,
        body: bodyFor(0),
        setupRequest: (request) => ({ ...request, body: bodyFor(++nextId) }),
      },
    ],
    connections,
    pipelining: 1,
    amount,
    timeout: 30,
    sampleInt: 100, // it finishes on a sampling tick: keep the idle wait after the last response short
    verifyBody: (text) => expect(String(text)),
    setupClient: (client) => {
      client.on('response', (statusCode: number, _bytes: number, durationMs: number) => {
        if (statusCode < 200 || statusCode > 299) non2xx++;
        const now = performance.now();
        firstStart = Math.min(firstStart, now - durationMs);
        lastEnd = Math.max(lastEnd, now);
        latencies.push(durationMs);
      });
    },
  }) as unknown as PromiseLike<autocannon.Result> & { stop(): void };
  // The time bound: stop sending. (The instance is a thenable with only then/catch, hence no finally.)
  const timer = Number.isFinite(maxMs) ? setTimeout(() => instance.stop(), maxMs) : undefined;
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    clearTimeout(timer);
  }
  const wallMs = lastEnd - firstStart;
  return {
    calls: latencies.length,
    wallMs,
    latencies,
    truncated: latencies.length < amount,
    non2xx: Math.max(non2xx, result.non2xx),
    errors: result.errors + result.timeouts,
    mismatches: result.mismatches,
  };
}

/** True if an HTTP response body carries the echo tool's expected answer. */
function isEchoAnswer(text: string): boolean {
  try {
    const [message] = parseMcpBody(text) as { result?: unknown }[];
    checkEcho(message?.result);
    return true;
  } catch {
    return false;
  }
}

/**
 * `amount` echo calls by autocannon in `session` (see `cannon`). Any non-2xx response, error, timeout or body
 * without the echo answer fails the run; so does falling short of `amount` unless the time bound `maxMs` cut it.
 */
export async function cannonEcho(url: string, session: RawSession, amount: number, connections: number, maxMs = Number.POSITIVE_INFINITY): Promise<CannonResult> {
  const result = await cannon(url, session, echoCallBody, amount, connections, isEchoAnswer, maxMs);
  const bad = result.non2xx + result.errors + result.mismatches;
  if (bad > 0 || (result.calls < amount && !Number.isFinite(maxMs))) {
    throw new Error(`autocannon: ${result.calls}/${amount} responses, ${result.non2xx} non-2xx, ${result.errors} errors/timeouts, ${result.mismatches} bodies without the echo result`);
  }
  return result;
}
