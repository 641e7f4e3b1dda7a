import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Gateway } from '../proxy/gateway.js';
import { createSessionServer } from '../proxy/session.js';

/** `gatehouse stdio`: the process is one agent session, spoken to over its own stdin/stdout. */
export async function serveStdio(gateway: Gateway, agent: string): Promise<{ closed: Promise<void> }> {
  const { server, session } = createSessionServer(gateway, `stdio-${process.pid}`, agent);
  const transport = new StdioServerTransport();
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
  process.stdin.once('end', () => void server.close());
  return { closed };
}
