import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisApprovalStore } from '../../src/adapters/stores/redis/approval-store.js';
import type { ApprovalRequest, ApprovalStore } from '../../src/ports.js';
import { approvalStoreContract, FakeClock, request, T0 } from './approval-store.contract.js';
import { opener, rejectsWithin } from './support.js';
import { dropRedisPrefix } from '../helpers/services.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Unique per run, so concurrent runs and leftovers never meet; removed in `after`. */
const PREFIX = `gatehouse-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
const CALL = { agent: 'agent-a', tool: 'files__delete', argsHash: 'args-1', policyVersion: 'policy-1' };

const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

after(async () => {
  await dropRedisPrefix(admin, PREFIX);
});

/** A prefix of its own per test, so one test's requests never show in another's list. */
function freshPrefix(): string {
  return `${PREFIX}${randomUUID().slice(0, 8)}:`;
}

approvalStoreContract('redis', async () => {
  const clock = new FakeClock();
  const keyPrefix = freshPrefix();
  const stores = opener(() => new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock }));
  return {
    clock,
    store: await stores.open(),
    reopen: stores.open,
    listening: (store: ApprovalStore) => (store as RedisApprovalStore).listening(),
    cleanup: stores.closeAll,
  };
});

describe('RedisApprovalStore specifics', () => {
  test('a decide on one replica reaches onDecided on another through pub/sub', async () => {
    const clock = new FakeClock();
    const keyPrefix = freshPrefix();
    const a = new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock });
    // B wraps a caller-owned client, the other way to build the store.
    const client = new Redis(REDIS_URL);
    const b = new RedisApprovalStore({ redis: client, keyPrefix, clock });
    try {
      const heard = new Promise<ApprovalRequest>((resolve) => a.onDecided(resolve));
      await a.listening();
      await a.create(request('r1'));
      await b.decide('r1', { approve: true, by: 'alice', note: 'from b' }, T0 + 1);
      const r = await heard;
      assert.deepEqual([r.id, r.status, r.decidedBy, r.note], ['r1', 'approved', 'alice', 'from b']);
    } finally {
      await a.close();
      await b.close();
      await client.quit();
    }
  });

  test('a request filed on one replica reaches onRequested on another, and decisions do not', async () => {
    const clock = new FakeClock();
    const keyPrefix = freshPrefix();
    const [a, b] = [0, 1].map(() => new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock })) as [RedisApprovalStore, RedisApprovalStore];
    try {
      const requested: ApprovalRequest[] = [];
      const decided: ApprovalRequest[] = [];
      b.onRequested((r) => requested.push(r));
      b.onDecided((r) => decided.push(r));
      await b.listening();
      await a.create(request('r1'));
      await a.decide('r1', { approve: false, by: 'bob' }, T0 + 1);
      for (let i = 0; i < 200 && (requested.length < 1 || decided.length < 1); i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(requested.map((r) => r.id), ['r1']);
      assert.deepEqual(decided.map((r) => [r.id, r.status]), [['r1', 'denied']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('consumes racing across two replicas: exactly one winner', async () => {
    const clock = new FakeClock();
    const keyPrefix = freshPrefix();
    const stores = [0, 1].map(() => new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock }));
    const [a, b] = stores as [RedisApprovalStore, RedisApprovalStore];
    try {
      for (let round = 0; round < 5; round++) {
        const id = `r${round}`;
        await a.create(request(id, { argsHash: `args-${round}` }));
        await b.decide(id, { approve: true, by: 'alice' }, T0 + 1);
        const call = { ...CALL, argsHash: `args-${round}` };
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).consume(call, T0 + 2)));
        assert.deepEqual(results.filter((r) => r !== undefined).map((r) => r.id), [id], `round ${round}`);
      }
    } finally {
      for (const s of stores) await s.close();
    }
  });

  test('keys expire some time after the request does, and a request lives in one hash with an index', async () => {
    const clock = new FakeClock();
    const keyPrefix = freshPrefix();
    const store = new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock, retentionMs: 10_000 });
    try {
      await store.create(request('r1', { expiresAt: T0 + 60_000 }));
      const ttl = await admin.pttl(`${keyPrefix}req:r1`);
      assert.ok(ttl > 60_000 && ttl <= 70_000, String(ttl));
      const keys = (await admin.keys(`${keyPrefix}*`)).map((k) => k.slice(keyPrefix.length).split(':')[0]).sort();
      assert.deepEqual(keys, ['all', 'match', 'req']);
      for (const key of await admin.keys(`${keyPrefix}*`)) assert.ok((await admin.pttl(key)) > 0, `${key} has a TTL`);
    } finally {
      await store.close();
    }
  });

  test('a request whose hash has expired is gone: not listed, not consumable', async () => {
    const clock = new FakeClock();
    const keyPrefix = freshPrefix();
    const store = new RedisApprovalStore({ redis: REDIS_URL, keyPrefix, clock });
    try {
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      await admin.del(`${keyPrefix}req:r1`);
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('r1'), undefined);
      assert.equal(await store.consume(CALL, T0 + 2), undefined);
    } finally {
      await store.close();
    }
  });

  test('fail closed: an unreachable Redis makes every operation reject quickly, not hang', { timeout: 10_000 }, async () => {
    const store = new RedisApprovalStore({ redis: 'redis://127.0.0.1:1', keyPrefix: PREFIX, timeoutMs: 300, clock: new FakeClock() });
    try {
      const unsubscribe = store.onDecided(() => {});
      // Generous bounds: the point is rejecting rather than hanging, not how fast.
      await rejectsWithin(3_000, () => store.create(request('r1')));
      await rejectsWithin(3_000, () => store.get('r1'));
      await rejectsWithin(3_000, () => store.list());
      await rejectsWithin(3_000, () => store.decide('r1', { approve: true, by: 'alice' }, T0));
      await rejectsWithin(3_000, () => store.consume(CALL, T0));
      await rejectsWithin(3_000, () => store.listening(300));
      unsubscribe();
    } finally {
      await store.close();
    }
  });
});
