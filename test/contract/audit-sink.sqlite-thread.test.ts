import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { ThreadedSqliteAuditSink } from '../../src/adapters/stores/sqlite/audit-sink-thread.js';
import { auditEntry, auditSinkContract } from './audit-sink.contract.js';
import { sqliteAuditFixture } from './audit-sink.sqlite-fixture.js';
import { tempFile } from './support.js';

auditSinkContract('sqlite on a worker thread', () => sqliteAuditFixture((path) => ThreadedSqliteAuditSink.create(path)));

const entries = (from: number, count: number) => Array.from({ length: count }, (_, k) => auditEntry(from + k));

interface Watched {
  worker: Worker;
  exited: Promise<void>;
}

/** Runs `body`, collecting every worker thread started meanwhile (Node announces each on this channel). */
async function watchingWorkers<T>(body: (workers: Watched[]) => Promise<T>): Promise<T> {
  const workers: Watched[] = [];
  const onWorker = (message: unknown) => {
    const { worker } = message as { worker: Worker };
    // Announced from the Worker constructor, so the listener is on before the thread can end.
    workers.push({ worker, exited: new Promise((resolve) => worker.once('exit', () => resolve())) });
  };
  subscribe('worker_threads', onWorker);
  try {
    return await body(workers);
  } finally {
    unsubscribe('worker_threads', onWorker);
  }
}

/** A threaded sink on a fresh file, with every worker started meanwhile watched; closed (close is idempotent) and removed after. */
function withThreadedSink(name: string, body: (sink: ThreadedSqliteAuditSink, workers: Watched[]) => Promise<void>): Promise<void> {
  return watchingWorkers(async (workers) => {
    const { path, remove } = tempFile(name);
    const sink = await ThreadedSqliteAuditSink.create(path);
    try {
      await body(sink, workers);
    } finally {
      await sink.close();
      remove();
    }
  });
}

test('sqlite thread: a worker killed mid-append rejects that append; the next one runs in a fresh worker and the chain verifies', () =>
  withThreadedSink('audit-thread-crash', async (sink, workers) => {
    await sink.append(entries(0, 10));
    const first = workers[0];
    assert.ok(first);
    const lost = sink.append(entries(10, 2_000));
    void first.worker.terminate();
    await assert.rejects(lost, /audit worker thread stopped/);

    // What the AuditWriter does next: the same batch again, then the ones after it.
    await sink.append(entries(10, 2_000));
    await sink.append(entries(2_010, 5));
    assert.equal(workers.length, 2, 'a fresh worker took over');
    const all = await sink.query({ limit: 10_000 });
    assert.deepEqual(await sink.verify(), { ok: true, count: all.length });
    assert.deepEqual(
      all.slice(-2_005).map((r) => Number((r.args as { i: string }).i)),
      Array.from({ length: 2_005 }, (_, k) => 10 + k),
    );
  }));

test('sqlite thread: a path that cannot be opened fails create(), and leaves no thread behind', () =>
  watchingWorkers(async (workers) => {
    await assert.rejects(ThreadedSqliteAuditSink.create('/nonexistent-gatehouse-dir/audit.db'), { name: 'TypeError', message: /directory does not exist/ });
    await assert.rejects(ThreadedSqliteAuditSink.create(tempFile('audit-thread-table').path, { table: 'x; DROP TABLE y' }), /invalid audit table name/);
    await assert.rejects(ThreadedSqliteAuditSink.create(':memory:'), /in-memory audit database/);
    assert.equal(workers.length, 2, 'no thread for ":memory:"');
    // The threads end on their own; a timer keeps this test waiting for them, since they no longer hold the process.
    const keepAlive = setTimeout(() => {}, 10_000);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(keepAlive);
  }));

test('sqlite thread: close() closes the database and ends the worker; later calls reject', () =>
  withThreadedSink('audit-thread-close', async (sink, workers) => {
    await sink.append(entries(0, 3));
    const worker = workers[0];
    assert.ok(worker);
    let exited = false;
    void worker.exited.then(() => (exited = true));
    await sink.close();
    await Promise.resolve();
    assert.equal(exited, true);
    await assert.rejects(sink.append(entries(3, 1)), /closed/);
    await assert.rejects(sink.query({}), /closed/);
    assert.equal(workers.length, 1, 'no worker started after close');
  }));

test('sqlite thread: an idle sink nobody closed does not keep the process alive', async () => {
  const { path, remove } = tempFile('audit-thread-idle');
  const moduleUrl = new URL('../../src/adapters/stores/sqlite/audit-sink-thread.js', import.meta.url).href;
  const script = `
    const { ThreadedSqliteAuditSink } = await import(${JSON.stringify(moduleUrl)});
    const sink = await ThreadedSqliteAuditSink.create(${JSON.stringify(path)});
    await sink.append([${JSON.stringify(auditEntry(1))}]);
    process.stdout.write(String((await sink.query({})).length));
  `;
  // A file, not -e: a worker inherits the parent's flags, and --input-type is refused outside --eval.
  const scriptPath = join(dirname(path), 'idle.mjs');
  writeFileSync(scriptPath, script);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [scriptPath], { timeout: 10_000 });
    assert.equal(stdout, '1');
  } finally {
    remove();
  }
});
