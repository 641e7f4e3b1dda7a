import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { LimitCheck, LimitOutcome, RateLimitStore } from '../../src/ports.js';

export interface RateLimitStoreHarness {
  readonly store: RateLimitStore;
  /**
   * Moves the store's clock forward. With it the suite runs in virtual time and asserts exact numbers; without it
   * the suite waits in real time and asserts only outcomes and generous bounds, never durations.
   */
  advance?(ms: number): void | Promise<void>;
  /** Remaining time to live (ms) of what the store keeps for a quota, for stores whose state expires server-side. */
  ttlMs?(check: LimitCheck): Promise<number>;
  /** True when the store keeps nothing for this quota any more (forcing any eviction the store does lazily). */
  forgotten?(check: LimitCheck): Promise<boolean>;
}

/**
 * Drives virtual or real time from one schedule of offsets (ms since the start of a test). Real time targets the
 * offset from the start rather than sleeping deltas, so scheduling slop does not accumulate along a scenario.
 */
class Timeline {
  private readonly start = Date.now();
  private virtual = 0;

  constructor(private readonly harness: RateLimitStoreHarness) {}

  get exact(): boolean {
    return this.harness.advance !== undefined;
  }

  async at(offsetMs: number): Promise<void> {
    if (this.harness.advance) {
      assert.ok(offsetMs >= this.virtual, 'timeline offsets must not go backwards');
      await this.harness.advance(offsetMs - this.virtual);
      this.virtual = offsetMs;
      return;
    }
    const wait = this.start + offsetMs - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

function refused(outcome: LimitOutcome, key: string): number {
  assert.equal(outcome.allowed, false, `expected a refusal on ${key}`);
  if (outcome.allowed) throw new Error('unreachable');
  assert.equal(outcome.key, key);
  assert.ok(Number.isInteger(outcome.retryAfterMs), `retryAfterMs ${outcome.retryAfterMs} is an integer`);
  assert.ok(outcome.retryAfterMs >= 1, `retryAfterMs ${outcome.retryAfterMs} is at least 1`);
  return outcome.retryAfterMs;
}

function allowed(outcome: LimitOutcome, what = 'call'): void {
  assert.deepEqual(outcome, { allowed: true }, `expected ${what} to be allowed`);
}

/** Exact value with a fake clock; with real time, a range wide enough for scheduling and round-trip slop. */
function assertRetry(actual: number, timeline: Timeline, exact: number, low: number, high: number): void {
  if (timeline.exact) assert.equal(actual, exact);
  else assert.ok(actual >= low && actual <= high, `retryAfterMs ${actual} within [${low}, ${high}] (ideal ${exact})`);
}

/**
 * The behaviour every RateLimitStore adapter must have. Windows are a few hundred ms with ≥ 80 ms between any
 * call and a window edge, so the same scenarios hold on a fake clock and against a real server.
 */
export function rateLimitStoreContract(name: string, makeStore: () => Promise<RateLimitStoreHarness>): void {
  async function withStore(fn: (h: RateLimitStoreHarness, timeline: Timeline, key: (label: string) => string) => Promise<void>): Promise<void> {
    const harness = await makeStore();
    const run = randomUUID().slice(0, 8);
    try {
      // A fresh store may spend the first call connecting or loading a script; in real time that delay would shift
      // the scenario's first call against its schedule, so the timeline starts from a warm store.
      if (!harness.advance) await harness.store.consume([{ key: `warm-up-${run}`, max: 1_000_000, windowMs: 1000 }]);
      await fn(harness, new Timeline(harness), (label) => `${label}-${run}`);
    } finally {
      await harness.store.close();
    }
  }

  describe(`RateLimitStore contract: ${name}`, () => {
    test('allows up to max calls, then refuses naming the quota', () =>
      withStore(async ({ store }, _t, key) => {
        const q: LimitCheck = { key: key('burst'), max: 3, windowMs: 60_000 };
        for (let i = 0; i < 3; i++) allowed(await store.consume([q]), `call ${i + 1}`);
        const retry = refused(await store.consume([q]), q.key);
        assert.ok(retry <= q.windowMs, `retryAfterMs ${retry} is within the window`);
        refused(await store.consume([q]), q.key);
      }));

    test('no checks: allowed; an impossible quota: rejects rather than guessing', () =>
      withStore(async ({ store }, _t, key) => {
        allowed(await store.consume([]));
        await assert.rejects(store.consume([{ key: key('bad'), max: 0, windowMs: 1000 }]));
        await assert.rejects(store.consume([{ key: key('bad'), max: 1, windowMs: 0 }]));
      }));

    test('retryAfterMs is the time until the oldest counted call leaves the window', () =>
      withStore(async ({ store }, t, key) => {
        const q: LimitCheck = { key: key('retry'), max: 1, windowMs: 600 };
        await t.at(0);
        allowed(await store.consume([q]));
        await t.at(200);
        const retry = refused(await store.consume([q]), q.key);
        assertRetry(retry, t, 400, 250, 480);
        if (t.exact) {
          await t.at(599);
          assert.equal(refused(await store.consume([q]), q.key), 1);
          await t.at(600);
          allowed(await store.consume([q]), 'the call at the instant the first left');
        } else {
          await t.at(200 + retry + 80);
          allowed(await store.consume([q]), 'a call after retryAfterMs');
        }
      }));

    test('the window slides: no span of windowMs ever holds more than max calls', () =>
      withStore(async ({ store }, t, key) => {
        // max 2 per 600 ms. A fixed bucket whose edge fell anywhere in (250, 700] would admit the call at 780.
        const q: LimitCheck = { key: key('slide'), max: 2, windowMs: 600 };
        await t.at(0);
        allowed(await store.consume([q]), 'A@0');
        await t.at(250);
        allowed(await store.consume([q]), 'B@250');
        await t.at(330);
        assertRetry(refused(await store.consume([q]), q.key), t, 270, 170, 350);
        await t.at(700);
        allowed(await store.consume([q]), 'D@700, after A left at 600');
        await t.at(780);
        assertRetry(refused(await store.consume([q]), q.key), t, 70, 1, 150);
        await t.at(950);
        allowed(await store.consume([q]), 'F@950, after B left at 850');
        refused(await store.consume([q]), q.key);
      }));

    test('all or nothing: a refusal by one quota counts nothing on the others', () =>
      withStore(async ({ store }, _t, key) => {
        const roomy: LimitCheck = { key: key('roomy'), max: 3, windowMs: 60_000 };
        const tight: LimitCheck = { key: key('tight'), max: 1, windowMs: 60_000 };
        allowed(await store.consume([roomy, tight]));
        refused(await store.consume([roomy, tight]), tight.key);
        refused(await store.consume([roomy, tight]), tight.key);
        // Two refusals above: had they counted on `roomy`, it would already be full.
        allowed(await store.consume([roomy]), 'roomy call 2');
        allowed(await store.consume([roomy]), 'roomy call 3');
        refused(await store.consume([roomy]), roomy.key);
        // Both full: the first full quota in the caller's order is named.
        refused(await store.consume([roomy, tight]), roomy.key);
        refused(await store.consume([tight, roomy]), tight.key);
      }));

    test('keys are independent', () =>
      withStore(async ({ store }, _t, key) => {
        const a: LimitCheck = { key: key('a'), max: 1, windowMs: 60_000 };
        const b: LimitCheck = { key: key('b'), max: 1, windowMs: 60_000 };
        allowed(await store.consume([a]));
        refused(await store.consume([a]), a.key);
        allowed(await store.consume([b]));
        refused(await store.consume([b]), b.key);
      }));

    test('one key under two windows keeps both counts', () =>
      withStore(async ({ store }, t, key) => {
        const k = key('two-windows');
        const short: LimitCheck = { key: k, max: 2, windowMs: 400 };
        const long: LimitCheck = { key: k, max: 3, windowMs: 60_000 };
        await t.at(0);
        allowed(await store.consume([short, long]));
        allowed(await store.consume([short, long]));
        refused(await store.consume([short, long]), k);
        // Pruning the short window must not drop calls the long one still counts.
        await t.at(500);
        allowed(await store.consume([short, long]));
        const retry = refused(await store.consume([short, long]), k);
        assert.ok(retry > 400, `refused by the long window (retryAfterMs ${retry})`);
      }));

    test('64 concurrent consumes against max 10 admit exactly 10', () =>
      withStore(async ({ store }, _t, key) => {
        const q: LimitCheck = { key: key('race'), max: 10, windowMs: 60_000 };
        const outcomes = await Promise.all(Array.from({ length: 64 }, () => store.consume([q])));
        assert.equal(outcomes.filter((o) => o.allowed).length, 10);
        for (const o of outcomes) if (!o.allowed) refused(o, q.key);
      }));

    test('after the window, calls are allowed again and idle state expires', () =>
      withStore(async (h, t, key) => {
        const { store } = h;
        const q: LimitCheck = { key: key('expiry'), max: 2, windowMs: 300 };
        await t.at(0);
        allowed(await store.consume([q]));
        allowed(await store.consume([q]));
        refused(await store.consume([q]), q.key);
        if (h.ttlMs) {
          const ttl = await h.ttlMs(q);
          assert.ok(ttl > 0 && ttl <= q.windowMs, `state has a TTL within the window (PTTL ${ttl})`);
        }
        await t.at(400);
        allowed(await store.consume([q]));
        allowed(await store.consume([q]));
        refused(await store.consume([q]), q.key);
        if (h.forgotten) {
          assert.equal(await h.forgotten(q), false, 'state is kept while calls are inside the window');
          await t.at(800);
          assert.equal(await h.forgotten(q), true, 'idle state is gone once every call left the window');
        }
      }));
  });
}
