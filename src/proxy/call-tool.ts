import { performance } from 'node:perf_hooks';
import { trace } from '@opentelemetry/api';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type CallToolRequest,
  type Progress,
  type ProgressToken,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Decision } from '../core/policy/index.js';
import { redactResultSecrets } from '../core/scan/index.js';
import { MAX_DOCUMENT_DEPTH, nestsDeeperThan } from '../core/validation.js';
import type { CallOutcome } from './audit-entry.js';
import type { Routed } from './catalog.js';
import type { DownstreamSession, Gateway } from './gateway.js';
import { chargeQuotas } from './limiter.js';
import { approvalResult, policyDeniedResult, rateLimitedResult, toolChangedResult, upstreamFailureResult } from './tool-results.js';
import { awaitApproval, type ApprovalOutcome } from './approvals.js';
import { describe, isUpstreamFault } from './upstream-errors.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

// No-op unless the host process registers an OpenTelemetry SDK.
const tracer = trace.getTracer('gatehouse');

interface Ruling {
  readonly decision: Decision;
  readonly policyVersion: string | undefined;
  readonly route: Routed<Tool>;
  readonly hidden: boolean;
}

/**
 * What the policy says about a call. Every failure inside becomes a denial (fail closed); an unknown tool is a
 * protocol error, since for the agent it does not exist.
 */
function rule(gateway: Gateway, tool: string, agent: string, args: unknown): Ruling {
  const route = gateway.catalog.tools.get(tool);
  if (route === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${tool}`);
  let policyVersion: string | undefined;
  try {
    const policy = gateway.policy.current();
    if (!policy) throw new Error('no policy is loaded');
    policyVersion = policy.version;
    if (policy.visibility(tool, agent) === 'hidden') {
      return { decision: { kind: 'deny', rule: 'hide', reason: 'the tool is hidden by policy' }, policyVersion, route, hidden: true };
    }
    const guarded = gateway.guard.check(tool, policy.source.block_findings);
    if (guarded) return { decision: { kind: 'deny', rule: guarded.rule, reason: guarded.reason }, policyVersion, route, hidden: false };
    return { decision: policy.decide(tool, agent, args), policyVersion, route, hidden: false };
  } catch (error) {
    gateway.logger.error({ tool, err: describe(error) }, 'decision failed; denying');
    const reason = `the gateway could not evaluate its policy (${describe(error)}), so it denies to stay safe`;
    return { decision: { kind: 'deny', rule: 'gateway', reason }, policyVersion, route, hidden: false };
  }
}

/** Quotas, then the audit backlog: an allow survives both or becomes a refusal. */
async function finalDecision(gateway: Gateway, session: DownstreamSession, tool: string, ruled: Decision): Promise<Decision> {
  if (ruled.kind !== 'allow') return ruled;
  const decision = await chargeQuotas(gateway.limits, ruled, { tool, sessionId: session.id, agent: session.agent });
  if (decision.kind === 'allow' && gateway.auditBacklogFull()) {
    return { kind: 'deny', rule: 'gateway', reason: 'the audit trail cannot be written and its backlog is full, so the gateway denies rather than act unrecorded' };
  }
  return decision;
}

type Hold = Extract<Decision, { kind: 'hold' }>;
type Recorder = (decided: Decision, outcome: CallOutcome, latencyMs: number | null, approval?: { approver: string; note: string | null; verdict: 'approved' | 'rejected' }) => void;

/**
 * A held call: waits for a person (or answers at once with an approval id), records their decision, and turns
 * an approval into an allow that still has to fit the rule's quotas.
 */
async function holdForApproval(
  gateway: Gateway,
  session: DownstreamSession,
  call: { tool: string; args: unknown; hold: Hold; policyVersion: string | undefined },
  extra: Extra,
  record: Recorder,
): Promise<{ kind: 'allow'; decision: Decision } | { kind: 'answer'; result: ServerResult }> {
  const { tool, hold, policyVersion } = call;
  const store = gateway.approvals;
  if (!store || policyVersion === undefined) {
    return { kind: 'answer', result: policyDeniedResult(tool, { kind: 'deny', rule: hold.rule, reason: `${hold.reason}, and no approval store is configured` }, policyVersion) };
  }
  let outcome: ApprovalOutcome;
  try {
    outcome = await awaitApproval(gateway, store, session, { tool, args: call.args, hold, policyVersion }, extra);
  } catch (error) {
    return { kind: 'answer', result: policyDeniedResult(tool, { kind: 'deny', rule: 'gateway', reason: `the approval store is unavailable (${describe(error)}), so the held call is denied` }, policyVersion) };
  }
  const { request } = outcome;
  switch (outcome.kind) {
    case 'approved':
      record({ kind: 'allow', rule: hold.rule, quotas: hold.quotas }, null, null, { approver: request.decidedBy ?? 'unknown', note: request.note, verdict: 'approved' });
      return { kind: 'allow', decision: { kind: 'allow', rule: hold.rule, quotas: hold.quotas } };
    case 'pending':
      return { kind: 'answer', result: approvalResult('[APPROVAL REQUIRED]', tool, request, `${hold.reason}. Approval ${request.id} is pending; retry the identical call once a person has approved it`, 'pending', policyVersion) };
    case 'denied':
      record({ kind: 'deny', rule: hold.rule, reason: hold.reason }, null, null, { approver: request.decidedBy ?? 'unknown', note: request.note, verdict: 'rejected' });
      return { kind: 'answer', result: approvalResult('[APPROVAL DENIED]', tool, request, `${request.decidedBy ?? 'an approver'} denied approval ${request.id}${request.note ? `: ${request.note}` : ''}`, 'denied', policyVersion) };
    case 'timeout':
    case 'cancelled':
      record({ kind: 'deny', rule: hold.rule, reason: 'no approval in time' }, null, null, { approver: 'gateway', note: outcome.kind, verdict: 'rejected' });
      return { kind: 'answer', result: approvalResult('[APPROVAL TIMED OUT]', tool, request, `nobody approved ${request.id} within ${Math.round(hold.timeoutMs / 1000)} s`, 'timeout', policyVersion) };
  }
}

/** tools/call: decide, charge quotas, forward with progress and cancellation, audit every decision. */
export async function callTool(gateway: Gateway, session: DownstreamSession, request: CallToolRequest, extra: Extra): Promise<ServerResult> {
  const tool = request.params.name;
  const time = gateway.clock.now();
  const started = performance.now();
  const decideSpan = tracer.startSpan('gatehouse.decide', { attributes: { 'gatehouse.tool': tool, 'gatehouse.agent': session.agent } });
  const args = request.params.arguments ?? {};
  // Arguments this deep cannot be serialised upstream anyway; refusing them here names the caller's mistake.
  if (nestsDeeperThan(args, MAX_DOCUMENT_DEPTH)) throw new McpError(ErrorCode.InvalidParams, `Invalid params: arguments are nested more than ${MAX_DOCUMENT_DEPTH} levels deep`);
  const { decision: ruled, policyVersion, route, hidden } = rule(gateway, tool, session.agent, args);
  const record = (decided: Decision, outcome: CallOutcome, latencyMs: number | null, approval?: { approver: string; note: string | null; verdict: 'approved' | 'rejected' }) =>
    gateway.recordAudit({ time: approval ? gateway.clock.now() : time, agent: session.agent, session: session.id, server: route.upstream.name, tool, args, decision: decided, policyVersion, latencyMs, outcome, ...(approval ?? {}) });
  let settled = ruled;
  if (ruled.kind === 'hold') {
    decideSpan.setAttributes({ 'gatehouse.decision': 'hold', 'gatehouse.rule': ruled.rule });
    gateway.observer?.decided(route.upstream.name, tool, 'hold', (performance.now() - started) / 1000);
    record(ruled, null, null);
    const approved = await holdForApproval(gateway, session, { tool, args, hold: ruled, policyVersion }, extra, record);
    if (approved.kind !== 'allow') {
      decideSpan.end();
      return approved.result;
    }
    settled = approved.decision;
  }
  const decision = await finalDecision(gateway, session, tool, settled);
  decideSpan.setAttributes({ 'gatehouse.decision': decision.kind, 'gatehouse.rule': decision.rule, 'gatehouse.server': route.upstream.name });
  decideSpan.end();
  gateway.observer?.decided(route.upstream.name, tool, decision.kind, (performance.now() - started) / 1000);
  const audit = (outcome: CallOutcome, latencyMs: number | null) => record(decision, outcome, latencyMs);

  if (decision.kind !== 'allow') {
    audit(null, null);
    if (hidden) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${tool}`);
    if (decision.kind === 'limit') return rateLimitedResult(tool, decision, policyVersion);
    if (decision.kind === 'hold') return policyDeniedResult(tool, { kind: 'deny', rule: decision.rule, reason: decision.reason }, policyVersion);
    return decision.rule === 'pin' ? toolChangedResult(tool, decision, policyVersion) : policyDeniedResult(tool, decision, policyVersion);
  }

  const progressToken = request.params._meta?.progressToken;
  // Progress is relayed in order and fully sent before the result, which would otherwise overtake the last one.
  let progressRelayed = Promise.resolve();
  const relayProgress = (progress: Progress, token: ProgressToken) => {
    progressRelayed = progressRelayed.then(() => extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken: token } })).catch(() => undefined);
  };
  const untrack = session.track(route.upstream, extra.requestId);
  const forwardedAt = performance.now();
  const upstreamSpan = tracer.startSpan('gatehouse.upstream_call', { attributes: { 'gatehouse.server': route.upstream.name, 'gatehouse.tool': route.upstreamName } });
  let outcome: NonNullable<CallOutcome> = 'ok';
  try {
    const result = await route.upstream.request(
      'tools/call',
      { ...request.params, name: route.upstreamName },
      { signal: extra.signal, ...(progressToken !== undefined ? { onprogress: (progress: Progress) => relayProgress(progress, progressToken) } : {}) },
    );
    await progressRelayed;
    if (result['isError'] === true) outcome = 'tool_error';
    if (!gateway.redactsSecrets(route.upstream.name)) return result as ServerResult;
    const redacted = redactResultSecrets(result);
    if (redacted.redactions > 0) gateway.logger.info({ upstream: route.upstream.name, tool, redactions: redacted.redactions }, 'secrets redacted from a tool result');
    return redacted.result as ServerResult;
  } catch (error) {
    if (extra.signal.aborted) {
      outcome = 'cancelled';
      throw error;
    }
    if (!isUpstreamFault(error)) {
      outcome = 'tool_error';
      throw error;
    }
    outcome = 'upstream_error';
    return upstreamFailureResult(tool, route.upstream.name, describe(error));
  } finally {
    untrack();
    const done = performance.now();
    upstreamSpan.setAttribute('gatehouse.outcome', outcome);
    upstreamSpan.end();
    gateway.observer?.upstreamCalled(route.upstream.name, outcome, (done - forwardedAt) / 1000);
    audit(outcome, done - started);
  }
}
