/**
 * Audit throughput into SQLite (target: ≥ 10k records/s through the AuditWriter), with a baseline measured in the
 * same run: raw better-sqlite3 inserts of the same rows in the same batch size and pragmas, without canonical JSON
 * or hashing. The ratio says what chaining and the writer cost on top of the database itself.
 * Also prints the hot-path cost per call: redactArguments + hashArguments, and AuditWriter.record().
 * Prints; never asserts. Run: npx tsc -p tsconfig.json && node dist/bench/audit.bench.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pino from 'pino';
import { SqliteAuditSink } from '../src/adapters/stores/sqlite/audit-sink.js';
import type { AuditEntry } from '../src/core/audit/record.js';
import { hashArguments, redactArguments } from '../src/core/audit/redact.js';
import { AuditWriter } from '../src/proxy/audit-writer.js';
import { ALLOWED_ARGS, makeAuditEntries, rawArgs } from './lib/audit-entries.js';
import { fmt, table } from './lib/stats.js';

const COUNT = 100_000;
const BATCH = 500;
const ROUNDS = 3;
const PER_TICK = 1_000;

function tempDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-bench-'));
  return { path: join(dir, 'audit.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Baseline: the same table, pragmas and batch size, plain INSERTs, args as JSON.stringify, no chain. */
function rawSqlite(entries: readonly AuditEntry[]): number {
  const { path, cleanup } = tempDb();
  const sink = new SqliteAuditSink(path); // creates the identical schema and pragmas
  void sink.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    `INSERT INTO audit_log (seq, time_ms, agent, session, server, tool, decision, rule, reason, args_hash, args, latency_ms, outcome, policy_version, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')`,
  );
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const e = entries[i] as AuditEntry;
      insert.run(i + 1, e.time, e.agent, e.session, e.server, e.tool, e.decision, e.rule, e.reason, e.argsHash, JSON.stringify(e.args), e.latencyMs, e.outcome, e.policyVersion);
    }
  });
  const started = performance.now();
  for (let i = 0; i < entries.length; i += BATCH) writeBatch.immediate(i, Math.min(entries.length, i + BATCH));
  const ms = performance.now() - started;
  db.close();
  cleanup();
  return ms;
}

async function sinkDirect(entries: readonly AuditEntry[]): Promise<number> {
  const { path, cleanup } = tempDb();
  const sink = new SqliteAuditSink(path);
  const started = performance.now();
  for (let i = 0; i < entries.length; i += BATCH) await sink.append(entries.slice(i, i + BATCH));
  const ms = performance.now() - started;
  await sink.close();
  cleanup();
  return ms;
}

/** The real path: record() from the "gateway" a thousand per event-loop turn, batches written in the background. */
async function throughWriter(entries: readonly AuditEntry[]): Promise<{ ms: number; recordNs: number; verified: boolean }> {
  const { path, cleanup } = tempDb();
  const sink = new SqliteAuditSink(path);
  const writer = new AuditWriter({ sink, logger: pino({ level: 'silent' }), maxBatch: BATCH });
  let inRecord = 0;
  const started = performance.now();
  for (let i = 0; i < entries.length; i += PER_TICK) {
    const t0 = performance.now();
    for (let k = i; k < Math.min(entries.length, i + PER_TICK); k++) writer.record(entries[k] as AuditEntry);
    inRecord += performance.now() - t0;
    await tick();
  }
  await writer.flush();
  const ms = performance.now() - started;
  const check = new SqliteAuditSink(path);
  const v = await check.verify();
  await check.close();
  await writer.close();
  cleanup();
  return { ms, recordNs: (inRecord / entries.length) * 1e6, verified: v.ok && v.count === entries.length };
}

function hotPathUs(): number {
  const n = 50_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const a = rawArgs(i);
    redactArguments(a, ALLOWED_ARGS);
    hashArguments(a);
  }
  return ((performance.now() - started) / n) * 1000;
}

function best(xs: readonly number[]): number {
  return Math.min(...xs);
}

async function main(): Promise<void> {
  const entries = makeAuditEntries(COUNT);
  const raw: number[] = [];
  const direct: number[] = [];
  const writer: number[] = [];
  const recordNs: number[] = [];
  let verified = true;
  for (let r = 0; r < ROUNDS; r++) {
    raw.push(rawSqlite(entries));
    direct.push(await sinkDirect(entries));
    const w = await throughWriter(entries);
    writer.push(w.ms);
    recordNs.push(w.recordNs);
    verified &&= w.verified;
  }
  const rate = (ms: number): number => COUNT / (ms / 1000);
  const base = rate(best(raw));
  const rows = [
    ['raw better-sqlite3 (baseline)', fmt(base, 0), '1.00'],
    ['SqliteAuditSink.append (chained)', fmt(rate(best(direct)), 0), fmt(rate(best(direct)) / base)],
    ['AuditWriter → SqliteAuditSink', fmt(rate(best(writer)), 0), fmt(rate(best(writer)) / base)],
  ];
  process.stdout.write(`audit throughput: ${COUNT} records, batches of ${BATCH}, WAL + synchronous=FULL, best of ${ROUNDS}\n`);
  process.stdout.write(`${table(['path', 'records/s', 'vs baseline'], rows)}\n\n`);
  process.stdout.write(`AuditWriter.record() on the hot path: ${fmt(best(recordNs), 0)} ns/call\n`);
  process.stdout.write(`redactArguments + hashArguments:      ${fmt(hotPathUs(), 2)} µs/call\n`);
  process.stdout.write(`chain verifies after the writer run:   ${verified ? 'yes' : 'NO'}\n`);
  process.stdout.write(`target ≥ 10000 records/s through the writer: ${rate(best(writer)) >= 10_000 ? 'met' : 'NOT met'}\n`);
}

await main();
