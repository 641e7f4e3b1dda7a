import { planCharge } from '../limits/quotas.js';
import { SlidingWindowLimiter } from '../limits/sliding-window.js';
import type { CompiledPolicy } from './compile.js';

/** The part of an audit record a replay needs. */
export interface RecordedCall {
  readonly seq: number;
  readonly time: number;
  readonly agent: string;
  readonly session: string;
  readonly tool: string;
  readonly decision: string;
}

type Verdict = 'allow' | 'deny' | 'limit' | 'hold';

export interface ReplayChange {
  readonly tool: string;
  readonly agent: string;
  readonly from: Verdict;
  readonly to: Verdict;
  readonly count: number;
  /** The candidate's rule that now decides, for the first such call. */
  readonly rule: string;
}

export interface ReplayReport {
  readonly replayed: number;
  /**
   * Calls the candidate decides by argument conditions: the audit keeps arguments redacted, so those cannot be
   * re-decided faithfully and are counted here instead of guessed.
   */
  readonly undetermined: number;
  readonly unchanged: number;
  readonly newlyDenied: number;
  readonly newlyAllowed: number;
  readonly changes: readonly ReplayChange[];
}

const VERDICTS: ReadonlySet<string> = new Set(['allow', 'deny', 'limit', 'hold']);

/**
 * Re-decides recorded calls under a candidate policy, in recorded time order, with rate limits simulated on the
 * recorded clock (so a tighter quota shows which calls it would have refused). Records of other kinds (approvals)
 * are not replayed.
 */
export function replayDecisions(records: Iterable<RecordedCall>, candidate: CompiledPolicy): ReplayReport {
  const ordered = [...records].filter((r) => VERDICTS.has(r.decision)).sort((a, b) => a.time - b.time || a.seq - b.seq);
  const clock = { at: 0, now() { return this.at; } };
  const limiter = new SlidingWindowLimiter(clock);
  const changes = new Map<string, { tool: string; agent: string; from: Verdict; to: Verdict; count: number; rule: string }>();
  let unchanged = 0;
  let undetermined = 0;
  let newlyDenied = 0;
  let newlyAllowed = 0;
  for (const call of ordered) {
    clock.at = call.time;
    const effect = candidate.effect(call.tool, call.agent);
    if (effect === 'conditional' || effect === 'approval') {
      undetermined++;
      continue;
    }
    let decision = candidate.visibility(call.tool, call.agent) === 'hidden' ? { kind: 'deny' as const, rule: 'hide' } : candidate.decide(call.tool, call.agent);
    if (decision.kind === 'allow' && decision.quotas.length > 0) {
      const plan = planCharge(decision, { tool: call.tool, sessionId: call.session, agent: call.agent });
      decision = plan.settle(limiter.consume(plan.checks));
    }
    const from = call.decision as Verdict;
    const to = decision.kind;
    if (from === to) {
      unchanged++;
      continue;
    }
    if (from === 'allow') newlyDenied++;
    if (to === 'allow') newlyAllowed++;
    const key = `${call.tool}\u0000${call.agent}\u0000${from}\u0000${to}`;
    const entry = changes.get(key);
    if (entry) entry.count++;
    else changes.set(key, { tool: call.tool, agent: call.agent, from, to, count: 1, rule: decision.rule });
  }
  const sorted = [...changes.values()].sort((a, b) => b.count - a.count || a.tool.localeCompare(b.tool) || a.agent.localeCompare(b.agent));
  return { replayed: ordered.length, undetermined, unchanged, newlyDenied, newlyAllowed, changes: sorted };
}
