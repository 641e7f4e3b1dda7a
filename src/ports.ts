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
