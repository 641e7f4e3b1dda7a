import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file runs from dist/bench/lib/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/**
 * The gatehouse CLI the benches start. `BENCH_GATEHOUSE_MAIN` points them at another build (e.g. a merge that
 * is not checked out) without changing the bench itself.
 */
export const MAIN_JS = resolve(process.env['BENCH_GATEHOUSE_MAIN'] ?? join(ROOT, 'dist', 'src', 'cli', 'main.js'));
/** The upstream every bench uses: @modelcontextprotocol/server-everything, over stdio. */
export const EVERYTHING = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
export const EVERYTHING_ARGS = [EVERYTHING, 'stdio'] as const;

export interface GatehouseConfigOptions {
  /** How many server-everything upstreams (named everything, everything2, …); 1 unless told. */
  readonly upstreams?: number;
  readonly responseMode?: 'sse' | 'json';
  readonly maxSessionsPerAgent?: number;
  /** listen.transport: the gateway's own Streamable HTTP transport (`node`, the default) or the SDK's. */
  readonly transport?: 'node' | 'sdk';
}

/**
 * Writes a policy and a gatehouse config into `dir` and returns the config's path. Policy, an in-memory rate
 * limit and the SQLite audit (in `dir`) are all on, as in a real deployment; the limit never refuses.
 * The gateway listens on 127.0.0.1, port 0, logs at warn and does not watch the policy file.
 */
export function writeGatehouseConfig(dir: string, options: GatehouseConfigOptions = {}): string {
  const policyFile = join(dir, 'policy.json');
  const configFile = join(dir, 'gatehouse.json');
  writeFileSync(policyFile, JSON.stringify({ version: '1', default: 'deny', tools: { echo: { rate_limit: { max: 1_000_000_000, window: 1 } } } }));
  const servers: Record<string, unknown> = {};
  for (let i = 1; i <= (options.upstreams ?? 1); i++) servers[i === 1 ? 'everything' : `everything${i}`] = { command: process.execPath, args: [...EVERYTHING_ARGS] };
  writeFileSync(
    configFile,
    JSON.stringify({
      listen: {
        host: '127.0.0.1',
        port: 0,
        response_mode: options.responseMode ?? 'sse',
        transport: options.transport ?? 'node',
        ...(options.maxSessionsPerAgent ? { max_sessions_per_agent: options.maxSessionsPerAgent } : {}),
      },
      policy: { path: policyFile, watch: false },
      storage: { sqlite_path: join(dir, 'gatehouse.db') },
      log_level: 'warn',
      servers,
    }),
  );
  return configFile;
}
