import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteAuditSink } from '../../src/adapters/stores/sqlite/audit-sink.js';
import type { AuditSink } from '../../src/core/audit/sink.js';
import { AUDIT_COLUMN, auditSinkContract, SWAPPED_COLUMNS, type AuditSinkFixture } from './audit-sink.contract.js';

const TABLE = 'audit_log';

async function sqliteFixture(): Promise<AuditSinkFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
  const path = join(dir, 'audit.db');
  const opened: AuditSink[] = [];
  // The tamperer's own connection, like an operator with sqlite3 on the host.
  let raw: Database.Database | undefined;
  const db = (): Database.Database => (raw ??= new Database(path));
  return {
    async open() {
      const sink = new SqliteAuditSink(path);
      opened.push(sink);
      return sink;
    },
    tamper: {
      async editRow(seq, field, value) {
        db().prepare(`UPDATE ${TABLE} SET ${AUDIT_COLUMN[field]} = ? WHERE seq = ?`).run(value, seq);
      },
      async deleteRow(seq) {
        db().prepare(`DELETE FROM ${TABLE} WHERE seq = ?`).run(seq);
      },
      async swapRows(a, b) {
        const d = db();
        const get = d.prepare<[number], Record<string, unknown>>(`SELECT ${SWAPPED_COLUMNS.join(', ')} FROM ${TABLE} WHERE seq = ?`);
        const set = d.prepare(`UPDATE ${TABLE} SET ${SWAPPED_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
        d.transaction(() => {
          const ra = get.get(a);
          const rb = get.get(b);
          set.run({ ...rb, seq: a });
          set.run({ ...ra, seq: b });
        })();
      },
    },
    async dispose() {
      for (const sink of opened) await sink.close();
      raw?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

auditSinkContract('sqlite', sqliteFixture);

test('sqlite: the file is in WAL mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-wal-'));
  const path = join(dir, 'audit.db');
  const sink = new SqliteAuditSink(path);
  const check = new Database(path);
  try {
    assert.equal(check.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    check.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: appenders in separate threads (separate connections, real contention) form one chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-mt-'));
  const path = join(dir, 'audit.db');
  const main = new SqliteAuditSink(path);
  const moduleUrl = new URL('../../src/adapters/stores/sqlite/audit-sink.js', import.meta.url).href;
  const workers = 4;
  const batches = 50;
  const perBatch = 10;
  // Eval'd workers are CommonJS; the ESM module is loaded with a dynamic import.
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.moduleUrl).then(async ({ SqliteAuditSink }) => {
      const sink = new SqliteAuditSink(workerData.path);
      for (let b = 0; b < workerData.batches; b++) {
        const entries = [];
        for (let k = 0; k < workerData.perBatch; k++) {
          entries.push({ time: 1700000000000 + b, agent: 'worker-' + workerData.id, session: 's', server: null, tool: 't',
            decision: 'allow', rule: null, reason: null, argsHash: 'x', args: { b, k }, latencyMs: null, outcome: null, policyVersion: null });
        }
        await sink.append(entries);
      }
      await sink.close();
      parentPort.postMessage('done');
    }).catch((err) => { parentPort.postMessage('error: ' + (err && err.stack || err)); });
  `;
  try {
    const results = await Promise.all(
      Array.from(
        { length: workers },
        (_, id) =>
          new Promise<string>((resolve, reject) => {
            const w = new Worker(source, { eval: true, workerData: { moduleUrl, path, id, batches, perBatch } });
            w.once('message', (m: string) => {
              resolve(m);
              void w.terminate();
            });
            w.once('error', reject);
          }),
      ),
    );
    assert.deepEqual(results, Array(workers).fill('done'));
    assert.deepEqual(await main.verify(), { ok: true, count: workers * batches * perBatch });
    for (let id = 0; id < workers; id++) {
      assert.equal((await main.query({ agent: `worker-${id}`, limit: 10_000 })).length, batches * perBatch);
    }
  } finally {
    await main.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: an invalid table name is refused', () => {
  assert.throws(() => new SqliteAuditSink(':memory:', { table: 'x; DROP TABLE y' }), /invalid audit table name/);
});
