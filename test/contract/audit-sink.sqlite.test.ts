import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SqliteAuditSink } from '../../src/adapters/stores/sqlite/audit-sink.js';
import { auditSinkContract } from './audit-sink.contract.js';
import { sqliteAuditFixture } from './audit-sink.sqlite-fixture.js';
import { assertOpensInWalMode, tempFile } from './support.js';

auditSinkContract('sqlite', () => sqliteAuditFixture((path) => new SqliteAuditSink(path)));

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
