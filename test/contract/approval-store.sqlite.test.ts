import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteApprovalStore } from '../../src/adapters/stores/sqlite/approval-store.js';
import type { ApprovalRequest } from '../../src/ports.js';
import { approvalStoreContract, FakeClock, request, T0 } from './approval-store.contract.js';
import { assertOpensInWalMode, storeHarness, tempFile, withDatabase } from './support.js';

approvalStoreContract('sqlite', async () => {
  const file = tempFile('approvals');
  const clock = new FakeClock();
  return { clock, ...(await storeHarness(() => new SqliteApprovalStore(file.path, clock), file.remove)) };
});

describe('SqliteApprovalStore specifics', () => {
  test('opened by path: WAL mode', () => assertOpensInWalMode((path) => new SqliteApprovalStore(path)));

  test('stores on one file in one process hear each other; closing one leaves a shared connection open', () =>
    withDatabase(async (db) => {
      const clock = new FakeClock();
      const first = new SqliteApprovalStore(db, clock);
      const second = new SqliteApprovalStore(db, clock);
      const heard: ApprovalRequest[] = [];
      first.onDecided((r) => heard.push(r));
      await first.create(request('r1'));
      await second.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      assert.deepEqual(heard.map((r) => [r.id, r.status]), [['r1', 'approved']]);
      await first.close();
      assert.equal(db.open, true);
      await second.create(request('r2'));
      await second.decide('r2', { approve: true, by: 'alice' }, T0 + 1);
      assert.equal(heard.length, 1, 'a closed store no longer hears');
      assert.equal((await second.consume({ agent: 'agent-a', tool: 'files__delete', argsHash: 'args-1', policyVersion: 'policy-1' }, T0 + 2))?.id, 'r1');
      await second.close();
    }));

  test('a shared connection with safe integers on still yields numbers', () =>
    withDatabase(async (db) => {
      db.defaultSafeIntegers(true);
      const store = new SqliteApprovalStore(db, new FakeClock());
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      const [listed] = await store.list();
      assert.deepEqual([listed?.createdAt, listed?.expiresAt, listed?.decidedAt], [T0, T0 + 60_000, T0 + 1]);
      assert.equal(typeof (await store.get('r1'))?.createdAt, 'number');
      await store.close();
    }));

  test('a consume that cannot get the write lock (another process holds it) rejects and uses nothing', async () => {
    const file = tempFile('approvals-lock');
    const clock = new FakeClock();
    const store = new SqliteApprovalStore(file.path, clock);
    const impatient = new Database(file.path, { timeout: 0 });
    const holder = new Database(file.path);
    const call = { agent: 'agent-a', tool: 'files__delete', argsHash: 'args-1', policyVersion: 'policy-1' };
    try {
      const lockedOut = new SqliteApprovalStore(impatient, clock);
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      holder.exec('BEGIN IMMEDIATE');
      await assert.rejects(lockedOut.consume(call, T0 + 2), /locked|busy/i);
      await assert.rejects(lockedOut.decide('r1', { approve: false, by: 'bob' }, T0 + 2), /locked|busy/i);
      holder.exec('ROLLBACK');
      assert.equal((await store.get('r1'))?.status, 'approved');
      assert.equal((await lockedOut.consume(call, T0 + 2))?.id, 'r1');
      await lockedOut.close();
    } finally {
      holder.close();
      impatient.close();
      await store.close();
      file.remove();
    }
  });
});
