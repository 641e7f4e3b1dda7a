import { z } from 'zod';
import type { Route } from './route.js';
import { ErrorSchema } from './schemas.js';

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function parameters(route: Route): unknown[] {
  const from = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return [];
    const object = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    return Object.entries(object.properties ?? {}).map(([name, property]) => ({ name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: property }));
  };
  return [...from('path', route.params), ...from('query', route.query)];
}

/** The OpenAPI 3.1 description of the admin API, generated from the zod schemas that validate its requests. */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const described: Route['responses'] = { ...route.responses, 400: route.responses[400] ?? { description: 'bad input; `path` names the field' }, 401: { description: 'missing or wrong admin token' } };
    const responses = Object.fromEntries(
      Object.entries(described).map(([status, response]) => {
        const schema = response.schema ?? (Number(status) >= 400 ? ErrorSchema : undefined);
        const contentType = response.contentType ?? 'application/json';
        return [status, { description: response.description, ...(schema || response.contentType ? { content: { [contentType]: schema ? { schema: jsonSchema(schema) } : {} } } : {}) }];
      }),
    );
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      ...(parameters(route).length > 0 ? { parameters: parameters(route) } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version, description: 'Manage servers, policy, approvals, audit and agent keys of a Gatehouse MCP gateway.' },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'the admin.token of the gateway config' } } },
    security: [{ adminToken: [] }],
    paths,
  };
}
