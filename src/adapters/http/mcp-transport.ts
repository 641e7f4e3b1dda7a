import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  SUPPORTED_PROTOCOL_VERSIONS,
  isInitializeRequest,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { sendJsonRpcError } from './jsonrpc-error.js';
import { parseJsonRpcMessage } from '../jsonrpc-message.js';

/** The SDK's code for an unknown session (not in its ErrorCode enum). */
const SESSION_NOT_FOUND = -32001 as ErrorCode;

/** Idle SSE streams get a comment line this often, so proxies and clients do not drop a call held for approval. */
const KEEPALIVE_MS = 15_000;

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' };

/** One HTTP answer in progress: the POST that carried requests (its replies go here), or the GET stream. */
interface Stream {
  readonly res: ServerResponse;
  /** JSON framing: replies are collected and written as one body once every request of the POST is answered. */
  readonly json: boolean;
  readonly ids: readonly RequestId[];
  readonly replies: Map<RequestId, JSONRPCMessage>;
  keepalive: NodeJS.Timeout | undefined;
}

export interface NodeTransportOptions {
  readonly sessionId: string;
  /** Answer POSTs with one JSON body instead of an SSE stream. */
  readonly jsonResponse: boolean;
  readonly onsessioninitialized: (sessionId: string) => void;
}

/**
 * The server side of MCP Streamable HTTP for one session, written against Node's own request and response.
 *
 * Why not the SDK's StreamableHTTPServerTransport: it converts every POST from Node's objects into a Web
 * Request, Response and ReadableStream and back (through @hono/node-server), which the peer benchmark measured
 * as the largest part of the gateway's cost per call (bench/README.md). This class keeps the same wire
 * behaviour — status codes, headers, SSE framing, JSON framing, one GET stream, DELETE — and is a plain SDK
 * `Transport`, so the SDK `Server` on top and every SDK client are unchanged. It does not implement resumable
 * streams (Last-Event-ID), which the gateway never enabled; `listen.transport: sdk` selects the SDK's transport.
 *
 * The HTTP edge (server.ts) has already checked Host/Origin, the body size, that the body is JSON and that every
 * message is shaped like JSON-RPC, and routed the request to this session by its Mcp-Session-Id.
 */
export class NodeStreamableTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  sessionId: string | undefined;

  private initialized = false;
  private closed = false;
  private readonly byRequest = new Map<RequestId, Stream>();
  private standalone: Stream | undefined;

  constructor(private readonly options: NodeTransportOptions) {}

  async start(): Promise<void> {}

  async handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    if (this.closed) return sendJsonRpcError(res, 404, SESSION_NOT_FOUND, 'Session not found');
    if (req.method === 'POST') return this.handlePost(req, res, body);
    if (req.method === 'GET') return this.handleGet(req, res);
    if (req.method === 'DELETE') return this.handleDelete(req, res);
    return sendJsonRpcError(res, 405, ErrorCode.ConnectionClosed, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
  }

  private handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return sendJsonRpcError(res, 406, ErrorCode.ConnectionClosed, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendJsonRpcError(res, 415, ErrorCode.ConnectionClosed, 'Unsupported Media Type: Content-Type must be application/json');
    }
    // Parsed as the SDK's transport does: the schema drops fields a message's kind does not have, so a request
    // that also carries "result" is handled, and answered, as the request it is.
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map(parseJsonRpcMessage);
    } catch {
      return sendJsonRpcError(res, 400, ErrorCode.ParseError, 'Parse error: Invalid JSON-RPC message');
    }
    const initialize = messages.find(isInitialize);
    if (initialize) {
      if (this.initialized) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: Server already initialized');
      if (messages.length > 1) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Invalid Request: Only one initialization request is allowed');
      this.sessionId = this.options.sessionId;
      this.initialized = true;
      this.options.onsessioninitialized(this.sessionId);
    } else if (!this.checkSession(req, res)) {
      return;
    }
    const requestInfo = { headers: req.headers };
    const ids = messages.filter(isRequest).map((m) => m.id);
    if (ids.length === 0) {
      // Notifications and responses only: accepted, nothing to answer.
      res.writeHead(202).end();
      for (const message of messages) this.onmessage?.(message, { requestInfo });
      return;
    }
    const stream: Stream = { res, json: this.options.jsonResponse, ids, replies: new Map(), keepalive: undefined };
    for (const id of ids) this.byRequest.set(id, stream);
    res.once('close', () => this.forget(stream));
    if (!stream.json) {
      // Set, not written: the headers leave with the first event, in the same write (most calls have one event,
      // the reply, sent as the whole body; see send). A call that waits longer gets them with the first keepalive.
      for (const [name, value] of Object.entries(SSE_HEADERS)) res.setHeader(name, value);
      if (this.sessionId) res.setHeader('mcp-session-id', this.sessionId);
      this.keepAlive(stream);
    }
    for (const message of messages) this.onmessage?.(message, { requestInfo });
  }

  private handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return sendJsonRpcError(res, 406, ErrorCode.ConnectionClosed, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.checkSession(req, res)) return;
    if (this.standalone) return sendJsonRpcError(res, 409, ErrorCode.ConnectionClosed, 'Conflict: Only one SSE stream is allowed per session');
    const stream: Stream = { res, json: false, ids: [], replies: new Map(), keepalive: undefined };
    this.standalone = stream;
    res.once('close', () => this.forget(stream));
    res.writeHead(200, { ...SSE_HEADERS, ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}) });
    res.flushHeaders();
    this.keepAlive(stream);
  }

  private async handleDelete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.checkSession(req, res)) return;
    res.writeHead(200).end();
    await this.close();
  }

  /** The session header must name this session, and a protocol version, when given, must be one the SDK speaks. */
  private checkSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.initialized) {
      sendJsonRpcError(res, 400, ErrorCode.ConnectionClosed, 'Bad Request: Server not initialized');
      return false;
    }
    const header = req.headers['mcp-session-id'];
    if (header === undefined) {
      sendJsonRpcError(res, 400, ErrorCode.ConnectionClosed, 'Bad Request: Mcp-Session-Id header is required');
      return false;
    }
    if (header !== this.sessionId) {
      sendJsonRpcError(res, 404, SESSION_NOT_FOUND, 'Session not found');
      return false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      sendJsonRpcError(res, 400, ErrorCode.ConnectionClosed, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
      return false;
    }
    return true;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isReply = isResponse(message);
    const requestId = isReply ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      // Unrelated to any request: the GET stream, if the client opened one; otherwise it is dropped, as the spec allows.
      if (this.standalone) this.standalone.res.write(sseEvent(message));
      return;
    }
    const stream = this.byRequest.get(requestId);
    if (!stream) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    if (isReply) stream.replies.set(requestId, message);
    const complete = isReply && stream.replies.size === stream.ids.length;
    if (!stream.json) {
      const event = sseEvent(message);
      if (!complete) stream.res.write(event);
      else {
        // The last reply ends the response in the same write; when it is the only event, its length is known, so
        // headers and body go out in one plain write instead of chunked framing.
        if (!stream.res.headersSent) stream.res.setHeader('content-length', Buffer.byteLength(event));
        stream.res.end(event);
      }
    } else if (complete) {
      const replies = stream.ids.map((id) => stream.replies.get(id));
      const text = JSON.stringify(replies.length === 1 ? replies[0] : replies);
      stream.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}) });
      stream.res.end(text);
    }
    if (complete) this.forget(stream);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of new Set([...this.byRequest.values(), ...(this.standalone ? [this.standalone] : [])])) {
      this.forget(stream);
      stream.res.end();
    }
    this.onclose?.();
  }

  private keepAlive(stream: Stream): void {
    stream.keepalive = setInterval(() => stream.res.write(': keepalive\n\n'), KEEPALIVE_MS);
    stream.keepalive.unref();
  }

  private forget(stream: Stream): void {
    clearInterval(stream.keepalive);
    for (const id of stream.ids) if (this.byRequest.get(id) === stream) this.byRequest.delete(id);
    if (this.standalone === stream) this.standalone = undefined;
  }
}

// After parseJsonRpcMessage has parsed a message (or the SDK built it), its kind shows in which keys it has: the
// schema keeps only the keys of the kind it matched. Asking the SDK's zod guards again costs a full parse per
// message, and a failing guard builds an error object; on the hot path that was several parses per call.

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCResultResponse | JSONRPCErrorResponse {
  return !('method' in message) && ('result' in message || 'error' in message);
}

/** Only a message named initialize pays for the full InitializeRequest check. */
export function isInitialize(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize' && isInitializeRequest(message);
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}
