/**
 * The floor of the peer bench: the least a Node process can do to relay MCP over Streamable HTTP to one stdio
 * upstream. node:http, one child process, request ids rewritten so that every client's ids stay distinct upstream,
 * replies sent as plain JSON. No sessions (one fixed Mcp-Session-Id for everyone), no validation, no policy, no
 * audit: not a gateway anyone should deploy, only the cost of the hop itself, measured in the same run as the rest.
 *
 * Run: node dist/bench/lib/minimal-forwarder.js <port> <command> [args…]   (prints "listening <port>" when ready)
 */
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';

const [portArg, command, ...args] = process.argv.slice(2);
if (portArg === undefined || command === undefined) throw new Error('usage: minimal-forwarder.js <port> <command> [args…]');

const SESSION_ID = 'minimal-forwarder';
const upstream = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
upstream.on('exit', (code) => process.exit(code ?? 1));

/** Upstream id → the response waiting for it and the id its client used. */
const waiting = new Map<number, { res: ServerResponse; id: unknown }>();
let nextId = 0;
let partial = '';

upstream.stdout.setEncoding('utf8');
upstream.stdout.on('data', (chunk: string) => {
  partial += chunk;
  for (let end = partial.indexOf('\n'); end !== -1; end = partial.indexOf('\n')) {
    const message = JSON.parse(partial.slice(0, end)) as { id?: number };
    partial = partial.slice(end + 1);
    const waiter = message.id === undefined ? undefined : waiting.get(message.id);
    if (waiter === undefined || message.id === undefined) continue; // notifications and server requests: dropped
    waiting.delete(message.id);
    const body = JSON.stringify({ ...message, id: waiter.id });
    waiter.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'mcp-session-id': SESSION_ID });
    waiter.res.end(body);
  }
});

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return void res.writeHead(200).end();
  // No standalone SSE stream: the SDK client accepts 405 and goes on without one.
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown };
    if (message.id === undefined) {
      upstream.stdin.write(`${JSON.stringify(message)}\n`);
      return void res.writeHead(202, { 'mcp-session-id': SESSION_ID }).end();
    }
    const id = ++nextId;
    waiting.set(id, { res, id: message.id });
    upstream.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
  });
});
server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write(`listening ${portArg}\n`));
