import type { Decision, Quota } from '../policy/index.js';
import type { LimitCheck, LimitOutcome } from '../../ports.js';

type Allow = Extract<Decision, { kind: 'allow' }>;

export interface CallIdentity {
  readonly tool: string;
  readonly sessionId: string;
  readonly agent: string;
}

function scopeKey(quota: Quota, who: CallIdentity): string {
  if (quota.scope === 'global') return 'g';
  return quota.scope === 'agent' ? `a:${who.agent}` : `s:${who.sessionId}`;
}

export function limitKey(quota: Quota, who: CallIdentity): string {
  return `${quota.id}|${quota.perTool ? who.tool : '*'}|${scopeKey(quota, who)}`;
}

function describeQuota(quota: Quota): string {
  const per = quota.scope === 'session' ? 'per agent session' : quota.scope === 'agent' ? 'per agent' : 'across all agents';
  return `at most ${quota.max} calls in any ${quota.windowMs / 1000} s, ${per}`;
}

/**
 * What to ask a limiter for an allowed call, and how to read its answer: the same for the live gateway (an async
 * store) and for policy replay (an in-process limiter on recorded time).
 */
export function planCharge(decision: Allow, who: CallIdentity): { checks: LimitCheck[]; settle(outcome: LimitOutcome): Decision } {
  const byKey = new Map<string, Quota>();
  const checks = decision.quotas.map((quota) => {
    const key = limitKey(quota, who);
    byKey.set(key, quota);
    return { key, max: quota.max, windowMs: quota.windowMs };
  });
  return {
    checks,
    settle(outcome) {
      if (outcome.allowed) return decision;
      const quota = byKey.get(outcome.key);
      return {
        kind: 'limit',
        rule: quota?.id ?? decision.rule,
        reason: quota ? describeQuota(quota) : 'a quota is full',
        retryAfterS: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
      };
    },
  };
}
