import { setMaxListeners } from 'node:events';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';
import type { ServerConfig } from '../../config/schema.js';
import { StdioUpstreamTransport } from './stdio-transport.js';

/**
 * Builds the client transport for one upstream. Credentials (env, headers) come only from gateway config:
 * nothing from the downstream request is ever copied here.
 */
export async function createUpstreamTransport(name: string, server: ServerConfig, logger: Logger): Promise<Transport> {
  if (server.command !== undefined) {
    return new StdioUpstreamTransport({
      command: server.command,
      args: server.args,
      env: server.env,
      cwd: server.cwd,
      // Upstream stderr is diagnostics; in `gatehouse stdio` mode our stdout is the protocol, so it must not leak there.
      onStderr: (chunk) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logger.debug({ upstream: name, stderr: line }, 'upstream stderr');
      },
    });
  }
  // The HTTP client transports, with the SDK's OAuth client and an EventSource under them, are loaded only for
  // servers reached over HTTP: a gateway of stdio servers would keep them resident for nothing.
  const url = new URL(server.url as string);
  const options = { requestInit: { headers: server.headers } satisfies RequestInit, fetch: fetchWithoutListenerWarnings };
  if (server.transport === 'sse') return new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, options);
  return new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(url, options);
}

/**
 * The SDK passes one long-lived AbortSignal to every fetch of a transport, and fetch adds an abort listener per
 * request that is only dropped when that request is collected, so under load Node warns on every call. Lifting
 * the listener limit on that signal is the fix; a finite limit would stop fetch from raising it itself.
 */
const fetchWithoutListenerWarnings: typeof fetch = (input, init) => {
  if (init?.signal) setMaxListeners(0, init.signal);
  return fetch(input, init);
}
