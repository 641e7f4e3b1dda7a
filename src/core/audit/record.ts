/**
 * The audit trail's data (product §6): one entry per decision, chained into records by `chainRecord`.
 * Plain types, not zod schemas: entries are built by the gateway itself, never parsed from the outside;
 * `assertAuditEntry` (chain.ts) guards the invariants the stores rely on.
 */

export type AuditDecision = 'allow' | 'deny' | 'limit' | 'hold' | 'approved' | 'rejected' | 'error';

export type AuditOutcome = 'ok' | 'tool_error' | 'upstream_error' | 'cancelled';

export const AUDIT_DECISIONS: readonly AuditDecision[] = ['allow', 'deny', 'limit', 'hold', 'approved', 'rejected', 'error'];

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'tool_error', 'upstream_error', 'cancelled'];

export interface AuditEntry {
  /** Milliseconds since the epoch (a safe integer). */
  time: number;
  agent: string;
  session: string;
  /** The upstream server the tool belongs to; null when the call never resolved to one. */
  server: string | null;
  tool: string;
  decision: AuditDecision;
  /** The policy rule that decided, as `decision.ts` names it. */
  rule: string | null;
  reason: string | null;
  /** `hashArguments` of the original arguments, so identical calls can be found without storing values. */
  argsHash: string;
  /** Already redacted (`redactArguments`): keys and types, values only where allow-listed. */
  args: unknown;
  latencyMs: number | null;
  /** What the upstream call did; null when it was never forwarded. */
  outcome: AuditOutcome | null;
  policyVersion: string | null;
}

export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … without gaps: a gap is a deleted row. */
  seq: number;
  /** `hash` of the record before, or GENESIS_HASH for seq 1. */
  prevHash: string;
  hash: string;
}
