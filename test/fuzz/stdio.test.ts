/**
 * Property-based fuzzing of `gatehouse stdio`: random lines on its stdin (valid JSON-RPC mixed with garbage,
 * partial JSON, invalid UTF-8, huge and deeply nested lines, duplicate ids, requests before initialize, batches,
 * split at random points across writes). The process must keep running, answer every request the MCP transport
 * accepts, write nothing but JSON-RPC on stdout, and serve a normal initialize + tools/call afterwards.
 *
 * `FUZZ_SEED` replays a run; `FUZZ_SCALE` multiplies the case counts.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { JSONRPCRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, ROOT, fixture, textOf } from '../helpers/harness.js';
import { batch, encodings, garbageBytes, jsonRpcMessage, messageProblem, stackProblem } from './arbitraries.js';
import { FUZZ_SCALE as SCALE, fuzzSeed } from './run-settings.js';

const TIMEOUT_MS = 10_000;
const SEED = fuzzSeed('stdio');

/** One stdin line (its newline is added when written). */
const line: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: jsonRpcMessage.chain((m) => encodings(m)), weight: 12 },
  { arbitrary: batch.map((b) => Buffer.from(JSON.stringify(b))), weight: 1 },
  { arbitrary: garbageBytes, weight: 3 },
  { arbitrary: fc.constantFrom('', ' ', '\r', '\t', '{', '}', '"', '\\', '\u0000', '[', 'null').map((s) => Buffer.from(s)), weight: 1 },
  {
    // huge lines: a long echo, a deeply nested array (alone or as an argument), a wide array
    arbitrary: fc.oneof(
      fc.integer({ min: 100_000, max: 500_000 }).map((n) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'huge', method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(n) } } }))),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => Buffer.from(`{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"echo","arguments":{"message":${'['.repeat(n)}${']'.repeat(n)}}}}`)),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => Buffer.from(`{"jsonrpc":"2.0","id":"deep-meta","method":"ping","params":{"_meta":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}`)),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => Buffer.from(`{"jsonrpc":"2.0","id":"wide","method":"tools/call","params":{"name":"echo","arguments":{"message":[${Array(n).fill('0').join(',')}]}}}`)),
    ),
    weight: 1,
  },
);

/** A case: a few lines, written in chunks split at random points (so a message can straddle two writes). */
const stdinCase = fc
  .tuple(fc.array(line, { minLength: 1, maxLength: 5 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }))
  .map(([lines, cuts]) => {
    const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const p of [...points, bytes.length]) {
      if (p > from) chunks.push(bytes.subarray(from, p));
      from = Math.max(from, p);
    }
    const c = { lines, chunks };
    return Object.defineProperty(c, fc.toStringMethod, {
      value: () => lines.map((l) => JSON.stringify(l.length > 300 ? `${l.subarray(0, 300).toString('latin1')}… (${l.length} bytes)` : l.toString('latin1'))).join(' ⏎ '),
      enumerable: false,
    });
  });

/** The ids of the lines the MCP transport will accept as requests, decoded exactly as it does; each must be answered. */
function expectedIds(lines: readonly Buffer[]): string[] {
  const ids: string[] = [];
  for (const l of Buffer.concat(lines.flatMap((x) => [x, Buffer.from('\n')])).toString('binary').split('\n').slice(0, -1)) {
    try {
      const parsed = JSONRPCRequestSchema.safeParse(JSON.parse(Buffer.from(l, 'binary').toString('utf8').replace(/\r$/, '')));
      if (parsed.success) ids.push(JSON.stringify(parsed.data.id));
    } catch {
      // not JSON: the transport drops it
    }
  }
  return ids;
}

describe('fuzzing gatehouse stdio', () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams;
  let stdoutRest = '';
  let stderr = '';
  let exit: string | undefined;
  const problems: string[] = [];
  /** Responses seen, by JSON id, not yet matched to an expectation. */
  const responses = new Map<string, number>();
  const byId = new Map<string, Record<string, unknown>>();
  let wake: () => void = () => undefined;
  let sentinel = 0;
  let cases = 0;
  let lines = 0;
  /** Responses to ids no accepted request carried (or extra ones, for a repeated id). */
  let unexpected = 0;

  function onStdout(chunk: string): void {
    stdoutRest += chunk;
    let index: number;
    while ((index = stdoutRest.indexOf('\n')) >= 0) {
      const text = stdoutRest.slice(0, index);
      stdoutRest = stdoutRest.slice(index + 1);
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        problems.push(`a stdout line that is not JSON: ${JSON.stringify(text.slice(0, 300))}`);
        continue;
      }
      const problem = messageProblem(message, true);
      if (problem) problems.push(`${problem}: ${text.slice(0, 300)}`);
      const stack = stackProblem(text, ROOT, '');
      if (stack) problems.push(`${stack}: ${text.slice(0, 300)}`);
      const m = message as Record<string, unknown>;
      if (!('method' in m) && 'id' in m) {
        const id = JSON.stringify(m['id']);
        responses.set(id, (responses.get(id) ?? 0) + 1);
        byId.set(id, m);
      }
    }
    wake();
  }

  async function waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    while (!condition()) {
      if (exit !== undefined) throw new Error(`the gateway exited (${exit}) while waiting for ${what}; stderr: ${stderr.slice(-2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${TIMEOUT_MS} ms (hang)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  function take(id: string): boolean {
    const n = responses.get(id) ?? 0;
    if (n === 0) return false;
    if (n === 1) responses.delete(id);
    else responses.set(id, n - 1);
    return true;
  }

  async function write(data: Buffer | string): Promise<void> {
    if (exit !== undefined) throw new Error(`the gateway exited (${exit}); stderr: ${stderr.slice(-2000)}`);
    if (child.stdin.write(data)) return;
    // Wait for the gateway to read it; a gateway that stopped reading stdin (or exited) fails the case.
    await waitFor(() => !child.stdin.writableNeedDrain, 'stdin to drain (the gateway reading its input)');
  }

  /** Writes a request and waits for its response. */
  async function call(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `call-${++sentinel}`;
    await write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    await waitFor(() => (responses.get(JSON.stringify(id)) ?? 0) > 0, `a response to ${method}`);
    take(JSON.stringify(id));
    return byId.get(JSON.stringify(id)) ?? {};
  }

  async function runCase(c: { lines: Buffer[]; chunks: Buffer[] }): Promise<void> {
    cases++;
    lines += c.lines.length;
    const expected = expectedIds(c.lines);
    // What is left from the previous case answered nothing that was expected of it.
    for (const n of responses.values()) unexpected += n;
    responses.clear();
    for (const chunk of c.chunks) await write(chunk);
    // A ping after the case: the transport is still reading and answering.
    const ping = `sentinel-${++sentinel}`;
    await write(`${JSON.stringify({ jsonrpc: '2.0', id: ping, method: 'ping' })}\n`);
    const pending = [...expected, JSON.stringify(ping)];
    await waitFor(() => {
      for (let i = pending.length - 1; i >= 0; i--) if (take(pending[i] as string)) pending.splice(i, 1);
      return pending.length === 0;
    }, `response to ${pending.join(', ')}`);
    assert.deepEqual(problems, [], 'every stdout line is a JSON-RPC message without a stack trace');
    assert.equal(exit, undefined, `the gateway exited: ${exit}`);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-stdio-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { echo: {} } }));
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      ['policy: { path: policy.json }', 'log_level: warn', 'storage: { sqlite_path: ":memory:" }', 'servers:', `  faulty: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(fixture('faulty'))}] }`].join('\n'),
    );
    child = spawn(process.execPath, [CLI, 'stdio', '-c', join(dir, 'gatehouse.yaml')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onStdout);
    child.stdin.on('drain', () => wake());
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.stdin.on('error', () => undefined); // EPIPE if it dies: reported through `exit`
    child.on('exit', (code, signal) => {
      exit = `code ${code}, signal ${signal}`;
      wake();
    });
    // The gateway answers once its upstreams are up.
    await call('ping', {});
  });

  after(async () => {
    if (exit === undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (exit === undefined) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('random lines before initialize: no exit, every request answered, only JSON-RPC on stdout', async (t) => {
    const before = cases;
    await fc.assert(fc.asyncProperty(stdinCase, runCase), { numRuns: Math.ceil(1000 * SCALE), seed: SEED, includeErrorInReport: true });
    t.diagnostic(`before initialize: ${cases - before} cases (FUZZ_SEED=${SEED})`);
  });

  it('random lines in an initialized session', async (t) => {
    const init = await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } });
    assert.ok('result' in init, JSON.stringify(init));
    await write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const before = cases;
    await fc.assert(fc.asyncProperty(stdinCase, runCase), { numRuns: Math.ceil(2000 * SCALE), seed: SEED + 1, includeErrorInReport: true });
    t.diagnostic(`initialized: ${cases - before} cases (FUZZ_SEED=${SEED})`);
  });

  it('still serves initialize + tools/call afterwards', async (t) => {
    t.diagnostic(`total stdio cases: ${cases} (${lines} fuzzed lines); responses beyond one per accepted request: ${unexpected}`);
    const init = await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'after-fuzz', version: '1' } });
    assert.ok('result' in init, JSON.stringify(init));
    await write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const echo = await call('tools/call', { name: 'echo', arguments: { message: 'still here' } });
    assert.equal(textOf(echo['result']), 'faulty: still here');
    assert.deepEqual(problems, []);
    assert.equal(exit, undefined);
    assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace on stderr');
  });

  it('a line longer than the transport buffer (10 MB) does not end the session', async () => {
    // The SDK's stdio ReadBuffer throws past 10 MB and the transport closes itself: the gateway then exits.
    await write(Buffer.alloc(11 * 1024 * 1024, 'x'));
    await write('\n');
    const ping = await call('ping', {});
    assert.ok('result' in ping || 'error' in ping);
    assert.equal(exit, undefined, `the gateway exited: ${exit}`);
  });
});
