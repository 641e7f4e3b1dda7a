import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** The one call every bench measures: server-everything's `echo` tool with a fixed message. */
export const ECHO_MESSAGE = 'bench';
const EXPECTED_TEXT = `Echo: ${ECHO_MESSAGE}`;

/** Throws unless `result` is the echo tool's answer to ECHO_MESSAGE. */
export function checkEcho(result: unknown): void {
  const r = result as { isError?: boolean; content?: { type?: string; text?: string }[] };
  if (r.isError || r.content?.[0]?.text !== EXPECTED_TEXT) throw new Error(`unexpected tools/call result: ${JSON.stringify(result)}`);
}

/** One echo call through an SDK client, checked. */
export function sdkEchoCaller(client: Client): () => Promise<void> {
  return async () => checkEcho(await client.callTool({ name: 'echo', arguments: { message: ECHO_MESSAGE } }));
}

/** The raw JSON-RPC body of the echo call, with request id `id`. */
export function echoCallBody(id: number): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: ECHO_MESSAGE } } });
}
