import { z } from 'zod';
import { AdminError } from '../../../../admin/errors.js';
import { route } from '../route.js';
import { AgentKeySchema, CreateKeyBody, IdParams } from '../schemas.js';

const tag = 'keys';

export const keyRoutes = [
  route({
    method: 'GET', path: '/api/keys', tag, summary: 'Agent API keys (never their secrets)',
    responses: { 200: { description: 'keys', schema: z.object({ keys: z.array(AgentKeySchema) }) } },
    handle: async ({ services }) => ({ status: 200, body: { keys: await services.keys.list() } }),
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof CreateKeyBody>>({
    method: 'POST', path: '/api/keys', tag, summary: 'Create a key for an agent; the secret is in this answer only', body: CreateKeyBody,
    responses: { 201: { description: 'created', schema: z.object({ key: AgentKeySchema, secret: z.string() }) } },
    handle: async ({ services, body }) => ({ status: 201, body: await services.keys.create(body.agent, services.clock.now()) }),
  }),
  route<z.infer<typeof IdParams>>({
    method: 'DELETE', path: '/api/keys/{id}', tag, summary: 'Revoke a key; effective on the agent\'s next request', params: IdParams,
    responses: { 200: { description: 'revoked', schema: z.object({ revoked: z.string() }) }, 404: { description: 'no active key with that id' } },
    handle: async ({ services, params }) => {
      if (!(await services.keys.revoke(params.id, services.clock.now()))) throw new AdminError('not_found', `no active key with id '${params.id}'`, 'id');
      return { status: 200, body: { revoked: params.id } };
    },
  }),
];
