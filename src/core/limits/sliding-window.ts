import type { Clock, LimitCheck, LimitOutcome } from '../../ports.js';

const ALLOWED: LimitOutcome = Object.freeze({ allowed: true });

/** Small first allocation: most quotas never see more than a handful of calls in one window. */
const INITIAL_CAPACITY = 8;

/** Throws on a quota that could never be honoured, so that the caller's catch denies instead of guessing. */
export function assertValidCheck(check: LimitCheck): void {
  if (typeof check.key !== 'string') throw new TypeError('rate limit key must be a string');
  if (!Number.isSafeInteger(check.max) || check.max < 1) throw new RangeError(`rate limit max must be an integer >= 1 (key ${check.key})`);
  if (!Number.isFinite(check.windowMs) || check.windowMs <= 0) {
    throw new RangeError(`rate limit windowMs must be a positive number (key ${check.key})`);
  }
}

/**
 * The calls still inside one quota's window, oldest first, in a ring buffer. A call made at `t` counts for every
 * instant in [t, t + windowMs): it has left the window exactly `windowMs` after it was made.
 *
 * Only the newest `max` timestamps can ever matter (an older one cannot be inside the window while `max` newer
 * ones are), so the ring never needs more than `max` slots.
 */
export class SlidingWindowLog {
  private times: Float64Array;
  private head = 0;
  private count = 0;
  /** Sequence number of the last consume that counted here; a quota named twice in one consume counts once. */
  lastCharge = -1;
  /** Another log under the same key with a different window (a key may carry, say, per-minute and per-hour quotas). */
  next: SlidingWindowLog | undefined;

  constructor(
    readonly windowMs: number,
    capacity: number,
  ) {
    this.times = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Drops calls that have left the window at `now`. */
  prune(now: number): void {
    const cutoff = now - this.windowMs;
    const cap = this.times.length;
    while (this.count > 0 && (this.times[this.head] as number) <= cutoff) {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.count--;
    }
  }

  /**
   * Milliseconds (rounded up, at least 1) until one more call fits under `max`, or 0 if it fits now.
   * Call `prune(now)` first.
   */
  waitMs(now: number, max: number): number {
    if (this.count < max) return 0;
    // After a policy reload lowers `max`, more than `max` calls may be inside the window; the call that must leave
    // for one more to fit is the one `max - 1` places before the newest, not the oldest.
    const index = (this.head + (this.count - max)) % this.times.length;
    return Math.max(1, Math.ceil((this.times[index] as number) + this.windowMs - now));
  }

  /** Counts one call at `now`. Call only after `waitMs` returned 0 for this `max`. */
  record(now: number, max: number): void {
    if (this.count === this.times.length) this.grow(max);
    const cap = this.times.length;
    const newest = this.count > 0 ? (this.times[(this.head + this.count - 1) % cap] as number) : now;
    // A clock stepped backwards must not put a call behind newer ones: pruning walks from the head and stops at the
    // first call still inside the window, so the log has to stay in order.
    this.times[(this.head + this.count) % cap] = Math.max(now, newest);
    this.count++;
  }

  /** True when every counted call has left the window, so the log can be forgotten without changing any decision. */
  isIdle(now: number): boolean {
    if (this.count === 0) return true;
    const newest = this.times[(this.head + this.count - 1) % this.times.length] as number;
    return newest <= now - this.windowMs;
  }

  private grow(max: number): void {
    const old = this.times;
    const next = new Float64Array(Math.max(old.length + 1, Math.min(old.length * 2, max)));
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) % old.length] as number;
    this.times = next;
    this.head = 0;
  }
}

/**
 * Exact sliding-window-log limiter over in-process state: at most `max` calls in any `windowMs`, decided for all
 * checks of a consume at once. Synchronous, so a single consume is trivially atomic within one event loop.
 *
 * A log is identified by (key, windowMs): the same key may be charged under several windows, and pruning one
 * window's log must not drop calls another, longer window still counts.
 */
export class SlidingWindowLimiter {
  private readonly logs = new Map<string, SlidingWindowLog>();
  /** Reused between consumes to avoid an allocation per call. */
  private readonly found: (SlidingWindowLog | undefined)[] = [];
  private charge = 0;

  constructor(private readonly clock: Clock) {}

  /** Number of keys currently holding state. */
  get size(): number {
    return this.logs.size;
  }

  has(key: string, windowMs?: number): boolean {
    for (let log = this.logs.get(key); log; log = log.next) if (windowMs === undefined || log.windowMs === windowMs) return true;
    return false;
  }

  consume(checks: readonly LimitCheck[]): LimitOutcome {
    const n = checks.length;
    if (n === 0) return ALLOWED;
    const now = this.clock.now();
    const found = this.found;
    found.length = n;
    for (let i = 0; i < n; i++) {
      const check = checks[i] as LimitCheck;
      assertValidCheck(check);
      const log = this.find(check.key, check.windowMs);
      found[i] = log;
      if (!log) continue;
      log.prune(now);
      const wait = log.waitMs(now, check.max);
      if (wait > 0) {
        found.length = 0;
        return { allowed: false, key: check.key, retryAfterMs: wait };
      }
    }
    const charge = this.charge++;
    for (let i = 0; i < n; i++) {
      const check = checks[i] as LimitCheck;
      const log = found[i] ?? this.find(check.key, check.windowMs) ?? this.create(check);
      if (log.lastCharge === charge) continue;
      log.lastCharge = charge;
      log.record(now, check.max);
    }
    found.length = 0;
    return ALLOWED;
  }

  /** Forgets every log whose calls have all left their window. Returns how many keys were dropped. */
  sweep(): number {
    const now = this.clock.now();
    let dropped = 0;
    for (const [key, first] of this.logs) {
      let head: SlidingWindowLog | undefined = first;
      while (head && head.isIdle(now)) head = head.next;
      for (let log = head; log; ) {
        let next = log.next;
        while (next && next.isIdle(now)) next = next.next;
        log.next = next;
        log = next;
      }
      if (!head) {
        this.logs.delete(key);
        dropped++;
      } else if (head !== first) {
        this.logs.set(key, head);
      }
    }
    return dropped;
  }

  clear(): void {
    this.logs.clear();
  }

  private find(key: string, windowMs: number): SlidingWindowLog | undefined {
    for (let log = this.logs.get(key); log; log = log.next) if (log.windowMs === windowMs) return log;
    return undefined;
  }

  private create(check: LimitCheck): SlidingWindowLog {
    const log = new SlidingWindowLog(check.windowMs, Math.min(check.max, INITIAL_CAPACITY));
    log.next = this.logs.get(check.key);
    this.logs.set(check.key, log);
    return log;
  }
}
