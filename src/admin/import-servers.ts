import type { z } from 'zod';
import { readClientConfig, type ClientConfigSchema } from '../config/client-config.js';
import type { ServerConfig } from '../config/schema.js';
import { describeIssues, type Parsed } from '../core/validation.js';
import type { ServerRegistry } from '../ports.js';

export interface ImportResult {
  readonly imported: string[];
  readonly skipped: { name: string; reason: string }[];
}

/**
 * Registers each server of a client's config (`mcpServers`) that validates and whose name is free (neither in
 * the config file nor registered); every other entry is reported with why it was left out.
 */
export async function importServers(
  document: z.infer<typeof ClientConfigSchema>,
  target: { registry: ServerRegistry; fileServers: readonly string[]; resolve: (raw: unknown) => Parsed<ServerConfig>; now: number },
): Promise<ImportResult> {
  const { candidates, skipped: unreadable } = readClientConfig(document);
  const result: ImportResult = { imported: [], skipped: [...unreadable] };
  const taken = new Set([...target.fileServers, ...(await target.registry.list()).map((r) => r.name)]);
  for (const { name, config } of candidates) {
    const parsed = target.resolve(config);
    if (!parsed.ok) result.skipped.push({ name, reason: describeIssues(parsed.issues) });
    else if (taken.has(name)) result.skipped.push({ name, reason: 'a server with this name already exists' });
    else {
      await target.registry.put(name, config, target.now);
      taken.add(name);
      result.imported.push(name);
    }
  }
  return result;
}
