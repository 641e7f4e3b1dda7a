import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Decision } from '../core/policy/index.js';
import type { ApprovalRequest } from '../ports.js';

/** The `_meta` key under which agents and tests find the machine-readable form of a gateway verdict. */
export const DECISION_META_KEY = 'gatehouse/decision';

type Denial = Extract<Decision, { kind: 'deny' }>;

/**
 * A refusal is a tool *result*, not a protocol error, so the model reads the reason and can change course
 * (product.md §3). The first word is a stable tag that agents and people can search for.
 */
export function policyDeniedResult(tool: string, decision: Denial, policyVersion: string | undefined): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `[POLICY DENIED] The call to '${tool}' was blocked by ${decision.rule}: ${decision.reason}.` }],
    _meta: { [DECISION_META_KEY]: { decision: 'deny', tool, rule: decision.rule, reason: decision.reason, policyVersion: policyVersion ?? null } },
  };
}

type Limited = Extract<Decision, { kind: 'limit' }>;

/** A held call's answer: waiting, denied by a person, or timed out, with the approval id to refer to. */
export function approvalResult(tag: string, tool: string, request: ApprovalRequest, detail: string, state: string, policyVersion: string | undefined): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `${tag} The call to '${tool}' ${state === 'pending' ? 'needs approval' : 'was not approved'}: ${detail}.` }],
    _meta: { [DECISION_META_KEY]: { decision: 'hold', tool, rule: request.rule, approvalId: request.id, approval: state, note: request.note, policyVersion: policyVersion ?? null } },
  };
}

/** Rug-pull defence: the tool's definition is not the one that was approved. */
export function toolChangedResult(tool: string, decision: Denial, policyVersion: string | undefined): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `[TOOL CHANGED] The call to '${tool}' was held: ${decision.reason}.` }],
    _meta: { [DECISION_META_KEY]: { decision: 'deny', tool, rule: decision.rule, reason: decision.reason, policyVersion: policyVersion ?? null } },
  };
}

export function rateLimitedResult(tool: string, decision: Limited, policyVersion: string | undefined): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `[RATE LIMITED] The call to '${tool}' was refused by ${decision.rule} (${decision.reason}). Retry after ${decision.retryAfterS} seconds.` }],
    _meta: { [DECISION_META_KEY]: { decision: 'limit', tool, rule: decision.rule, reason: decision.reason, retryAfterSeconds: decision.retryAfterS, policyVersion: policyVersion ?? null } },
  };
}

/** The call was allowed but the upstream could not answer (down, crashed, timed out). */
export function upstreamFailureResult(tool: string, upstream: string, detail: string): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: `[UPSTREAM ERROR] The call to '${tool}' was allowed but server '${upstream}' could not complete it: ${detail}.` }],
    _meta: { [DECISION_META_KEY]: { decision: 'allow', tool, upstream, outcome: 'upstream_error', detail } },
  };
}
