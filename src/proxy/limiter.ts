import { planCharge, type CallIdentity } from '../core/limits/quotas.js';
import type { Decision } from '../core/policy/index.js';
import type { RateLimitStore } from '../ports.js';

/**
 * Charges an allowed call against its quotas. Counting rule: a call counts when it is admitted here, whatever
 * happens next (denied later, failed upstream, cancelled): refunds would let an agent hammer a failing
 * upstream and would make counts across replicas inexact. A refused call counts against nothing. If the store
 * cannot answer, the call is denied.
 */
export async function chargeQuotas(store: RateLimitStore, decision: Extract<Decision, { kind: 'allow' }>, who: CallIdentity): Promise<Decision> {
  if (decision.quotas.length === 0) return decision;
  const plan = planCharge(decision, who);
  try {
    return plan.settle(await store.consume(plan.checks));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { kind: 'deny', rule: 'gateway', reason: `the rate-limit store is unavailable (${detail}), so the call is denied rather than counted blind` };
  }
}
