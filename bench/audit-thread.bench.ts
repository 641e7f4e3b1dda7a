/**
 * Main-thread time per audited row: SqliteAuditSink on the main thread against ThreadedSqliteAuditSink, measured in
 * the same run on the same entries. "Main-thread time" is the event loop's active time (performance.
 * eventLoopUtilization) while batches are appended one after another: everything the main thread does for the
 * audit, including the fsync it waits on when the database is on its own thread. Wall time per row is printed for
 * context. Prints; never asserts. Run: npx tsc -p tsconfig.json && node dist/bench/audit-thread.bench.js
 * Knobs: BENCH_AUDIT_ROWS (default 20000 per measure), BENCH_AUDIT_ROUNDS (default 3, median reported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { SqliteAuditSink } from '../src/adapters/stores/sqlite/audit-sink.js';
import { ThreadedSqliteAuditSink } from '../src/adapters/stores/sqlite/audit-sink-thread.js';
import type { AuditEntry } from '../src/core/audit/record.js';
import type { AuditSink } from '../src/core/audit/sink.js';
import { makeAuditEntries } from './lib/audit-entries.js';
import { fmt, median, table } from './lib/stats.js';

const ROWS = Number(process.env['BENCH_AUDIT_ROWS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_AUDIT_ROUNDS'] ?? 3);
/** 50 is about what the writer's 50 ms timer gathers at 1000 calls/s; 500 is its largest batch. */
const BATCHES = [50, 500];
const WARMUP_BATCHES = 20;

const SINKS: Record<string, (path: string) => Promise<AuditSink>> = {
  'main thread (SqliteAuditSink)': async (path) => new SqliteAuditSink(path),
  'worker thread (ThreadedSqliteAuditSink)': (path) => ThreadedSqliteAuditSink.create(path),
};

interface Measure {
  mainUsPerRow: number;
  wallUsPerRow: number;
}

async function measure(open: (path: string) => Promise<AuditSink>, entries: readonly AuditEntry[], batch: number): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-thread-bench-'));
  const sink = await open(join(dir, 'audit.db'));
  try {
    for (let i = 0; i < WARMUP_BATCHES; i++) await sink.append(entries.slice(0, batch));
    await tick();
    const loopBefore = performance.eventLoopUtilization();
    const started = performance.now();
    for (let i = 0; i < entries.length; i += batch) await sink.append(entries.slice(i, i + batch));
    const wallMs = performance.now() - started;
    const loop = performance.eventLoopUtilization(loopBefore);
    const v = await sink.verify();
    if (!v.ok || v.count !== entries.length + WARMUP_BATCHES * batch) throw new Error(`chain did not verify: ${JSON.stringify(v)}`);
    return { mainUsPerRow: (loop.active / entries.length) * 1000, wallUsPerRow: (wallMs / entries.length) * 1000 };
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const entries = makeAuditEntries(ROWS);
  const rows: string[][] = [];
  for (const batch of BATCHES) {
    const results = new Map<string, Measure[]>(Object.keys(SINKS).map((name) => [name, []]));
    // Interleaved rounds, so that a slow moment of the machine hits both sinks alike.
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, open] of Object.entries(SINKS)) results.get(name)?.push(await measure(open, entries, batch));
    }
    const base = median(results.get(Object.keys(SINKS)[0] ?? '')?.map((m) => m.mainUsPerRow) ?? []);
    for (const [name, ms] of results) {
      const main = median(ms.map((m) => m.mainUsPerRow));
      rows.push([`${name}, batch ${batch}`, fmt(main, 2), fmt(median(ms.map((m) => m.wallUsPerRow)), 2), fmt(main !== undefined && base !== undefined ? main / base : undefined)]);
    }
  }
  process.stdout.write(`audit append, main-thread cost: ${ROWS} rows per measure, WAL + synchronous=FULL, median of ${ROUNDS}\n`);
  process.stdout.write(`${table(['sink', 'main µs/row', 'wall µs/row', 'main vs main-thread sink'], rows)}\n`);
}

await main();
