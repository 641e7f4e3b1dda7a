import { hashArguments, redactArguments } from '../core/audit/redact.js';
import type { AuditDecision, AuditEntry } from '../core/audit/record.js';
import type { Decision } from '../core/policy/index.js';

export interface AuditSettings {
  readonly allowValues: readonly string[];
  readonly hashKey?: string | undefined;
}

/** What the audit needs to know about how the call ended; absent for calls that were never forwarded. */
export type CallOutcome = AuditEntry['outcome'];

export interface AuditedCall {
  readonly time: number;
  readonly agent: string;
  readonly session: string;
  readonly server: string | null;
  readonly tool: string;
  readonly args: unknown;
  readonly decision: Decision;
  readonly policyVersion: string | undefined;
  readonly latencyMs: number | null;
  readonly outcome: CallOutcome;
  /** For the record of a person's decision on a held call. */
  readonly approver?: string;
  readonly note?: string | null;
  readonly verdict?: AuditDecision;
}

const AUDIT_DECISION: Record<Decision['kind'], AuditDecision> = { allow: 'allow', deny: 'deny', limit: 'limit', hold: 'hold' };

/** The audit record of one decided call: arguments hashed whole and stored redacted (keys and types only by default). */
export function auditEntry(call: AuditedCall, settings: AuditSettings): AuditEntry {
  const { decision } = call;
  return {
    time: call.time,
    agent: call.agent,
    session: call.session,
    server: call.server,
    tool: call.tool,
    decision: call.verdict ?? AUDIT_DECISION[decision.kind],
    rule: decision.rule,
    reason: decision.kind === 'allow' ? null : decision.reason,
    ...(call.approver !== undefined ? { reason: `${call.approver}: ${decision.kind === 'allow' ? 'approved' : 'rejected'}${call.note ? ` — ${call.note}` : ''}` } : {}),
    argsHash: hashArguments(call.args, settings.hashKey),
    args: redactArguments(call.args, settings.allowValues),
    latencyMs: call.latencyMs,
    outcome: call.outcome,
    policyVersion: call.policyVersion ?? null,
  };
}
