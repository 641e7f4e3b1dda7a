/**
 * AuditWriter against real stores: SqliteAuditSink for batching and shutdown, and PostgresAuditSink behind a TCP
 * proxy we can cut and restore, to show that an outage loses nothing.
 * The outage tests need PostgreSQL at postgres://postgres@127.0.0.1:5432/test (or GATEHOUSE_TEST_PG).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { SqliteAuditSink } from '../../src/adapters/stores/sqlite/audit-sink.js';
import { PostgresAuditSink } from '../../src/adapters/stores/postgres/audit-sink.js';
import type { AuditEntry } from '../../src/core/audit/record.js';
import type { AuditSink } from '../../src/core/audit/sink.js';
import { AuditFlushError, AuditOverflowError, AuditWriter } from '../../src/proxy/audit-writer.js';

const PG_URL = process.env['GATEHOUSE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG = new globalThis.URL(PG_URL);
const RUN = `${process.pid}_${randomBytes(3).toString('hex')}`;
const dirs: string[] = [];
const tables: string[] = [];

after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (tables.length > 0) {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    for (const t of tables) await admin.query(`DROP TABLE IF EXISTS ${t}`);
    await admin.end();
  }
});

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: 1_700_000_000_000 + i,
    agent: 'agent',
    session: 's',
    server: 'srv',
    tool: 'tool',
    decision: 'allow',
    rule: null,
    reason: null,
    argsHash: 'ab'.repeat(32),
    args: { i },
    latencyMs: 1.5,
    outcome: 'ok',
    policyVersion: 'v1',
    ...over,
  };
}

interface LogLine {
  level: number;
  msg: string;
  pending?: number;
}

function captureLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

function sqliteSink(): SqliteAuditSink {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
  dirs.push(dir);
  return new SqliteAuditSink(join(dir, 'audit.db'));
}

/** Delegates to a real sink and records the size of every append. */
class CountingSink implements AuditSink {
  readonly batches: number[] = [];
  constructor(readonly inner: AuditSink) {}
  append(entries: readonly AuditEntry[]): Promise<void> {
    this.batches.push(entries.length);
    return this.inner.append(entries);
  }
  query: AuditSink['query'] = (q) => this.inner.query(q);
  verify: AuditSink['verify'] = () => this.inner.verify();
  close: AuditSink['close'] = () => this.inner.close();
}

async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('record() is synchronous: nothing reaches the sink inside the call, even for a full batch', async () => {
  const sink = new CountingSink(sqliteSink());
  const writer = new AuditWriter({ sink, logger: pino({ level: 'silent' }), maxBatch: 10 });
  for (let i = 0; i < 25; i++) writer.record(entry(i));
  assert.deepEqual(sink.batches, []);
  assert.equal(writer.pending, 25);
  await writer.close();
});

test('full batches are written at once, the rest on the timer, in batches of at most maxBatch', async () => {
  const sink = new CountingSink(sqliteSink());
  const writer = new AuditWriter({ sink, logger: pino({ level: 'silent' }), maxBatch: 100, flushIntervalMs: 20 });
  for (let i = 0; i < 250; i++) writer.record(entry(i));
  await until(() => writer.pending === 0, 2_000, 'drain');
  assert.equal(
    sink.batches.reduce((a, b) => a + b, 0),
    250,
  );
  assert.ok(sink.batches.every((n) => n <= 100), String(sink.batches));
  writer.record(entry(250));
  await sleep(5);
  assert.equal(writer.pending, 1, 'a lone record waits for the interval');
  await until(() => writer.pending === 0, 1_000, 'timer flush');
  assert.deepEqual(await sink.verify(), { ok: true, count: 251 });
  await writer.close();
});

test('flush() writes everything recorded so far; close() flushes the rest and closes the sink', async () => {
  const inner = sqliteSink();
  const writer = new AuditWriter({ sink: inner, logger: pino({ level: 'silent' }), flushIntervalMs: 60_000 });
  for (let i = 0; i < 1_234; i++) writer.record(entry(i));
  await writer.flush();
  assert.equal(writer.pending, 0);
  assert.equal((await inner.query({ limit: 10_000 })).length, 1_234);
  for (let i = 0; i < 10; i++) writer.record(entry(i));
  const verify = inner.verify.bind(inner);
  await writer.close();
  assert.equal(writer.pending, 0);
  await assert.rejects(verify(), /not open/, 'the sink is closed');
  assert.throws(() => writer.record(entry(1)), /closed/);
});

test('writes go through in order and verify as one chain', async () => {
  const inner = sqliteSink();
  const writer = new AuditWriter({ sink: inner, logger: pino({ level: 'silent' }), maxBatch: 64, flushIntervalMs: 5 });
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 100; i++) writer.record(entry(round * 100 + i));
    await sleep(1);
  }
  await writer.flush();
  const rows = await inner.query({ limit: 10_000 });
  assert.deepEqual(
    rows.map((r) => (r.args as { i: number }).i),
    Array.from({ length: 2_000 }, (_, i) => i),
  );
  assert.deepEqual(await inner.verify(), { ok: true, count: 2_000 });
  await writer.close();
});

test('a malformed entry throws at record() and never reaches a batch', async () => {
  const sink = new CountingSink(sqliteSink());
  const writer = new AuditWriter({ sink, logger: pino({ level: 'silent' }) });
  assert.throws(() => writer.record(entry(1, { time: Number.NaN })), TypeError);
  assert.throws(() => writer.record(entry(1, { decision: 'nope' as AuditEntry['decision'] })), TypeError);
  writer.record(entry(2));
  await writer.close();
  assert.deepEqual(sink.batches, [1]);
});

/** A TCP relay to PostgreSQL that can be cut (listener closed, live connections reset) and restored on the same port. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(PG.port || 5432), PG.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.resetAndDestroy();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }

  url(): string {
    const u = new globalThis.URL(PG_URL);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.href;
  }
}

async function proxiedSink(proxy: CuttableProxy): Promise<{ sink: PostgresAuditSink; table: string }> {
  const table = `audit_writer_${RUN}_${tables.length + 1}`;
  tables.push(table);
  const sink = await PostgresAuditSink.create({ connectionString: proxy.url(), table, connectionTimeoutMillis: 500, queryTimeoutMillis: 2_000 });
  return { sink, table };
}

test('outage: records are buffered while PostgreSQL is unreachable and all written after it returns', async () => {
  const proxy = new CuttableProxy();
  await proxy.up();
  const { sink, table } = await proxiedSink(proxy);
  const { logger, lines } = captureLogger();
  const writer = new AuditWriter({ sink, logger, flushIntervalMs: 10, maxBatch: 50, retryInitialMs: 20, retryMaxMs: 100 });
  try {
    for (let i = 0; i < 100; i++) writer.record(entry(i));
    await writer.flush();
    assert.equal(writer.healthy, true);

    await proxy.down();
    for (let i = 100; i < 400; i++) writer.record(entry(i));
    await until(() => !writer.healthy, 5_000, 'unhealthy');
    assert.equal(writer.pending, 300, 'nothing written, nothing dropped');
    await assert.rejects(writer.flush(), 'flush() reports the outage instead of hanging');
    await sleep(300); // several retries happen during the outage
    for (let i = 400; i < 450; i++) writer.record(entry(i));
    assert.equal(writer.pending, 350);
    assert.equal(writer.healthy, false);
    assert.equal(writer.overflowing, false);

    await proxy.up();
    await until(() => writer.pending === 0, 10_000, 'recovery');
    assert.equal(writer.healthy, true);

    const unavailable = lines.filter((l) => l.msg.startsWith('audit sink unavailable'));
    const recovered = lines.filter((l) => l.msg === 'audit sink recovered');
    assert.equal(unavailable.length, 1, 'the outage is logged once');
    assert.equal(unavailable[0]?.level, 50);
    assert.equal(recovered.length, 1);
    assert.ok(lines.filter((l) => l.msg === 'audit sink still unavailable').length >= 1, 'retries happened (at debug)');

    for (let i = 450; i < 500; i++) writer.record(entry(i));
    await writer.close();
    assert.equal(writer.pending, 0);

    const check = await PostgresAuditSink.create({ connectionString: PG_URL, table });
    try {
      assert.deepEqual(await check.verify(), { ok: true, count: 500 });
      const rows = await check.query({ limit: 10_000 });
      assert.deepEqual(
        rows.map((r) => (r.args as { i: number }).i),
        Array.from({ length: 500 }, (_, i) => i),
        'every record, once, in order',
      );
    } finally {
      await check.close();
    }
  } finally {
    await proxy.down();
  }
});

test('outage: overflowing turns on at maxBuffer (fail closed) and record() throws at the hard ceiling, never silently', async () => {
  const proxy = new CuttableProxy();
  await proxy.up();
  const { sink, table } = await proxiedSink(proxy);
  const { logger, lines } = captureLogger();
  const writer = new AuditWriter({ sink, logger, flushIntervalMs: 5, maxBatch: 10, maxBuffer: 50, retryInitialMs: 20, retryMaxMs: 50 });
  try {
    await proxy.down();
    for (let i = 0; i < 49; i++) writer.record(entry(i));
    assert.equal(writer.overflowing, false);
    writer.record(entry(49));
    assert.equal(writer.overflowing, true);
    assert.equal(lines.filter((l) => l.msg.startsWith('audit buffer overflowing')).length, 1);
    for (let i = 50; i < 100; i++) writer.record(entry(i)); // the gateway's own denials are still recorded
    assert.throws(() => writer.record(entry(100)), AuditOverflowError);
    assert.equal(writer.pending, 100);

    await proxy.up();
    await until(() => writer.pending === 0, 10_000, 'recovery');
    assert.equal(writer.overflowing, false);
    await writer.close();
    const check = await PostgresAuditSink.create({ connectionString: PG_URL, table });
    try {
      assert.deepEqual(await check.verify(), { ok: true, count: 100 });
    } finally {
      await check.close();
    }
  } finally {
    await proxy.down();
  }
});

test('outage at shutdown: close() makes bounded attempts, then rejects with the count it could not write', async () => {
  const proxy = new CuttableProxy();
  await proxy.up();
  const { sink } = await proxiedSink(proxy);
  const { logger, lines } = captureLogger();
  const writer = new AuditWriter({ sink, logger, retryInitialMs: 10, retryMaxMs: 20, closeAttempts: 3 });
  try {
    await proxy.down();
    for (let i = 0; i < 7; i++) writer.record(entry(i));
    // Unbounded retries would never settle: the rejection itself is the proof of the bound.
    await assert.rejects(writer.close(), (err: unknown) => err instanceof AuditFlushError && err.pending === 7);
    assert.equal(lines.filter((l) => l.msg === 'audit records could not be written before shutdown').length, 1);
  } finally {
    await proxy.down();
  }
});

test('outage recovered just before shutdown: close() still writes everything', async () => {
  const proxy = new CuttableProxy();
  await proxy.up();
  const { sink, table } = await proxiedSink(proxy);
  const writer = new AuditWriter({ sink, logger: pino({ level: 'silent' }), retryInitialMs: 50, retryMaxMs: 200, closeAttempts: 10 });
  try {
    await proxy.down();
    for (let i = 0; i < 20; i++) writer.record(entry(i));
    const closing = writer.close();
    await sleep(100);
    await proxy.up();
    await closing;
    const check = await PostgresAuditSink.create({ connectionString: PG_URL, table });
    try {
      assert.deepEqual(await check.verify(), { ok: true, count: 20 });
    } finally {
      await check.close();
    }
  } finally {
    await proxy.down();
  }
});
