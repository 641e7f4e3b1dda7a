import { SlidingWindowLimiter } from '../../../core/limits/sliding-window.js';
import { systemClock, type Clock, type LimitCheck, type LimitOutcome, type RateLimitStore } from '../../../ports.js';

export interface MemoryRateLimitStoreOptions {
  /**
   * How often idle keys are forgotten. Keys are also pruned on every consume, so this only bounds memory held by
   * keys nobody calls any more (one per agent session, typically). Default 30 s.
   */
  readonly sweepIntervalMs?: number;
}

const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/**
 * Sliding-window rate limits held in this process: exact for a single gateway, not shared between replicas
 * (use the Redis store for that).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly limiter: SlidingWindowLimiter;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(clock: Clock = systemClock, options: MemoryRateLimitStoreOptions = {}) {
    this.limiter = new SlidingWindowLimiter(clock);
    this.timer = setInterval(() => this.limiter.sweep(), options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    // The sweep only frees memory; it must never be the reason a process stays alive.
    this.timer.unref();
  }

  /** Number of keys currently holding state. */
  get size(): number {
    return this.limiter.size;
  }

  has(key: string, windowMs?: number): boolean {
    return this.limiter.has(key, windowMs);
  }

  // Not `async`: the decision is synchronous, and skipping the async frame keeps a consume near a microsecond.
  consume(checks: readonly LimitCheck[]): Promise<LimitOutcome> {
    if (this.closed) return Promise.reject(new Error('rate limit store is closed'));
    try {
      return Promise.resolve(this.limiter.consume(checks));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Forgets keys whose calls have all left their window; returns how many were dropped. */
  sweep(): number {
    return this.limiter.sweep();
  }

  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.limiter.clear();
    return Promise.resolve();
  }
}
