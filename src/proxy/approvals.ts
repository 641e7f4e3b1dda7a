import { randomUUID } from 'node:crypto';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { hashArguments, redactArguments } from '../core/audit/redact.js';
import type { Decision } from '../core/policy/index.js';
import type { ApprovalRequest, ApprovalStore } from '../ports.js';
import { askClient, canElicit } from './ask-client.js';
import type { DownstreamSession, Gateway } from './gateway.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Hold = Extract<Decision, { kind: 'hold' }>;

export type ApprovalOutcome =
  | { readonly kind: 'approved'; readonly request: ApprovalRequest }
  | { readonly kind: 'pending'; readonly request: ApprovalRequest }
  | { readonly kind: 'denied'; readonly request: ApprovalRequest }
  | { readonly kind: 'timeout'; readonly request: ApprovalRequest }
  | { readonly kind: 'cancelled'; readonly request: ApprovalRequest };

/** How often a held request tells its client it is still alive, so client-side timeouts do not fire. */
const PROGRESS_EVERY_MS = 5000;

/**
 * Holds a call until a person decides. An earlier approval of exactly this call (same agent, tool, arguments and
 * policy version) is used first, once. Otherwise a request is filed and, if the rule waits, the call stays open —
 * woken by the store's decision events (pub/sub across replicas), with progress notifications meanwhile — until it
 * is approved, denied, times out, or the client gives up. When asking the client is on and it can elicit, its
 * user is asked too; whichever decision the store takes first wins.
 */
export async function awaitApproval(
  gateway: Gateway,
  store: ApprovalStore,
  session: DownstreamSession,
  call: { tool: string; args: unknown; hold: Hold; policyVersion: string },
  extra: Extra,
): Promise<ApprovalOutcome> {
  const argsHash = hashArguments(call.args);
  const match = { agent: session.agent, tool: call.tool, argsHash, policyVersion: call.policyVersion };
  const earlier = await store.consume(match, gateway.clock.now());
  if (earlier) return { kind: 'approved', request: earlier };

  const now = gateway.clock.now();
  const request = await store.create({
    id: randomUUID(),
    ...match,
    session: session.id,
    rule: call.hold.rule,
    reason: call.hold.reason,
    args: redactArguments(call.args, gateway.auditAllowValues()),
    createdAt: now,
    expiresAt: now + call.hold.timeoutMs,
  });
  gateway.approvalRequested(request);
  if (!call.hold.wait) return { kind: 'pending', request };

  const decided = await new Promise<ApprovalOutcome>((resolve) => {
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    const asking = new AbortController();
    const finish = (outcome: ApprovalOutcome) => {
      if (finished) return;
      finished = true;
      asking.abort();
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      extra.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const check = async () => {
      const current = await store.get(request.id).catch(() => undefined);
      if (!current || current.status === 'pending') return;
      finish(current.status === 'approved' ? { kind: 'approved', request: current } : current.status === 'denied' ? { kind: 'denied', request: current } : { kind: 'timeout', request: current });
    };
    const unsubscribe = store.onDecided((r) => {
      if (r.id === request.id) void check();
    });
    const onAbort = () => finish({ kind: 'cancelled', request });
    extra.signal.addEventListener('abort', onAbort);
    timers.push(setTimeout(() => finish({ kind: 'timeout', request }), call.hold.timeoutMs));
    // Stores without cross-process events (SQLite decided from the CLI) are re-read; Redis needs no polling.
    const pollMs = gateway.approvalPollMs();
    if (pollMs !== undefined) timers.push(setInterval(() => void check(), pollMs));
    const token = extra._meta?.progressToken;
    if (token !== undefined) {
      let beat = 0;
      timers.push(
        setInterval(() => {
          beat++;
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: beat, message: `waiting for approval ${request.id}` } }).catch(() => undefined);
        }, PROGRESS_EVERY_MS),
      );
    }
    if (call.hold.askClient ?? gateway.asksClient()) {
      if (canElicit(session)) void askClient(gateway, store, session, request, extra, asking.signal).then(check);
      else gateway.logger.debug({ approval: request.id, agent: session.agent }, "the agent's client cannot elicit; the call waits for a person");
    }
    void check();
  });
  if (decided.kind !== 'approved') return decided;
  // Single use: the approval is spent by this call, so an identical retry needs a new one.
  const spent = await store.consume(match, gateway.clock.now());
  return spent ? { kind: 'approved', request: spent } : { kind: 'timeout', request: decided.request };
}
