import type { Decision, Quota } from '../core/policy/index.js';
import type { LimitCheck, RateLimitStore } from '../ports.js';

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
 * Charges an allowed call against its quotas. Counting rule: a call counts when it is admitted here, whatever
 * happens next (denied later, failed upstream, cancelled): refunds would let an agent hammer a failing
 * upstream and would make counts across replicas inexact. A refused call counts against nothing. If the store
 * cannot answer, the call is denied.
 */
export async function chargeQuotas(store: RateLimitStore, decision: Allow, who: CallIdentity): Promise<Decision> {
  if (decision.quotas.length === 0) return decision;
  const byKey = new Map<string, Quota>();
  const checks: LimitCheck[] = decision.quotas.map((quota) => {
    const key = limitKey(quota, who);
    byKey.set(key, quota);
    return { key, max: quota.max, windowMs: quota.windowMs };
  });
  try {
    const outcome = await store.consume(checks);
    if (outcome.allowed) return decision;
    const quota = byKey.get(outcome.key);
    return {
      kind: 'limit',
      rule: quota?.id ?? decision.rule,
      reason: quota ? describeQuota(quota) : 'a quota is full',
      retryAfterS: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'deny', rule: 'gateway', reason: `the rate-limit store is unavailable (${detail}), so the call is denied rather than counted blind` };
  }
}
