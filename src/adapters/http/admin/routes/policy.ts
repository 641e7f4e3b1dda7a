import { z } from 'zod';
import { AdminError } from '../../../../admin/errors.js';
import { route } from '../route.js';
import { HistoryQuery, PolicyBody, PolicyCheckSchema, PutPolicyBody, RevisionParams, RevisionSchema, RollbackBody } from '../schemas.js';

const tag = 'policy';
const Saved = z.object({ version: z.string(), revision: z.number().int() });

export const policyRoutes = [
  route({
    method: 'GET', path: '/api/policy', tag, summary: 'The policy in force: its text, parsed document, version and revision',
    responses: { 200: { description: 'the policy', schema: z.object({ version: z.string(), text: z.string(), policy: z.unknown(), revision: z.number().int().nullable() }) } },
    handle: async ({ services }) => ({ status: 200, body: await services.policy.get() }),
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof PolicyBody>>({
    method: 'POST', path: '/api/policy/validate', tag, summary: 'Check a policy without applying it: every problem with its path, or what it does to each tool', body: PolicyBody,
    responses: { 200: { description: 'valid, with effects and warnings; or invalid, with every error', schema: PolicyCheckSchema } },
    handle: async ({ services, body }) => {
      try {
        return { status: 200, body: services.policy.check(body.policy) };
      } catch (error) {
        if (error instanceof AdminError && error.kind === 'invalid') return { status: 200, body: { valid: false, errors: error.issues } };
        throw error;
      }
    },
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof PutPolicyBody>>({
    method: 'PUT', path: '/api/policy', tag, summary: 'Validate, then apply a policy at once and save it as a new revision; an invalid one changes nothing', body: PutPolicyBody,
    responses: { 200: { description: 'applied', schema: Saved }, 400: { description: 'invalid: path names the first problem, issues lists all' } },
    handle: async ({ services, body }) => ({ status: 200, body: await services.policy.put(body.policy, body.by ?? 'admin-api', body.note) }),
  }),
  route<Record<string, never>, z.infer<typeof HistoryQuery>>({
    method: 'GET', path: '/api/policy/history', tag, summary: 'Saved revisions, newest first', query: HistoryQuery,
    responses: { 200: { description: 'revisions', schema: z.object({ revisions: z.array(RevisionSchema.extend({ current: z.boolean() })) }) } },
    handle: async ({ services, query }) => ({ status: 200, body: { revisions: await services.policy.revisions(query.limit) } }),
  }),
  route<z.infer<typeof RevisionParams>>({
    method: 'GET', path: '/api/policy/history/{id}', tag, summary: 'One revision with its text', params: RevisionParams,
    responses: { 200: { description: 'the revision', schema: z.object({ revision: RevisionSchema.extend({ text: z.string() }) }) }, 404: { description: 'no such revision' } },
    handle: async ({ services, params }) => ({ status: 200, body: { revision: await services.policy.revision(params.id) } }),
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof RollbackBody>>({
    method: 'POST', path: '/api/policy/rollback', tag, summary: 'Put an earlier revision back in force (saved as a new revision)', body: RollbackBody,
    responses: { 200: { description: 'applied', schema: Saved }, 404: { description: 'no such revision' } },
    handle: async ({ services, body }) => ({ status: 200, body: await services.policy.rollback(body.revision, body.by ?? 'admin-api') }),
  }),
];
