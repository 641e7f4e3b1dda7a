import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { StdioUpstreamTransport } from '../../src/adapters/upstream/stdio-transport.js';
import { eventually } from '../helpers/harness.js';

/**
 * A child that reports, for each chunk its stdin delivers, how many lines it held, then runs the commands in it:
 * `{"say": "<raw text>"}` writes that text to stdout as is (split across writes with `{"parts": [...]}`), and
 * `{"ignore-eof": true}` makes it outlive the end of its stdin.
 */
const CHILD = `
let ignoreEof = false;
process.stdin.on('data', (chunk) => {
  const lines = chunk.toString().split('\\n').filter(Boolean);
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'chunk', params: { lines: lines.length } }) + '\\n');
  for (const line of lines) {
    const m = JSON.parse(line);
    const command = m.params ?? {};
    if (command.say !== undefined) process.stdout.write(command.say);
    if (command.parts !== undefined) command.parts.forEach((part, i) => setTimeout(() => process.stdout.write(part), 20 * (i + 1)));
    if (command['ignore-eof']) ignoreEof = true;
  }
});
process.stdin.on('end', () => { if (!ignoreEof) process.exit(0); else setInterval(() => {}, 1000); });
process.on('SIGTERM', () => { if (!ignoreEof) process.exit(0); });
`;

function childTransport(options: { maxLineBytes?: number } = {}): { transport: StdioUpstreamTransport; messages: JSONRPCMessage[]; errors: Error[] } {
  const transport = new StdioUpstreamTransport({ command: process.execPath, args: ['-e', CHILD], ...options });
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (message) => messages.push(message);
  transport.onerror = (error) => errors.push(error);
  return { transport, messages, errors };
}

const command = (params: Record<string, unknown>): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'command', params });

/** Waits for `promise`, failing (not hanging) after `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const chunkReports = (messages: JSONRPCMessage[]) => messages.filter((m) => 'method' in m && m.method === 'chunk').map((m) => (m as unknown as { params: { lines: number } }).params.lines);

describe('StdioUpstreamTransport', () => {
  it('sends the messages of one event-loop turn in one write, and later ones in their own', async () => {
    const { transport, messages } = childTransport();
    await transport.start();
    try {
      const sent = [transport.send(command({})), transport.send(command({})), transport.send(command({}))];
      await Promise.resolve();
      sent.push(transport.send(command({})));
      await Promise.all(sent);
      await eventually(() => chunkReports(messages).length === 1);
      await transport.send(command({}));
      await eventually(() => chunkReports(messages).length === 2);
      assert.deepEqual(chunkReports(messages), [4, 1]);
    } finally {
      await transport.close();
    }
  });

  it('reassembles lines split across reads, accepts CRLF, reports a bad line and goes on', async () => {
    const { transport, messages, errors } = childTransport();
    await transport.start();
    try {
      const parts = ['{"jsonrpc":"2.0","id":7,', '"result":{"a":1}}\r\n', 'not json\n', '{"jsonrpc":"2.0","id":8,"result":{}}\n'];
      await transport.send(command({ parts }));
      await eventually(() => messages.some((m) => 'id' in m && m.id === 8));
      assert.deepEqual(
        messages.filter((m) => 'id' in m),
        [
          { jsonrpc: '2.0', id: 7, result: { a: 1 } },
          { jsonrpc: '2.0', id: 8, result: {} },
        ],
      );
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /JSON/);
    } finally {
      await transport.close();
    }
  });

  /** Each way an over-long line can arrive: `delivered` is the id of a complete line before it, `notDelivered` that of the long line. */
  const overlong: { name: string; command: Record<string, unknown>; delivered?: number; notDelivered?: number }[] = [
    { name: 'a line without an end in sight', command: { say: 'x'.repeat(5000) } },
    { name: 'one that starts in the same read as a complete line', command: { say: `{"jsonrpc":"2.0","id":9,"result":{}}\n${'x'.repeat(5000)}` }, delivered: 9 },
    { name: 'one assembled from several reads', command: { parts: ['{"jsonrpc":"2.0","id":10,"result":{"a":"', 'y'.repeat(900), `${'y'.repeat(200)}"}}\n`] }, notDelivered: 10 },
  ];
  for (const { name, command: say, delivered, notDelivered } of overlong) {
    it(`closes the connection, with an error, on a line over the limit: ${name}`, async () => {
      const { transport, messages, errors } = childTransport({ maxLineBytes: 1000 });
      const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
      await transport.start();
      try {
        await transport.send(command(say));
        await within(closed, 'the transport to close');
        assert.match(errors.map((e) => e.message).join('; '), /exceeds 1000 bytes/);
        const ids = messages.flatMap((m) => ('id' in m ? [m.id] : []));
        if (delivered !== undefined) assert.ok(ids.includes(delivered), 'the complete line before it is delivered');
        if (notDelivered !== undefined) assert.ok(!ids.includes(notDelivered), 'the long line is not delivered');
        await assert.rejects(transport.send(command({})), /Not connected/);
      } finally {
        await transport.close();
      }
    });
  }

  it('ends a server that ignores the end of its stdin with SIGTERM, and one that ignores that with SIGKILL', async () => {
    const { transport, messages } = childTransport();
    await transport.start();
    const pid = transport.pid;
    assert.ok(pid);
    await transport.send(command({ 'ignore-eof': true }));
    await eventually(() => chunkReports(messages).length === 1);
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
    await transport.close();
    await within(closed, 'the server to exit');
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  it('fails to start, with the reason, when the command does not exist', async () => {
    const transport = new StdioUpstreamTransport({ command: '/nonexistent/gatehouse-test-server' });
    transport.onerror = () => undefined;
    await assert.rejects(transport.start(), /ENOENT/);
  });

  it('passes only the default environment plus what the config names', async () => {
    const secret = 'GATEHOUSE_TEST_SECRET';
    process.env[secret] = 'leak';
    const transport = new StdioUpstreamTransport({
      command: process.execPath,
      args: ['-e', `process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'env', params: { secret: process.env.${secret} ?? null, given: process.env.GIVEN ?? null, path: Boolean(process.env.PATH) } }) + '\\n')`],
      env: { GIVEN: 'yes' },
    });
    const messages: JSONRPCMessage[] = [];
    transport.onmessage = (m) => messages.push(m);
    try {
      await transport.start();
      await eventually(() => messages.length === 1);
      assert.deepEqual((messages[0] as { params: unknown }).params, { secret: null, given: 'yes', path: true });
    } finally {
      delete process.env[secret];
      await transport.close();
    }
  });
});
