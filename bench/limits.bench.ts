/**
 * Cost of one rate-limit consume. Memory store: µs per consume on the allowed and the refused path, against an
 * awaited resolved promise (the floor for anything behind an async port). Redis store: µs per consume against a bare
 * PING on an identical connection measured in the same run, so the ratio shows what the script costs over the round
 * trip, sequentially (latency) and with 64 in flight (throughput).
 * Prints; never asserts. Run: npx tsc -p tsconfig.json && node dist/bench/limits.bench.js  (REDIS_URL to override)
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore } from '../src/adapters/stores/memory/rate-limit-store.js';
import { RedisRateLimitStore } from '../src/adapters/stores/redis/rate-limit-store.js';
import { systemClock, type LimitCheck, type RateLimitStore } from '../src/ports.js';
import { fmt, table } from './lib/stats.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SESSIONS = 1000;
const ROUNDS = 5;

/** Per-session and per-tool quotas, the usual pair charged by one tool call. */
function checksFor(sessions: number, max: number, windowMs: number): LimitCheck[][] {
  return Array.from({ length: sessions }, (_, i) => [
    { key: `session:${i}`, max, windowMs },
    { key: `session:${i}:tool:search`, max, windowMs },
  ]);
}

/** Best of ROUNDS, in µs per operation: the least disturbed run is the closest to the code's own cost. */
async function measure(ops: number, run: (i: number) => Promise<unknown>, concurrency = 1): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ops) await run(next++);
      }),
    );
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / ops);
  }
  return best;
}

async function memory(): Promise<string[][]> {
  const ops = 1_000_000;
  const floor = await measure(ops, () => Promise.resolve());
  const rows: string[][] = [['await Promise.resolve() (floor)', fmt(floor, 3), '1.00']];
  const cases: [string, LimitCheck[][]][] = [
    // Never full: every consume counts in two logs, which keep growing and pruning as real time passes.
    ['memory consume, 2 quotas, allowed', checksFor(SESSIONS, 10_000_000, 1000)],
    // Full after the first 10 per session: the refused path, which must stay as cheap under attack.
    ['memory consume, 2 quotas, refused', checksFor(SESSIONS, 10, 60_000)],
  ];
  for (const [label, checks] of cases) {
    const store = new MemoryRateLimitStore(systemClock);
    const us = await measure(ops, (i) => store.consume(checks[i % SESSIONS] as LimitCheck[]));
    rows.push([label, fmt(us, 3), fmt(us / floor, 2)]);
    await store.close();
  }
  return rows;
}

async function redis(): Promise<string[][]> {
  const prefix = `gatehouse-bench:${randomUUID().slice(0, 8)}:`;
  const store: RateLimitStore = new RedisRateLimitStore({ redis: REDIS_URL, keyPrefix: prefix, timeoutMs: 2000 });
  const ping = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
  ping.on('error', () => {});
  const rows: string[][] = [];
  try {
    await ping.connect();
    const checks = checksFor(SESSIONS, 10_000_000, 1000);
    await store.consume(checks[0] as LimitCheck[]);
    for (const concurrency of [1, 64]) {
      const ops = concurrency === 1 ? 5_000 : 20_000;
      const base = await measure(ops, () => ping.ping(), concurrency);
      const us = await measure(ops, (i) => store.consume(checks[i % SESSIONS] as LimitCheck[]), concurrency);
      rows.push([`PING, ${concurrency} in flight (baseline)`, fmt(base, 1), '1.00']);
      rows.push([`redis consume, 2 quotas, ${concurrency} in flight`, fmt(us, 1), fmt(us / base, 2)]);
    }
    let cursor = '0';
    do {
      const [next, keys] = await ping.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await ping.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    rows.push([`redis unavailable at ${REDIS_URL}: ${error instanceof Error ? error.message : String(error)}`, '—', '—']);
  } finally {
    await store.close();
    ping.disconnect();
  }
  return rows;
}

const memoryRows = await memory();
const redisRows = await redis();
console.log(table(['operation', 'µs/op', 'ratio'], [...memoryRows, ...redisRows]));
console.log('\nmemory target: ≤ 2 µs per consume. Ratios are against the baseline row above each.');
