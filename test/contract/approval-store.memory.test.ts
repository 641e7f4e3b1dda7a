import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryApprovalStore } from '../../src/adapters/stores/memory/approval-store.js';
import { approvalStoreContract, FakeClock, request, T0 } from './approval-store.contract.js';

approvalStoreContract('memory', async () => {
  const clock = new FakeClock();
  const store = new MemoryApprovalStore(clock);
  return { store, clock, cleanup: () => store.close() };
});

describe('MemoryApprovalStore specifics', () => {
  test('requests are forgotten once past expiry plus the retention margin, so memory stays bounded', async () => {
    const clock = new FakeClock();
    const store = new MemoryApprovalStore(clock, { retentionMs: 1_000 });
    try {
      await store.create(request('old', { expiresAt: T0 + 10 }));
      clock.t = T0 + 1_010;
      await store.create(request('new', { createdAt: clock.t, expiresAt: clock.t + 10 }));
      assert.deepEqual((await store.list()).map((r) => r.id), ['new']);
    } finally {
      await store.close();
    }
  });

  test('what a caller passed or got back cannot be changed from outside', async () => {
    const store = new MemoryApprovalStore(new FakeClock());
    try {
      const args = { path: '/a' };
      const created = await store.create(request('r1', { args }));
      args.path = '/etc/passwd';
      (created.args as { path: string }).path = '/etc/shadow';
      assert.deepEqual((await store.get('r1'))?.args, { path: '/a' });
    } finally {
      await store.close();
    }
  });
});
