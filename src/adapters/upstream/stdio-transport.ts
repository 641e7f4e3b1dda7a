import type { ChildProcess } from 'node:child_process';
import spawn from 'cross-spawn';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { parseJsonRpcMessage } from '../jsonrpc-message.js';

export interface StdioUpstreamOptions {
  readonly command: string;
  readonly args?: readonly string[] | undefined;
  /** Added to the SDK's safe default set of the gateway's own variables (PATH, HOME, …), never all of them. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  /** Each chunk the server writes to stderr (its diagnostics). */
  readonly onStderr?: ((chunk: Buffer) => void) | undefined;
  /** A line longer than this is an error and closes the connection. Default 10 MiB, as the SDK's. */
  readonly maxLineBytes?: number | undefined;
}

const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;
/** How long close() waits after ending stdin, and again after SIGTERM, before the next, harder step. */
const CLOSE_GRACE_MS = 2000;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The client side of MCP over stdio to one upstream process: newline-delimited JSON-RPC on its stdin and stdout.
 *
 * Why not the SDK's StdioClientTransport: it makes one write(2) to the pipe per message. With many calls in
 * flight, the requests an event-loop turn produces (one per HTTP request that arrived in it) go out here in a
 * single write, queued until the turn's check phase (`setImmediate`), which the peer benchmark measured as fewer
 * wake-ups of the upstream and less gateway CPU per call. Nothing waits longer than the current turn. Incoming
 * lines get the SDK's own validation (`parseJsonRpcMessage`). Process handling is the SDK's: the same default
 * environment, and on close stdin is ended, then SIGTERM, then SIGKILL.
 */
export class StdioUpstreamTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];

  private child: ChildProcess | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly maxLineBytes: number;

  constructor(private readonly options: StdioUpstreamOptions) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** The server's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error('StdioUpstreamTransport already started'));
    const { command, args = [], env, cwd } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        env: { ...getDefaultEnvironment(), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        ...(cwd !== undefined ? { cwd } : {}),
      });
      this.child = child;
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('close', () => {
        if (this.child === child) this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => this.read(chunk));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      const { onStderr } = this.options;
      if (onStderr) child.stderr?.on('data', onStderr);
      else child.stderr?.resume();
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!this.child?.stdin) return Promise.reject(new Error('Not connected'));
    this.pending.push(JSON.stringify(message) + '\n');
    this.flushing ??= new Promise((resolve) => setImmediate(() => this.flush(resolve)));
    return this.flushing;
  }

  private flush(done: () => void): void {
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    this.flushing = undefined;
    const stdin = this.child?.stdin;
    // Closed in between: the caller's request times out or fails with the connection, as with the SDK's transport.
    if (!stdin || stdin.destroyed) return done();
    if (stdin.write(text)) done();
    else stdin.once('drain', done);
  }

  private read(chunk: Buffer): void {
    if (chunk.indexOf(NEWLINE) === -1) {
      // Part of a line: kept as chunks, joined once its end arrives (not re-copied on every chunk).
      this.keepPartial(chunk);
      return;
    }
    const buffer = this.partial.length > 0 ? Buffer.concat([...this.partial, chunk]) : chunk;
    this.partial = [];
    this.partialBytes = 0;
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE); end !== -1; end = buffer.indexOf(NEWLINE, start)) {
      if (end - start > this.maxLineBytes) return this.overflow();
      const line = buffer.toString('utf8', start, end > start && buffer[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
      start = end + 1;
      this.deliver(line);
      // A message handler may have closed the connection; the rest of the buffer belongs to no one.
      if (!this.child) return;
    }
    if (start < buffer.length) this.keepPartial(buffer.subarray(start));
  }

  /** Holds the start of a line; more than the limit is an error that closes the connection, wherever the line began. */
  private keepPartial(part: Buffer): void {
    this.partial.push(part);
    this.partialBytes += part.length;
    if (this.partialBytes > this.maxLineBytes) this.overflow();
  }

  private overflow(): void {
    this.partial = [];
    this.partialBytes = 0;
    this.onerror?.(new Error(`a message from the server exceeds ${this.maxLineBytes} bytes`));
    void this.close();
  }

  private deliver(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = parseJsonRpcMessage(JSON.parse(line));
    } catch (error) {
      // One bad line is reported and skipped; the connection goes on, as with the SDK's transport.
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.onmessage?.(message);
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.partial = [];
    this.partialBytes = 0;
    if (!child) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const within = (ms: number) => Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
    child.stdin?.end();
    await within(CLOSE_GRACE_MS);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await within(CLOSE_GRACE_MS);
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
