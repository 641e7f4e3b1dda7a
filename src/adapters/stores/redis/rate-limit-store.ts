import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { firstConnectionAttempt, withinTimeout } from './connection.js';
import { assertValidCheck } from '../../../core/limits/sliding-window.js';
import type { LimitCheck, LimitOutcome, RateLimitStore } from '../../../ports.js';

/**
 * One sorted set per quota: members are calls, scores their time in microseconds. Everything happens in one
 * script so that the check across all quotas and the counting are atomic with respect to every other replica.
 *
 * KEYS[i]   the log of quota i
 * ARGV[1]   a member unique to this consume (two calls in the same microsecond must both count)
 * ARGV[2i]  max of quota i;  ARGV[2i+1]  its window in ms
 * Returns {0, 0} when allowed, else {i, retryAfterMs} for the first full quota.
 */
const CONSUME_SCRIPT = `
-- Before Redis 5, a script calling TIME may only write if it replicates effects instead of itself; a no-op since 7.
if redis.replicate_commands then redis.replicate_commands() end
-- The time comes from Redis, not the caller: replicas with skewed clocks then still agree on every window.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
for i = 1, n do
  local max = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1]) * 1000
  -- A call made at s counts during [s, s + window): at now it has left if s <= now - window.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= max then
    -- After max is lowered more than max calls may be inside; the one that must leave is max - 1 before the newest.
    local blocking = redis.call('ZRANGE', KEYS[i], count - max, count - max, 'WITHSCORES')
    local wait = math.ceil((tonumber(blocking[2]) + window - now) / 1000)
    if wait < 1 then wait = 1 end
    return {i, wait}
  end
end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  -- The newest call just went in, so the key is of no use once that call leaves the window: idle keys vanish.
  redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1])
end
return {0, 0}
`;

const CONSUME_SHA = createHash('sha1').update(CONSUME_SCRIPT).digest('hex');

const ALLOWED: LimitOutcome = Object.freeze({ allowed: true });

const DEFAULT_TIMEOUT_MS = 500;
const DEFAULT_KEY_PREFIX = 'gatehouse:rl:';
const MAX_RECONNECT_DELAY_MS = 500;

export interface RedisRateLimitStoreOptions {
  /**
   * A connection URL (`redis://host:port/db`), in which case the store opens and owns a connection tuned to fail
   * fast, or an existing client, which the store uses as is and does not close.
   */
  readonly redis: Redis | string;
  /** Prepended to every key, so that several gateways or test runs can share one Redis. Default `gatehouse:rl:`. */
  readonly keyPrefix?: string;
  /** A consume with no answer after this long rejects (and the caller denies). Default 500 ms. */
  readonly timeoutMs?: number;
  /** Connection errors, for logging; the store itself reports them only by rejecting consumes. */
  readonly onError?: (error: Error) => void;
}

/**
 * Sliding-window rate limits shared by every gateway replica through one Redis (standalone or behind Sentinel;
 * not Redis Cluster, since one consume touches several keys in one script).
 *
 * Fails closed: while Redis is unreachable every consume rejects within `timeoutMs`, and the store reconnects on its
 * own when Redis comes back. A Redis restarted without persistence starts every window empty.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  /** Makes members unique across processes; the counter makes them unique within this one. */
  private readonly memberSuffix = `.${randomBytes(6).toString('base64url')}`;
  private seq = 0;
  /** Pending while the first connection attempt is under way; see run(). */
  private startup: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisRateLimitStoreOptions) {
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof options.redis === 'string') {
      this.owned = true;
      this.redis = new Redis(options.redis, {
        // Without these, a command issued while Redis is down waits in a queue for a reconnect that may never
        // come, and the call it guards hangs instead of being denied.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: this.timeoutMs,
        connectTimeout: Math.max(this.timeoutMs, 1000),
        // A consume whose reply was lost may already have counted; sending it again would count it twice.
        autoResendUnfulfilledCommands: false,
        retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 4), MAX_RECONNECT_DELAY_MS),
      });
    } else {
      this.owned = false;
      this.redis = options.redis;
    }
    const onError = options.onError;
    if (onError) this.redis.on('error', (error: Error) => onError(error));
    // ioredis prints unhandled 'error' events; on a connection we own, rejected consumes already report them.
    else if (this.owned) this.redis.on('error', () => {});
    this.startup = firstConnectionAttempt(this.redis)?.finally(() => (this.startup = undefined));
  }

  /** The Redis key holding the log of one quota. Windows are part of it: see SlidingWindowLimiter. */
  keyOf(check: Pick<LimitCheck, 'key' | 'windowMs'>): string {
    return `${this.prefix}${check.key}:${check.windowMs}`;
  }

  async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome> {
    if (this.closed) throw new Error('rate limit store is closed');
    const n = checks.length;
    if (n === 0) return ALLOWED;
    const keys: string[] = new Array<string>(n);
    const argv: (string | number)[] = new Array<string | number>(1 + 2 * n);
    argv[0] = `${(this.seq++).toString(36)}${this.memberSuffix}`;
    for (let i = 0; i < n; i++) {
      const check = checks[i] as LimitCheck;
      assertValidCheck(check);
      keys[i] = this.keyOf(check);
      argv[1 + 2 * i] = check.max;
      argv[2 + 2 * i] = Math.ceil(check.windowMs);
    }
    const reply = await this.withTimeout(this.run(keys, argv));
    return this.outcome(reply, checks);
  }

  /** Readiness: rejects while Redis does not answer. */
  async ping(): Promise<void> {
    await this.withTimeout(this.redis.ping());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.owned) return;
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Fall through: the connection went away while quitting, and disconnect() also stops reconnecting.
      }
    }
    this.redis.disconnect();
  }

  private async run(keys: readonly string[], argv: readonly (string | number)[]): Promise<unknown> {
    // Right after start the connection may still be opening, and a gateway that denies its first calls for that
    // reason alone would look broken. Later, not ready means down, and waiting for a reconnect only delays the denial.
    if (this.startup) await this.startup;
    try {
      return await this.redis.evalsha(CONSUME_SHA, keys.length, ...keys, ...argv);
    } catch (error) {
      // The script cache is empty after a Redis restart or failover; EVAL sends the body and caches it again.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return this.redis.eval(CONSUME_SCRIPT, keys.length, ...keys, ...argv);
      }
      throw error;
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    return withinTimeout(work, this.timeoutMs, 'redis rate limit store');
  }

  private outcome(reply: unknown, checks: readonly LimitCheck[]): LimitOutcome {
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error('redis rate limit store: malformed script reply');
    const index = Number(reply[0]);
    const retryAfterMs = Number(reply[1]);
    if (index === 0) return ALLOWED;
    const check = checks[index - 1];
    if (!check || !Number.isFinite(retryAfterMs)) throw new Error('redis rate limit store: malformed script reply');
    return { allowed: false, key: check.key, retryAfterMs: Math.max(1, retryAfterMs) };
  }
}
