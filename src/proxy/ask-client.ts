import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ElicitResultSchema, type ElicitRequestFormParams, type ElicitResult, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalDecision, ApprovalRequest, ApprovalStore } from '../ports.js';
import type { DownstreamSession, Gateway } from './gateway.js';
import { describe } from './upstream-errors.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Longest note taken from a client's answer (it is shown to the agent and kept in the audit). */
const MAX_NOTE = 2000;

const REQUESTED_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: {
    approve: { type: 'boolean', title: 'Approve this call', description: 'true lets the call run once; false denies it' },
    note: { type: 'string', title: 'Note', description: 'Shown to the agent and kept in the audit trail', maxLength: MAX_NOTE },
  },
  required: ['approve'],
};

/** Form elicitation is declared: an `elicitation` capability naming neither mode means form (MCP 2025-11-25). */
export function canElicit(session: DownstreamSession): boolean {
  const elicitation = session.server.getClientCapabilities()?.elicitation;
  return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
}

function question(request: ApprovalRequest): string {
  return [
    `Gatehouse is holding a call to the tool '${request.tool}' until it is approved.`,
    `Rule ${request.rule}: ${request.reason}.`,
    `Arguments (redacted): ${JSON.stringify(request.args)}`,
    `Approval id: ${request.id}. Approve this call?`,
  ].join('\n');
}

/** Only an accepted form saying `approve: true` approves; anything else the client answers denies (fail closed). */
export function decisionFromAnswer(answer: ElicitResult, agent: string): ApprovalDecision {
  const by = `client:${agent}`;
  if (answer.action === 'decline') return { approve: false, by, note: 'the user declined' };
  if (answer.action === 'cancel') return { approve: false, by, note: 'the user dismissed the request' };
  const approve = answer.content?.['approve'];
  const note = answer.content?.['note'];
  if (typeof approve !== 'boolean') return { approve: false, by, note: "the client's answer did not say approve: true or false" };
  return { approve, by, ...(typeof note === 'string' && note !== '' ? { note: note.slice(0, MAX_NOTE) } : {}) };
}

/**
 * Asks the agent's own user, through the held call's session, to approve or deny; the answer decides through the
 * store like any approver's. A failed or unanswered question leaves the request pending for a person. `signal`
 * aborts the question (the request was decided elsewhere, or the call ended), which cancels it at the client.
 */
export async function askClient(gateway: Gateway, store: ApprovalStore, session: DownstreamSession, request: ApprovalRequest, extra: Extra, signal: AbortSignal): Promise<void> {
  const log = { approval: request.id, agent: session.agent, tool: request.tool };
  let decision: ApprovalDecision;
  try {
    const answer = await extra.sendRequest({ method: 'elicitation/create', params: { message: question(request), requestedSchema: REQUESTED_SCHEMA } }, ElicitResultSchema, {
      signal,
      timeout: Math.max(1, request.expiresAt - gateway.clock.now()),
    });
    decision = decisionFromAnswer(answer, session.agent);
  } catch (error) {
    if (!signal.aborted) gateway.logger.warn({ ...log, err: describe(error) }, "the agent's client could not be asked; the call waits for a person");
    return;
  }
  try {
    const decided = await store.decide(request.id, decision, gateway.clock.now());
    if (!decided) gateway.logger.info(log, "the client answered after the approval was decided elsewhere; its answer is ignored");
  } catch (error) {
    gateway.logger.error({ ...log, err: describe(error) }, "the client's answer could not be stored; the call waits for a person");
  }
}
