import type { CompiledPolicy, PolicyEffect } from '../policy/index.js';
import { classifyTool, type RiskAssessment, type RiskCategory, type RiskLevel } from '../risk/index.js';
import { definitionHash } from './definition-hash.js';

export interface CatalogTool {
  readonly server: string;
  /** The name agents see (prefixed where the gateway prefixes). */
  readonly name: string;
  readonly upstreamName: string;
  readonly definition: { name: string; title?: string | undefined; description?: string | undefined; inputSchema?: unknown; outputSchema?: unknown; annotations?: unknown };
}

export interface CatalogEntry extends CatalogTool {
  readonly definitionHash: string;
  readonly assessment: RiskAssessment;
  readonly effect: PolicyEffect;
  /** The policy entry that decides calls to this tool (`tools.x`, `default`, …). */
  readonly rule: string;
}

export type RiskOverrides = Readonly<Record<string, { category?: RiskCategory | undefined; level?: RiskLevel | undefined }>>;

/** Classifies each tool (with any configured override) and says what the policy does with it. */
export function catalogEntries(tools: readonly CatalogTool[], policy: CompiledPolicy | undefined, overrides: RiskOverrides = {}): CatalogEntry[] {
  return tools.map((tool) => {
    const override = overrides[tool.name] ?? overrides[`${tool.server}/${tool.upstreamName}`];
    const options = override
      ? { override: { ...(override.category ? { category: override.category } : {}), ...(override.level ? { level: override.level } : {}) } }
      : {};
    const assessment = classifyTool({ ...tool.definition, name: tool.upstreamName, server: tool.server }, options);
    const effect: PolicyEffect = policy ? policy.effect(tool.name) : 'deny';
    const rule = effect === 'hidden' ? 'hide' : (policy?.decide(tool.name).rule ?? 'gateway');
    // Hashed under the upstream's own name, so changing the prefix mode does not look like a changed definition.
    return { ...tool, definitionHash: definitionHash({ ...tool.definition, name: tool.upstreamName }), assessment, effect, rule };
  });
}
