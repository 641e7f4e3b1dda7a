/**
 * Property-based fuzzing of the downstream Streamable HTTP endpoint with raw requests: whatever bytes, headers,
 * sessions and JSON-RPC shapes arrive, the gateway answers every request in time, with a legitimate status and a
 * body that is empty (202) or valid JSON-RPC (plain JSON or SSE `data:` events), never a stack trace; and a normal
 * call still works afterwards.
 *
 * `FUZZ_SEED` replays a run (the seed is printed as a diagnostic); `FUZZ_SCALE` multiplies the case counts.
 */
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ROOT, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';
import { CONSOLE_CSP } from '../../src/adapters/http/console.js';
import {
  PROTOCOL_VERSIONS,
  batch,
  deepBodies,
  encodings,
  expectedResponseIds,
  garbageBytes,
  hugeBodies,
  jsonRpcMessage,
  jsonValue,
  parseReply,
  responseIds,
  stackProblem,
} from './arbitraries.js';
import { FUZZ_SCALE as SCALE, fuzzSeed } from './run-settings.js';

const MAX_BODY = 65_536;
const TIMEOUT_MS = 10_000;
const WORKERS = 12;
const SEED = fuzzSeed('http');
/**
 * Statuses a fuzzed request may legitimately get: 401 for a bearer token that is no key, 429 for the session and
 * in-flight caps. 500 is never one: it means an exception escaped a handler.
 */
const LEGIT_STATUS = new Set([200, 202, 400, 401, 403, 404, 405, 406, 409, 413, 415, 429]);
const POLICY = JSON.stringify({ version: '1', default: 'deny', tools: { echo: {} } });

type SessionChoice =
  | { kind: 'valid'; index: number }
  | { kind: 'uninitialized' }
  | { kind: 'none' }
  | { kind: 'unknown'; id: string }
  | { kind: 'garbage'; id: string }
  | { kind: 'fresh'; id: string };

interface FuzzCase {
  readonly session: SessionChoice;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly chunked: boolean;
  /** The value the body encodes, when it is exactly JSON.stringify of it. */
  readonly value?: unknown;
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const GOOD_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);

const sessionArb: fc.Arbitrary<SessionChoice> = fc.oneof(
  { arbitrary: fc.nat({ max: 2 }).map((index) => ({ kind: 'valid' as const, index })), weight: 8 },
  { arbitrary: fc.constant({ kind: 'uninitialized' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
  { arbitrary: fc.uuid().map((id) => ({ kind: 'unknown' as const, id })), weight: 1 },
  { arbitrary: headerValue.map((id) => ({ kind: 'garbage' as const, id })), weight: 1 },
);

const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON'), weight: 8 },
  {
    arbitrary: fc.constantFrom('', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-rpc', 'application/jsonx', 'json', 'application/json; charset=latin1', ';;;', 'application/*', '*/*'),
    weight: 2,
  },
  { arbitrary: headerValue, weight: 1 },
);

const accept = fc.oneof(
  { arbitrary: fc.constantFrom('application/json, text/event-stream', 'text/event-stream, application/json', 'application/json;q=0.9, text/event-stream;q=1'), weight: 8 },
  { arbitrary: fc.constantFrom('', 'application/json', 'text/event-stream', '*/*', 'text/html', 'application/*, text/*'), weight: 2 },
  { arbitrary: headerValue, weight: 1 },
);

/** Headers beside the body: mostly right (so messages get deep into the gateway), sometimes every kind of wrong. */
function headersArb(wild: boolean): fc.Arbitrary<Record<string, string>> {
  const none = fc.constant(undefined);
  const odds = wild ? 3 : 12;
  return fc
    .record({
      'content-type': fc.oneof({ arbitrary: fc.constant('application/json'), weight: odds }, { arbitrary: contentType, weight: 1 }, { arbitrary: none, weight: wild ? 1 : 0 }),
      accept: fc.oneof({ arbitrary: fc.constant(GOOD_HEADERS.accept), weight: odds }, { arbitrary: accept, weight: 1 }, { arbitrary: none, weight: wild ? 1 : 0 }),
      'mcp-protocol-version': fc.oneof({ arbitrary: none, weight: odds }, { arbitrary: fc.constantFrom(...PROTOCOL_VERSIONS), weight: 2 }, { arbitrary: headerValue, weight: 1 }),
      host: fc.oneof({ arbitrary: none, weight: odds * 2 }, { arbitrary: fc.constantFrom('evil.example', 'localhost', '127.0.0.1', '127.0.0.1:1', '[::1]', ''), weight: 1 }),
      origin: fc.oneof({ arbitrary: none, weight: odds * 2 }, { arbitrary: fc.constantFrom('http://evil.example', 'null', 'http://localhost', 'file://'), weight: 1 }, { arbitrary: headerValue, weight: wild ? 1 : 0 }),
      'last-event-id': fc.oneof({ arbitrary: none, weight: odds * 2 }, { arbitrary: headerValue, weight: 1 }),
      authorization: fc.oneof({ arbitrary: none, weight: odds * 2 }, { arbitrary: fc.constantFrom('Bearer x', 'Bearer ', 'Basic Og==', 'x'), weight: 1 }),
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined)));
}

/** A whole request around a body arbitrary; `wild` also varies the HTTP method and path. */
function caseArb(body: fc.Arbitrary<{ body: Buffer; value?: unknown }>, wild = false): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      session: sessionArb,
      headers: headersArb(wild),
      body,
      chunked: fc.boolean(),
      method: wild ? fc.oneof({ arbitrary: fc.constant('POST'), weight: 6 }, { arbitrary: fc.constantFrom('GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'), weight: 1 }) : fc.constant('POST'),
      path: wild ? fc.oneof({ arbitrary: fc.constant('/mcp'), weight: 6 }, { arbitrary: fc.constantFrom('/mcp?x=1', '/mcp/', '/MCP', '/', '//mcp', '/%ff', '/mcp%00', '/readyz/', '/mcp/../mcp', '/mcp?'), weight: 1 }) : fc.constant('/mcp'),
    })
    .map(({ session, headers, body, chunked, method, path }) => {
      // A GET or DELETE in a live session would open its standing SSE stream or end it: not what is fuzzed here.
      const safeSession = method !== 'POST' && (session.kind === 'valid' || session.kind === 'uninitialized') ? ({ kind: 'none' } as const) : session;
      const c: FuzzCase = { session: safeSession, headers, body: body.body, chunked, method, path, ...('value' in body ? { value: body.value } : {}) };
      // Counterexamples print compactly (a Buffer would print byte by byte).
      return Object.defineProperty(c, fc.toStringMethod, { value: () => describeCase(c), enumerable: false });
    });
}

function describeCase(c: FuzzCase): string {
  const body = c.body.length > 300 ? `${c.body.subarray(0, 300).toString('latin1')}… (${c.body.length} bytes)` : c.body.toString('latin1');
  return `${c.method} ${c.path} session=${c.session.kind} chunked=${c.chunked} headers=${JSON.stringify(c.headers)} body=${JSON.stringify(body)}`;
}

const fromValue = (value: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; value?: unknown }> =>
  value.chain((v) => encodings(v).map((body) => (body.equals(Buffer.from(JSON.stringify(v) ?? '')) ? { body, value: v } : { body })));

describe('fuzzing the HTTP edge', () => {
  let gw: TestGateway;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const sessions: string[] = [];
  let uninitialized = '';
  const opened = new Set<string>();
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let total = 0;
  let properties = 0;
  const onRejection = (reason: unknown) => failures.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  const onException = (error: Error) => failures.push(`uncaughtException: ${error.stack}`);

  function send(c: { method: string; path: string; headers: Record<string, string>; body?: Buffer; chunked?: boolean }): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      const req = request({ host: gw.url.hostname, port: gw.url.port, method: c.method, path: c.path, headers: c.headers, agent, signal: controller.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(controller.signal.aborted ? new Error(`no complete reply within ${TIMEOUT_MS} ms (hang)`) : error);
        });
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(controller.signal.aborted ? new Error(`no reply within ${TIMEOUT_MS} ms (hang)`) : error);
      });
      const body = c.body ?? Buffer.alloc(0);
      // Explicit framing: Node's client would otherwise send a GET/DELETE body with neither length nor chunking,
      // which is malformed HTTP (the parser's 400) rather than anything the gateway decides.
      if (c.chunked && body.length > 0) req.setHeader('transfer-encoding', 'chunked');
      else req.setHeader('content-length', body.length);
      if (c.chunked && body.length > 0) {
        // No content-length: chunked transfer, in a few pieces.
        const step = Math.max(1, Math.ceil(body.length / 3));
        for (let i = 0; i < body.length; i += step) req.write(body.subarray(i, i + step));
        req.end();
      } else {
        req.end(body);
      }
    });
  }

  const post = (body: unknown, session?: string) =>
    send({ method: 'POST', path: '/mcp', headers: { ...GOOD_HEADERS, ...(session ? { 'mcp-session-id': session } : {}) }, body: Buffer.from(JSON.stringify(body)) });

  async function openSession(initialized: boolean): Promise<string> {
    const init = await post({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } } });
    assert.equal(init.status, 200, init.body);
    const id = init.headers['mcp-session-id'];
    assert.ok(typeof id === 'string');
    if (initialized) assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, id)).status, 202);
    return id;
  }

  /** Sends one case and checks every property of its reply; throws (failing the property) when one does not hold. */
  async function check(c: FuzzCase): Promise<Reply> {
    total++;
    const headers: Record<string, string> = { ...c.headers };
    const sessionId =
      c.session.kind === 'valid' ? sessions[c.session.index] : c.session.kind === 'uninitialized' ? uninitialized : c.session.kind === 'none' ? undefined : c.session.id;
    if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
    let reply: Reply;
    try {
      reply = await send({ method: c.method, path: c.path, headers, body: c.body, chunked: c.chunked });
    } catch (error) {
      throw new Error(`request failed: ${error instanceof Error ? error.message : String(error)}\n  case: ${describeCase(c)}`);
    }
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    const fail = (why: string) => {
      throw new Error(`${why}\n  case: ${describeCase(c)}\n  reply: ${reply.status} ${JSON.stringify(reply.headers['content-type'])} ${JSON.stringify(reply.body.slice(0, 500))}`);
    };
    const created = reply.headers['mcp-session-id'];
    if (typeof created === 'string' && !sessions.includes(created) && created !== uninitialized) opened.add(created);

    if (!LEGIT_STATUS.has(reply.status)) fail(`status ${reply.status} is not a legitimate answer`);
    const sent = `${c.body.toString('latin1')}\n${c.body.toString('utf8')}\n${JSON.stringify(headers)}`;
    const stack = stackProblem(reply.body, ROOT, sent);
    if (stack) fail(stack);
    if (c.method === 'HEAD' || reply.status === 202) {
      if (reply.body !== '') fail(`a ${c.method === 'HEAD' ? 'HEAD' : '202'} reply with a body`);
      return reply;
    }
    // GET outside the gateway's own endpoints is the web console (a page or a short text under its own CSP), not JSON-RPC.
    if (reply.headers['content-security-policy'] === CONSOLE_CSP) {
      if (c.method !== 'GET' || c.path === '/mcp' || c.path.startsWith('/mcp?')) fail(`the console answered ${c.method} ${c.path}`);
      return reply;
    }
    const parsed = parseReply(reply.body, reply.headers['content-type']);
    if (!parsed.ok) return fail(parsed.problem);
    const { messages, strings } = parsed.reply;
    const stackInStrings = stackProblem(strings, ROOT, sent);
    if (stackInStrings) fail(stackInStrings);
    if (reply.status !== 200) {
      if (messages.length !== 1 || !('error' in (messages[0] ?? {}))) fail(`a ${reply.status} reply must carry one JSON-RPC error`);
      return reply;
    }
    // 200: the body was accepted, so every request in it gets its response on this stream.
    let body: unknown;
    try {
      body = JSON.parse(c.body.toString('utf8'));
    } catch {
      return fail('a 200 reply to a body that is not JSON');
    }
    const expected = expectedResponseIds(body);
    const got = responseIds(messages);
    if (expected.length === 0 && got.length === 0) fail('a 200 reply without any response');
    for (const id of expected) if (!got.includes(id)) fail(`no response for request id ${id}`);
    // A plain echo call in a live session answers with the message.
    const value = c.value as { method?: unknown; params?: { name?: unknown; arguments?: { message?: unknown } } } | undefined;
    if (
      c.session.kind === 'valid' &&
      value?.method === 'tools/call' &&
      value.params?.name === 'echo' &&
      typeof value.params.arguments?.message === 'string' &&
      Object.keys(value.params.arguments).length === 1 &&
      c.headers['mcp-protocol-version'] === undefined
    ) {
      const response = messages.find((m) => !('method' in m));
      if (response && 'result' in response && textOf(response['result']) !== `faulty: ${value.params.arguments.message}`) fail('echo answered with the wrong text');
    }
    return reply;
  }

  /** Runs a property on WORKERS concurrent fast-check loops (distinct seeds), `runs` cases in all. */
  async function fuzz<T>(t: TestContext, name: string, arb: fc.Arbitrary<T>, runs: number, run: (value: T) => Promise<unknown>): Promise<void> {
    const before = total;
    const statusesBefore = new Map(statuses);
    const logsBefore = gw.logs.length;
    const started = Date.now();
    const perWorker = Math.ceil((runs * SCALE) / WORKERS);
    // Each property gets its own seeds, so header and session choices do not repeat from one property to the next.
    const seed = SEED + 1000 * ++properties;
    let cases = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => fc.assert(fc.asyncProperty(arb, async (v) => void (cases++, await run(v))), { numRuns: perWorker, seed: seed + w, includeErrorInReport: true, interruptAfterTimeLimit: 600_000 })),
    );
    const delta = [...statuses].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}×${n - (statusesBefore.get(status) ?? 0)}`);
    t.diagnostic(`${name}: ${cases} cases (${total - before} requests checked) in ${Date.now() - started} ms (FUZZ_SEED=${SEED}: seeds ${seed}..${seed + WORKERS - 1}); statuses ${delta.join(' ')}`);
    const escaped = gw.logs.slice(logsBefore).filter((l) => l.msg === 'HTTP request failed');
    assert.deepEqual(escaped.map((l) => l['err']), [], `${escaped.length} exceptions escaped the /mcp handler (logged "HTTP request failed", answered 500 or cut short)`);
  }

  before(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICY, config: { listen: { port: 0, max_body_bytes: MAX_BODY } } });
    for (let i = 0; i < 3; i++) sessions.push(await openSession(true));
    uninitialized = await openSession(false);
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    agent.destroy();
    await gw?.close();
  });

  it('garbage bytes and invalid UTF-8', (t) => fuzz(t, 'garbage bytes', caseArb(garbageBytes.map((body) => ({ body }))), 1500, check));

  it('JSON values of random shape', (t) => fuzz(t, 'random JSON', caseArb(fromValue(jsonValue)), 1500, check));

  it('JSON-RPC-shaped messages: real and unknown methods, wrong param types, duplicate ids, before initialize', (t) =>
    fuzz(t, 'JSON-RPC messages', caseArb(fromValue(jsonRpcMessage)), 3500, check));

  it('batches', (t) => fuzz(t, 'batches', caseArb(fromValue(batch)), 1500, check));

  it('deep nesting, huge arrays and bodies around the size limit', (t) =>
    fuzz(t, 'deep and huge bodies', caseArb(fc.oneof(deepBodies(MAX_BODY), hugeBodies(MAX_BODY)).map((body) => ({ body }))), 600, check));

  it('fresh sessions: fuzzed initialize params, then any message before notifications/initialized, then DELETE', (t) => {
    const initialize = fc
      .record({
        id: fc.oneof(fc.nat(), fc.string({ maxLength: 8 })),
        protocolVersion: fc.oneof({ arbitrary: fc.constantFrom(...PROTOCOL_VERSIONS), weight: 6 }, { arbitrary: jsonValue, weight: 1 }),
        capabilities: fc.oneof({ arbitrary: fc.constantFrom<unknown>({}, { sampling: {} }, { roots: { listChanged: true } }, { elicitation: {} }), weight: 6 }, { arbitrary: jsonValue, weight: 1 }),
        clientInfo: fc.oneof({ arbitrary: fc.record({ name: fc.string(), version: fc.string() }), weight: 6 }, { arbitrary: jsonValue, weight: 1 }),
      })
      .map(({ id, ...params }) => ({ jsonrpc: '2.0', id, method: 'initialize', params }));
    const arb = fc.tuple(initialize, caseArb(fromValue(fc.oneof({ arbitrary: jsonRpcMessage, weight: 4 }, { arbitrary: batch, weight: 1 }))));
    return fuzz(t, 'fresh sessions', arb, 800, async ([init, next]) => {
      const body = Buffer.from(JSON.stringify(init));
      const opening: FuzzCase = { session: { kind: 'none' }, method: 'POST', path: '/mcp', headers: GOOD_HEADERS, body, chunked: false, value: init };
      const reply = await check(opening);
      const id = reply.headers['mcp-session-id'];
      if (reply.status !== 200 || typeof id !== 'string') return;
      await check({ ...next, session: { kind: 'fresh', id } });
      const end = await send({ method: 'DELETE', path: '/mcp', headers: { 'mcp-session-id': id } });
      assert.equal(end.status, 200, `DELETE of a fresh session: ${end.status} ${end.body}`);
      opened.delete(id);
    });
  });

  it('wrong content types, accept headers, methods, paths, hosts and sessions', (t) =>
    fuzz(t, 'headers, methods and paths', caseArb(fromValue(fc.oneof(jsonRpcMessage, batch)), true), 1500, check));

  it('a body over the limit, chunked or with a content-length, gets 413 and no exception escapes', async (t) => {
    // Sequential, so that a logged exception belongs to the case that caused it.
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 * MAX_BODY }), fc.boolean(), fc.nat({ max: 2 }), async (over, chunked, index) => {
        runs++;
        total++;
        const logsBefore = gw.logs.length;
        const session = sessions[index] ?? '';
        const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(MAX_BODY + over) } } }));
        const reply = await send({ method: 'POST', path: '/mcp', headers: { ...GOOD_HEADERS, 'mcp-session-id': session }, body, chunked });
        assert.equal(reply.status, 413);
        const parsed = parseReply(reply.body, reply.headers['content-type']);
        assert.ok(parsed.ok && 'error' in (parsed.reply.messages[0] ?? {}), reply.body);
        const escaped = gw.logs.slice(logsBefore).filter((l) => l.msg === 'HTTP request failed');
        assert.deepEqual(escaped.map((l) => l['err']), [], `an exception escaped the /mcp handler for a ${chunked ? 'chunked' : 'content-length'} body of ${body.length} bytes`);
      }),
      { numRuns: Math.ceil(100 * SCALE), seed: SEED, includeErrorInReport: true },
    );
    t.diagnostic(`oversized bodies: ${runs} cases`);
  });

  it('answered every case without a crash, and a normal session still works', async (t) => {
    t.diagnostic(`total HTTP cases: ${total}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; sessions opened by fuzzing: ${opened.size}`);
    assert.deepEqual(failures, [], 'no unhandledRejection or uncaughtException in the gateway process');
    // Sessions the fuzzer opened can all be ended (which also makes room under the per-agent session cap).
    for (const s of opened) {
      const res = await send({ method: 'DELETE', path: '/mcp', headers: { 'mcp-session-id': s } });
      assert.ok(res.status === 200 || res.status === 404, `DELETE ${s}: ${res.status}`);
    }
    // The fresh-session path and an allowed call work end to end, without the SDK client.
    const session = await openSession(true);
    const call = await post({ jsonrpc: '2.0', id: 'after-fuzz', method: 'tools/call', params: { name: 'echo', arguments: { message: 'still here' } } }, session);
    assert.equal(call.status, 200);
    const parsed = parseReply(call.body, call.headers['content-type']);
    assert.ok(parsed.ok, call.body);
    const response = parsed.reply.messages.find((m) => m['id'] === 'after-fuzz');
    assert.equal(textOf(response?.['result']), 'faulty: still here');
    // The pre-made sessions survived too.
    for (const s of sessions) assert.equal((await post({ jsonrpc: '2.0', id: 'p', method: 'ping' }, s)).status, 200);
    const health = JSON.parse((await send({ method: 'GET', path: '/healthz', headers: {} })).body) as { status: string };
    assert.equal(health.status, 'ok', 'the upstream survived');
    assert.ok(total >= 10_000 * Math.min(1, SCALE), `only ${total} cases ran`);
  });
});
