import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { coalesceWrites } from './coalesce-writes.js';
import { LineLimit } from './line-limit.js';
import type { Gateway } from '../proxy/gateway.js';
import { createSessionServer } from '../proxy/session.js';

/** `gatehouse stdio`: the process is one agent session, spoken to over its own stdin/stdout. */
export async function serveStdio(gateway: Gateway, agent: string, maxMessageBytes: number): Promise<{ closed: Promise<void> }> {
  const { server, session } = createSessionServer(gateway, `stdio-${process.pid}`, agent);
  const input = process.stdin.pipe(
    new LineLimit(maxMessageBytes, () => {
      gateway.logger.warn({ limit: maxMessageBytes }, 'oversized message on stdin dropped');
      process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message: `message exceeds ${maxMessageBytes} bytes and was dropped` } })}\n`);
    }),
  );
  const transport = new StdioServerTransport(input, coalesceWrites(process.stdout));
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const onClose = server.onclose;
  server.onclose = () => {
    onClose?.();
    resolveClosed();
  };
  gateway.addSession(session);
  await server.connect(transport);
  // The agent closing our stdin ends the session, and with it the process.
  input.once('end', () => void server.close());
  return { closed };
}
