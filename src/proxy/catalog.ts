import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { PrefixMode } from '../config/schema.js';
import type { Upstream } from './upstream.js';

export interface Routed<T> {
  readonly upstream: Upstream;
  /** The name the upstream knows it by. */
  readonly upstreamName: string;
  /** The definition as agents see it (name possibly prefixed; everything else untouched). */
  readonly definition: T;
}

export interface Collision {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly name: string;
  readonly servers: readonly string[];
}

export interface Catalog {
  readonly tools: ReadonlyMap<string, Routed<Tool>>;
  readonly prompts: ReadonlyMap<string, Routed<Prompt>>;
  readonly resources: ReadonlyMap<string, Routed<Resource>>;
  readonly templates: readonly (Routed<ResourceTemplate> & { readonly matcher: UriTemplate })[];
  readonly collisions: readonly Collision[];
}

export class CatalogCollisionError extends Error {
  constructor(readonly collisions: readonly Collision[]) {
    super(`name collisions with prefix mode "never": ${collisions.map((c) => `${c.kind} '${c.name}' from ${c.servers.join(', ')}`).join('; ')}`);
    this.name = 'CatalogCollisionError';
  }
}

/**
 * Merges named items (tools or prompts) of every upstream under one namespace. In `on-collision` mode only the
 * names that clash are prefixed, on every server that has them; in `never` mode a clash keeps the first
 * server's item and is reported (a startup error, see `assertNoCollisions`), never shadowed silently.
 */
function mergeNamed<T extends { name: string }>(
  kind: 'tool' | 'prompt',
  upstreams: readonly Upstream[],
  itemsOf: (u: Upstream) => readonly T[],
  mode: PrefixMode,
  separator: string,
  collisions: Collision[],
): Map<string, Routed<T>> {
  const owners = new Map<string, string[]>();
  for (const upstream of upstreams) {
    for (const item of itemsOf(upstream)) owners.set(item.name, [...(owners.get(item.name) ?? []), upstream.name]);
  }
  for (const [name, servers] of owners) if (servers.length > 1) collisions.push({ kind, name, servers });
  const merged = new Map<string, Routed<T>>();
  for (const upstream of upstreams) {
    for (const item of itemsOf(upstream)) {
      const clashes = (owners.get(item.name)?.length ?? 0) > 1;
      const prefixed = mode === 'always' || (mode === 'on-collision' && clashes);
      const exposed = prefixed ? `${upstream.name}${separator}${item.name}` : item.name;
      if (merged.has(exposed)) continue;
      merged.set(exposed, { upstream, upstreamName: item.name, definition: prefixed ? { ...item, name: exposed } : item });
    }
  }
  return merged;
}

export function buildCatalog(upstreams: readonly Upstream[], mode: PrefixMode, separator: string): Catalog {
  const collisions: Collision[] = [];
  const tools = mergeNamed('tool', upstreams, (u) => u.tools, mode, separator, collisions);
  const prompts = mergeNamed('prompt', upstreams, (u) => u.prompts, mode, separator, collisions);
  // Resources are addressed by URI, which is already global; two servers listing one URI is reported and the
  // first keeps it.
  const resources = new Map<string, Routed<Resource>>();
  const uriOwners = new Map<string, string[]>();
  for (const upstream of upstreams) {
    for (const resource of upstream.resources) {
      uriOwners.set(resource.uri, [...(uriOwners.get(resource.uri) ?? []), upstream.name]);
      if (!resources.has(resource.uri)) resources.set(resource.uri, { upstream, upstreamName: resource.uri, definition: resource });
    }
  }
  for (const [name, servers] of uriOwners) if (servers.length > 1) collisions.push({ kind: 'resource', name, servers });
  const templates = upstreams.flatMap((upstream) =>
    upstream.resourceTemplates.map((definition) => ({ upstream, upstreamName: definition.uriTemplate, definition, matcher: new UriTemplate(definition.uriTemplate) })),
  );
  return { tools, prompts, resources, templates, collisions };
}

export function assertNoCollisions(catalog: Catalog, mode: PrefixMode): void {
  const clashes = catalog.collisions.filter((c) => c.kind !== 'resource');
  if (mode === 'never' && clashes.length > 0) throw new CatalogCollisionError(clashes);
}

/** The upstream that serves a resource URI: a listed resource first, then the first template that matches. */
export function routeResource(catalog: Catalog, uri: string): Upstream | undefined {
  const listed = catalog.resources.get(uri);
  if (listed) return listed.upstream;
  return catalog.templates.find((t) => t.matcher.match(uri) !== null)?.upstream;
}
