import { z } from 'zod';
import { AdminError } from '../../../../admin/errors.js';
import type { AdminServices } from '../../../../admin/services.js';
import type { ApprovalRequest } from '../../../../ports.js';
import { route } from '../route.js';
import { ApprovalSchema, ApprovalsQuery, DecideBody, DecideParams } from '../schemas.js';

const tag = 'approvals';
/** Proxies drop idle streams; a comment line now and then keeps the console's live queue open. */
const KEEPALIVE_MS = 15_000;

function approvalStore(services: AdminServices) {
  const store = services.gateway.approvals;
  if (!store) throw new AdminError('unavailable', 'no approval store is configured');
  return store;
}

/** The approver sees how risky the tool is next to what is asked of it. */
function withRisk(services: AdminServices, approvals: readonly ApprovalRequest[]) {
  const risk = new Map(services.gateway.describeCatalog().map((e) => [e.name, { category: e.assessment.category, level: e.assessment.level }]));
  return approvals.map((a) => ({ ...a, ...(risk.has(a.tool) ? { risk: risk.get(a.tool) } : {}) }));
}

export const approvalRoutes = [
  route<Record<string, never>, z.infer<typeof ApprovalsQuery>>({
    method: 'GET', path: '/api/approvals', tag, summary: 'Held calls (all, or of one status)', query: ApprovalsQuery,
    responses: { 200: { description: 'approvals, newest first', schema: z.object({ approvals: z.array(ApprovalSchema) }) } },
    handle: async ({ services, query }) => {
      const list = await approvalStore(services).list(query.status ? { status: query.status } : {});
      return { status: 200, body: { approvals: withRisk(services, list) } };
    },
  }),
  route<z.infer<typeof DecideParams>, Record<string, never>, z.infer<typeof DecideBody>>({
    method: 'POST', path: '/api/approvals/{id}/{verdict}', tag, summary: 'Approve or deny a held call (verdict: approve | deny), with a note the agent sees', params: DecideParams, body: DecideBody,
    responses: { 200: { description: 'decided', schema: z.object({ approval: ApprovalSchema }) }, 409: { description: 'not pending (decided, expired or unknown)' } },
    handle: async ({ services, params, body }) => {
      const decided = await approvalStore(services).decide(params.id, { approve: params.verdict === 'approve', by: body.by ?? 'admin-api', note: body.note }, services.clock.now());
      if (!decided) throw new AdminError('conflict', 'no pending approval with that id (already decided, expired, or unknown)', 'id');
      return { status: 200, body: { approval: decided } };
    },
  }),
  route({
    method: 'GET', path: '/api/approvals/events', tag, summary: 'Server-sent events: `approval` with the request on each new and each decided approval',
    responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
    handle: async ({ services, req, res }) => {
      approvalStore(services);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const unsubscribe = services.watchApprovals((approval) => {
        const [withRiskApproval] = withRisk(services, [approval]);
        res.write(`event: approval\ndata: ${JSON.stringify(withRiskApproval)}\n\n`);
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      req.socket.setTimeout(0);
      res.once('close', () => {
        clearInterval(keepalive);
        unsubscribe();
      });
      return undefined;
    },
  }),
];
