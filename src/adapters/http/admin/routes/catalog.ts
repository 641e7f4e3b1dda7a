import { z } from 'zod';
import { AdminError } from '../../../../admin/errors.js';
import type { CatalogEntry } from '../../../../core/catalog/entries.js';
import { suggestRule } from '../../../../core/policy/index.js';
import { attackPatternsFor } from '../../../../core/risk/index.js';
import type { Gateway } from '../../../../proxy/gateway.js';
import { route } from '../route.js';
import { CatalogQuery, CatalogToolSchema, ToolParams } from '../schemas.js';

const tag = 'catalog';

function catalogJson(gateway: Gateway, entry: CatalogEntry) {
  const { assessment } = entry;
  return {
    findings: gateway.guard.findings(entry.name),
    pin: gateway.guard.pinState(entry.name),
    server: entry.server,
    name: entry.name,
    upstreamName: entry.upstreamName,
    category: assessment.category,
    level: assessment.level,
    confidence: assessment.confidence,
    rationale: assessment.rationale,
    policy: entry.effect,
    rule: entry.rule,
    definitionHash: entry.definitionHash,
  };
}

export const catalogRoutes = [
  route<Record<string, never>, z.infer<typeof CatalogQuery>>({
    method: 'GET', path: '/api/catalog', tag, summary: 'Every tool the upstreams expose, classified, with what the policy does to it', query: CatalogQuery,
    responses: { 200: { description: 'tools and upstreams', schema: z.object({ tools: z.array(CatalogToolSchema), upstreams: z.array(z.object({ name: z.string(), status: z.string(), error: z.string().optional() })) }) } },
    handle: async ({ services: { gateway }, query }) => {
      const risk = query.risk?.toLowerCase();
      const tools = gateway
        .describeCatalog()
        .filter((e) => query.server === undefined || e.server === query.server)
        .filter((e) => !risk || e.assessment.level.toLowerCase() === risk || e.assessment.category.toLowerCase() === risk)
        .filter((e) => query.decision === undefined || e.effect === query.decision)
        .map((entry) => catalogJson(gateway, entry));
      const upstreams = gateway.upstreams.map((u) => ({ name: u.name, status: u.status, ...(u.lastError ? { error: u.lastError } : {}) }));
      return { status: 200, body: { tools, upstreams } };
    },
  }),
  route<z.infer<typeof ToolParams>>({
    method: 'GET', path: '/api/catalog/{tool}', tag, summary: 'One tool: classification, evidence, attack patterns and the recommended rule', params: ToolParams,
    responses: { 200: { description: 'the tool', schema: CatalogToolSchema.extend({ definition: z.unknown(), signals: z.array(z.unknown()), attackPatterns: z.array(z.unknown()), recommendedRule: z.unknown() }) }, 404: { description: 'no such tool' } },
    handle: async ({ services: { gateway }, params }) => {
      const entry = gateway.describeCatalog().find((e) => e.name === params.tool);
      if (!entry) throw new AdminError('not_found', `no upstream exposes a tool named '${params.tool}'`, 'tool');
      return {
        status: 200,
        body: {
          ...catalogJson(gateway, entry),
          definition: entry.definition,
          signals: entry.assessment.signals,
          attackPatterns: attackPatternsFor(entry.assessment),
          recommendedRule: suggestRule(entry.assessment, 'balanced'),
        },
      };
    },
  }),
  route({
    method: 'GET', path: '/api/pins', tag, summary: 'Tools held because their definition changed since it was approved, with a diff',
    responses: { 200: { description: 'changed definitions', schema: z.object({ changed: z.array(z.object({ tool: z.string(), server: z.string(), pinnedHash: z.string().optional(), currentHash: z.string(), diff: z.string() })) }) } },
    handle: async ({ services }) => ({ status: 200, body: { changed: await services.gateway.changedDefinitions() } }),
  }),
  route<z.infer<typeof ToolParams>>({
    method: 'POST', path: '/api/pins/{tool}/approve', tag, summary: 'Approve the definition a tool has now, so calls to it flow again', params: ToolParams,
    responses: { 200: { description: 'pinned', schema: z.object({ approved: z.object({ server: z.string(), tool: z.string(), hash: z.string() }) }) }, 404: { description: 'no such tool' } },
    handle: async ({ services, params }) => {
      const approved = await services.gateway.approveDefinition(params.tool);
      if (!approved) throw new AdminError('not_found', `no upstream exposes a tool named '${params.tool}'`, 'tool');
      return { status: 200, body: { approved } };
    },
  }),
];
