import { z } from 'zod';
import { route } from '../route.js';
import { ImportServersBody, RegisterServerBody, ServerNameParams, ServerViewSchema, TestResultSchema, TestServerBody, UpdateServerBody } from '../schemas.js';

const tag = 'servers';
const One = z.object({ server: ServerViewSchema });

export const serverRoutes = [
  route({
    method: 'GET', path: '/api/servers', tag, summary: 'Every upstream server: from the config file and registered at run time, with status',
    responses: { 200: { description: 'the servers', schema: z.object({ servers: z.array(ServerViewSchema) }) } },
    handle: async ({ services }) => ({ status: 200, body: { servers: await services.servers.list() } }),
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof RegisterServerBody>>({
    method: 'POST', path: '/api/servers', tag, summary: 'Register a server; it is connected at once and its tools join the catalog', body: RegisterServerBody,
    responses: { 201: { description: 'registered', schema: One }, 400: { description: 'invalid config (path names the field)' }, 409: { description: 'the name is taken' } },
    handle: async ({ services, body }) => ({ status: 201, body: { server: await services.servers.add(body.name, body.config) } }),
  }),
  route<z.infer<typeof ServerNameParams>, Record<string, never>, z.infer<typeof UpdateServerBody>>({
    method: 'PUT', path: '/api/servers/{name}', tag, summary: 'Replace a registered server\'s config (it is reconnected); an env or header value left empty keeps the stored one', params: ServerNameParams, body: UpdateServerBody,
    responses: { 200: { description: 'updated', schema: One }, 404: { description: 'no such registered server' }, 409: { description: 'defined in the config file' } },
    handle: async ({ services, params, body }) => ({ status: 200, body: { server: await services.servers.update(params.name, body.config) } }),
  }),
  route<z.infer<typeof ServerNameParams>>({
    method: 'DELETE', path: '/api/servers/{name}', tag, summary: 'Remove a registered server', params: ServerNameParams,
    responses: { 200: { description: 'removed', schema: z.object({ removed: z.string() }) }, 404: { description: 'no such registered server' }, 409: { description: 'defined in the config file' } },
    handle: async ({ services, params }) => {
      await services.servers.remove(params.name);
      return { status: 200, body: { removed: params.name } };
    },
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof TestServerBody>>({
    method: 'POST', path: '/api/servers/test', tag, summary: 'Connect to a server config, list its tools, disconnect', body: TestServerBody,
    responses: { 200: { description: 'whether it answered', schema: TestResultSchema } },
    handle: async ({ services, body }) => ({ status: 200, body: await services.servers.test(body.config) }),
  }),
  route<Record<string, never>, Record<string, never>, z.infer<typeof ImportServersBody>>({
    method: 'POST', path: '/api/servers/import', tag, summary: 'Register the servers of an MCP client config (`mcpServers`, as Claude Desktop, Cursor and VS Code write it)', body: ImportServersBody,
    responses: { 200: { description: 'what was imported and what was not, with why', schema: z.object({ imported: z.array(z.string()), skipped: z.array(z.object({ name: z.string(), reason: z.string() })) }) } },
    handle: async ({ services, body }) => ({ status: 200, body: await services.servers.importClientConfig(body) }),
  }),
];
