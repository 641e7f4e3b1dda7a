import type { CompiledPolicy } from './core/policy/index.js';

/** Time, injected so that core logic is testable without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Where the decision path gets the policy in force. `current()` returns undefined when no valid policy was
 * ever loaded; callers must then deny (fail closed).
 */
export interface PolicyProvider {
  current(): CompiledPolicy | undefined;
  onChange(listener: (policy: CompiledPolicy) => void): void;
}

/** One quota to charge a call against: at most `max` calls in any `windowMs` milliseconds under `key`. */
export interface LimitCheck {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

export type LimitOutcome =
  | { readonly allowed: true }
  /** `key` is the quota that refused; `retryAfterMs` is when its oldest counted call leaves the window. */
  | { readonly allowed: false; readonly key: string; readonly retryAfterMs: number };

/**
 * Sliding-window counters. `consume` is atomic and all-or-nothing across its checks: either every quota has room
 * and one call is counted in each, or nothing is counted and the first full quota is named.
 */
export interface RateLimitStore {
  consume(checks: readonly LimitCheck[]): Promise<LimitOutcome>;
  close(): Promise<void>;
}
