import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisRateLimitStore } from '../../src/adapters/stores/redis/rate-limit-store.js';
import type { LimitCheck } from '../../src/ports.js';
import { rateLimitStoreContract } from './rate-limit-store.contract.js';
import { dropRedisPrefix, freePort, killHard, runningRedisServers, startRedis } from '../helpers/services.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
/** Unique per run, so concurrent runs and leftovers never meet; removed in `after`. */
const PREFIX = `gatehouse-test:${process.pid}:${randomUUID().slice(0, 8)}:`;

const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

after(async () => {
  for (const child of runningRedisServers()) await killHard(child);
  if (admin.status === 'wait') return;
  await dropRedisPrefix(admin, PREFIX);
});

rateLimitStoreContract('redis', async () => {
  const store = new RedisRateLimitStore({ redis: REDIS_URL, keyPrefix: PREFIX });
  return {
    store,
    ttlMs: (check) => admin.pttl(store.keyOf(check)),
    forgotten: async (check) => (await admin.exists(store.keyOf(check))) === 0,
  };
});




describe('RedisRateLimitStore specifics', () => {
  test('two connections (two gateway processes) racing on one key admit exactly max in total', async () => {
    const first = new RedisRateLimitStore({ redis: REDIS_URL, keyPrefix: PREFIX });
    // The second wraps a caller-owned client, the other way to build the store.
    const client = new Redis(REDIS_URL);
    const second = new RedisRateLimitStore({ redis: client, keyPrefix: PREFIX });
    try {
      const q: LimitCheck = { key: `shared-${randomUUID()}`, max: 10, windowMs: 60_000 };
      const outcomes = await Promise.all(Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? first : second).consume([q])));
      assert.equal(outcomes.filter((o) => o.allowed).length, 10);
      const fromEach = [0, 1].map((parity) => outcomes.filter((o, i) => o.allowed && i % 2 === parity).length);
      assert.equal((fromEach[0] ?? 0) + (fromEach[1] ?? 0), 10);
    } finally {
      await first.close();
      await second.close();
      await client.quit();
    }
  });

  test('every admitted call is its own log entry, even from several stores at once', async () => {
    const stores = Array.from({ length: 4 }, () => new RedisRateLimitStore({ redis: REDIS_URL, keyPrefix: PREFIX }));
    try {
      const q: LimitCheck = { key: `dense-${randomUUID()}`, max: 1000, windowMs: 60_000 };
      await Promise.all(stores.flatMap((s) => Array.from({ length: 50 }, () => s.consume([q]))));
      assert.equal(await admin.zcard(stores[0]?.keyOf(q) ?? ''), 200);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  test('fail closed: an unreachable Redis makes consume reject, not hang', { timeout: 10_000 }, async () => {
    const store = new RedisRateLimitStore({ redis: 'redis://127.0.0.1:1', keyPrefix: PREFIX, timeoutMs: 300 });
    try {
      const q: LimitCheck = { key: 'unreachable', max: 10, windowMs: 1000 };
      await assert.rejects(store.consume([q]));
      await assert.rejects(store.consume([q]));
    } finally {
      await store.close();
    }
  });

  test('Redis killed and restarted: consume rejects while down, then works again on the same store', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server = await startRedis(port);
    const store = new RedisRateLimitStore({ redis: `redis://127.0.0.1:${port}`, keyPrefix: PREFIX, timeoutMs: 300 });
    try {
      const q: LimitCheck = { key: 'restart', max: 2, windowMs: 60_000 };
      assert.equal((await store.consume([q])).allowed, true);
      assert.equal((await store.consume([q])).allowed, true);
      assert.equal((await store.consume([q])).allowed, false);

      await killHard(server);
      await assert.rejects(store.consume([q]));
      await assert.rejects(store.consume([q]));

      server = await startRedis(port);
      // Reconnection is the client's own backoff; poll for it rather than assume a delay.
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          // The restarted server has no data and no cached script: this also exercises the NOSCRIPT fallback.
          assert.equal((await store.consume([q])).allowed, true);
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(100);
        }
      }
      const fresh: LimitCheck = { key: 'after-restart', max: 2, windowMs: 60_000 };
      assert.equal((await store.consume([fresh])).allowed, true);
      assert.equal((await store.consume([fresh])).allowed, true);
      assert.equal((await store.consume([fresh])).allowed, false);
    } finally {
      await store.close();
      await killHard(server);
    }
  });
});
