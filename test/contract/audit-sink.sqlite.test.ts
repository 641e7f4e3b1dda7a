import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteAuditSink } from '../../src/adapters/stores/sqlite/audit-sink.js';
import { AUDIT_COLUMN, auditSinkContract, SWAPPED_COLUMNS, type AuditSinkFixture } from './audit-sink.contract.js';
import { assertOpensInWalMode, opener, tempFile } from './support.js';

const TABLE = 'audit_log';

async function sqliteFixture(): Promise<AuditSinkFixture> {
  const { path, remove } = tempFile('audit');
  const sinks = opener(() => new SqliteAuditSink(path));
  // The tamperer's own connection, like an operator with sqlite3 on the host.
  let raw: Database.Database | undefined;
  const db = (): Database.Database => (raw ??= new Database(path));
  return {
    open: sinks.open,
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
      await sinks.closeAll();
      raw?.close();
      remove();
    },
  };
}

auditSinkContract('sqlite', sqliteFixture);

test('sqlite: the file is in WAL mode', () => assertOpensInWalMode((path) => new SqliteAuditSink(path)));

test('sqlite: appenders in separate threads (separate connections, real contention) form one chain', async () => {
  const { path, remove } = tempFile('audit-mt');
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
    remove();
  }
});

test('sqlite: an invalid table name is refused', () => {
  assert.throws(() => new SqliteAuditSink(':memory:', { table: 'x; DROP TABLE y' }), /invalid audit table name/);
});
