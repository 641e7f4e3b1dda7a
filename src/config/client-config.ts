import { z } from 'zod';
import { SERVER_NAME, SERVER_NAME_RULE } from './schema.js';

/**
 * One server as MCP clients write it: Claude Desktop and Cursor (`mcpServers`), VS Code (`servers`). Unknown fields
 * are tolerated (clients add their own), and only the ones a gateway can honour are carried over.
 */
const ClientServerSchema = z.looseObject({
  type: z.string().optional(),
  transport: z.string().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  disabled: z.boolean().optional(),
});

export const ClientConfigSchema = z.looseObject({
  mcpServers: z.record(z.string(), z.unknown()).optional(),
  servers: z.record(z.string(), z.unknown()).optional(),
});

export interface ImportCandidate {
  readonly name: string;
  /** A `servers.<name>` entry for gatehouse, still to be validated like any other. */
  readonly config: Record<string, unknown>;
}

export interface ClientConfigImport {
  readonly candidates: readonly ImportCandidate[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

const TRANSPORTS: Record<string, 'stdio' | 'streamable-http' | 'sse'> = {
  stdio: 'stdio',
  http: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamableHttp: 'streamable-http',
  sse: 'sse',
};

function toServerConfig(entry: z.infer<typeof ClientServerSchema>): Record<string, unknown> | string {
  const declared = entry.type ?? entry.transport;
  const transport = declared === undefined ? undefined : TRANSPORTS[declared];
  if (declared !== undefined && transport === undefined) return `unknown transport "${declared}"`;
  const config: Record<string, unknown> = {};
  if (transport !== undefined) config['transport'] = transport;
  if (entry.command !== undefined) config['command'] = entry.command;
  if (entry.args !== undefined) config['args'] = entry.args;
  if (entry.env !== undefined) config['env'] = entry.env;
  if (entry.cwd !== undefined) config['cwd'] = entry.cwd;
  if (entry.url !== undefined) config['url'] = entry.url;
  if (entry.headers !== undefined) config['headers'] = entry.headers;
  if (entry.disabled === true) config['enabled'] = false;
  return config;
}

/** Reads the servers out of a client's config file; each entry that cannot be carried over is named with why. */
export function readClientConfig(document: z.infer<typeof ClientConfigSchema>): ClientConfigImport {
  const entries = Object.entries({ ...document.servers, ...document.mcpServers });
  const candidates: ImportCandidate[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, value] of entries) {
    if (!SERVER_NAME.test(name)) {
      skipped.push({ name, reason: SERVER_NAME_RULE });
      continue;
    }
    const entry = ClientServerSchema.safeParse(value);
    const config = entry.success ? toServerConfig(entry.data) : 'not a server entry (expected an object with "command" or "url")';
    if (typeof config === 'string') skipped.push({ name, reason: config });
    else candidates.push({ name, config });
  }
  return { candidates, skipped };
}
