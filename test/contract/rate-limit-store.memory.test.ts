import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryRateLimitStore } from '../../src/adapters/stores/memory/rate-limit-store.js';
import type { Clock, LimitCheck } from '../../src/ports.js';
import { rateLimitStoreContract } from './rate-limit-store.contract.js';

class FakeClock implements Clock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
}

rateLimitStoreContract('memory', async () => {
  const clock = new FakeClock();
  const store = new MemoryRateLimitStore(clock);
  return {
    store,
    advance: (ms) => {
      clock.t += ms;
    },
    forgotten: async (check) => {
      store.sweep();
      return !store.has(check.key, check.windowMs);
    },
  };
});

describe('MemoryRateLimitStore specifics', () => {
  test('memory stays bounded: idle keys are swept, busy ones kept', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore(clock);
    for (let i = 0; i < 10_000; i++) await store.consume([{ key: `session-${i}`, max: 5, windowMs: 1000 }]);
    await store.consume([{ key: 'busy', max: 5, windowMs: 5000 }]);
    assert.equal(store.size, 10_001);
    clock.t += 1000;
    assert.equal(store.sweep(), 10_000);
    assert.equal(store.size, 1);
    assert.ok(store.has('busy'));
    clock.t += 4000;
    store.sweep();
    assert.equal(store.size, 0);
    await store.close();
  });

  test('the periodic sweep runs on its own', async () => {
    const clock = new FakeClock();
    const store = new MemoryRateLimitStore(clock, { sweepIntervalMs: 5 });
    await store.consume([{ key: 'k', max: 1, windowMs: 10 }]);
    clock.t += 10;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(store.size, 0);
    await store.close();
  });

  test('a lowered max waits for enough calls to leave, not just the oldest', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryRateLimitStore(clock);
    const q = (max: number): LimitCheck => ({ key: 'k', max, windowMs: 1000 });
    for (const at of [0, 100, 200]) {
      clock.t = at;
      assert.equal((await store.consume([q(3)])).allowed, true);
    }
    clock.t = 300;
    // Three calls inside, max now 2: one more fits only once two have left, i.e. when the call at 100 leaves.
    assert.deepEqual(await store.consume([q(2)]), { allowed: false, key: 'k', retryAfterMs: 800 });
    clock.t = 1100;
    assert.equal((await store.consume([q(2)])).allowed, true);
    await store.close();
  });

  test('a large max grows the log past its first allocation and stays exact', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryRateLimitStore(clock);
    const q: LimitCheck = { key: 'big', max: 100, windowMs: 1000 };
    for (let i = 0; i < 100; i++) {
      clock.t = i;
      assert.equal((await store.consume([q])).allowed, true, `call ${i}`);
    }
    assert.deepEqual(await store.consume([q]), { allowed: false, key: 'big', retryAfterMs: 1000 - 99 });
    clock.t = 1000;
    assert.equal((await store.consume([q])).allowed, true);
    assert.equal((await store.consume([q])).allowed, false);
    await store.close();
  });

  test('a clock stepped backwards neither admits extra calls nor corrupts the log', async () => {
    const clock = new FakeClock(10_000);
    const store = new MemoryRateLimitStore(clock);
    const q: LimitCheck = { key: 'k', max: 2, windowMs: 1000 };
    assert.equal((await store.consume([q])).allowed, true);
    clock.t = 9_500;
    assert.equal((await store.consume([q])).allowed, true);
    assert.equal((await store.consume([q])).allowed, false);
    clock.t = 11_000;
    // Both calls were recorded at 10 000 (the backwards one clamped), so both have left by 11 000.
    assert.equal((await store.consume([q])).allowed, true);
    assert.equal((await store.consume([q])).allowed, true);
    assert.equal((await store.consume([q])).allowed, false);
    await store.close();
  });

  test('a closed store rejects, so the caller denies', async () => {
    const store = new MemoryRateLimitStore(new FakeClock());
    await store.close();
    await assert.rejects(store.consume([{ key: 'k', max: 1, windowMs: 1000 }]));
  });
});
