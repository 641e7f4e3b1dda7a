import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';
import type { ServerConfig } from '../../config/schema.js';

/**
 * Builds the client transport for one upstream. Credentials (env, headers) come only from gateway config:
 * nothing from the downstream request is ever copied here.
 */
export function createUpstreamTransport(name: string, server: ServerConfig, logger: Logger): Transport {
  if (server.command !== undefined) {
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      // The SDK adds only a safe default set of the gateway's own variables (PATH, HOME, …), not its secrets.
      env: server.env,
      ...(server.cwd !== undefined ? { cwd: server.cwd } : {}),
      stderr: 'pipe',
    });
    // Upstream stderr is diagnostics; in `gatehouse stdio` mode our stdout is the protocol, so it must not leak there.
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logger.debug({ upstream: name, stderr: line }, 'upstream stderr');
    });
    return transport;
  }
  const url = new URL(server.url as string);
  const requestInit: RequestInit = { headers: server.headers };
  return server.transport === 'sse' ? new SSEClientTransport(url, { requestInit }) : new StreamableHTTPClientTransport(url, { requestInit });
}
