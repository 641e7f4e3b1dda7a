import { GATEHOUSE_VERSION } from '../../version.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Logger } from 'pino';
import type { ServerConfig } from '../../config/schema.js';
import { createUpstreamTransport } from './transport.js';

/**
 * "Test connection": connects to a server the way the gateway would, reads the first page of its tools, and
 * disconnects. Bounded by `timeoutMs` (connect and list together); rejects with the cause.
 */
export async function probeServer(name: string, server: ServerConfig, timeoutMs: number, logger: Logger): Promise<string[]> {
  const client = new Client({ name: 'gatehouse-probe', version: GATEHOUSE_VERSION });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await client.connect(await createUpstreamTransport(name, server, logger), { signal, timeout: timeoutMs });
    if (!client.getServerCapabilities()?.tools) return [];
    const { tools } = await client.listTools(undefined, { signal, timeout: timeoutMs });
    return tools.map((t) => t.name);
  } finally {
    await client.close().catch(() => undefined);
  }
}
