import { GATEHOUSE_VERSION } from '../../version.js';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from '../../proxy/gateway.js';
import { createSessionServer } from '../../proxy/session.js';
import { BodyTooLargeError, readBody } from './body.js';
import { sendJsonRpcError } from './jsonrpc-error.js';
import { createAdminApi, sendApiError } from './admin/api.js';
import type { AdminServices } from '../../admin/services.js';
import { createConsole } from './console.js';
import { isInitialize, NodeStreamableTransport } from './mcp-transport.js';
import { batchShapeProblem } from './jsonrpc-shape.js';
import { requestIds } from './inflight-ids.js';
import { HttpSessions, type HttpSession } from './sessions.js';
import type { AuthResult } from './authenticate.js';
import { OriginGuard } from './origin-guard.js';

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly responseMode: 'sse' | 'json';
  /** `node`: the gateway's own Streamable HTTP transport on Node's request/response; `sdk`: the SDK's. */
  readonly transport: 'node' | 'sdk';
  readonly adminToken?: string | undefined;
  /** What the admin API acts on; without it (or without a token) /api answers 404. */
  readonly adminServices?: AdminServices | undefined;
  /** Who is calling /mcp; every request is checked, since a session id is not a credential. */
  readonly authenticate: (req: IncomingMessage) => Promise<AuthResult>;
  /** Why the gateway cannot serve right now (empty when ready): for /readyz. */
  readonly unready?: () => Promise<string[]>;
  readonly metrics?: { readonly registry: { contentType: string; metrics(): Promise<string> } };
  readonly limits: HttpLimits;
  /** Where the built console is (default dist/web); tests point it elsewhere. */
  readonly consoleDir?: string | undefined;
}

export interface HttpLimits {
  readonly maxHeaderBytes: number;
  readonly maxSessionsPerAgent: number;
  readonly maxInflightPerSession: number;
  readonly sessionIdleMs: number;
  /** Time allowed to send the request headers (slow-client defence); the body has `requestTimeoutMs`. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export interface RunningHttp {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * On every response, including error pages and what the console will serve: no MIME sniffing, no framing, no
 * referrer leaks, and a content policy that allows nothing — JSON and SSE need none of it.
 */
function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

/** Paths the console never answers, whatever the method: the gateway's own endpoints. */
const NOT_CONSOLE = new Set(['/mcp', '/healthz', '/readyz', '/metrics']);

function opensSession(body: unknown): boolean {
  return Array.isArray(body) ? body.some(isInitialize) : isInitialize(body);
}

/**
 * The Streamable HTTP edge: `/mcp` (one SDK transport and `Server` per MCP session) and `/healthz`. What the
 * SDK cannot know about — body size, Host/Origin, unparseable JSON — is refused here with a JSON-RPC error.
 */
export async function startHttp(gateway: Gateway, options: HttpOptions): Promise<RunningHttp> {
  // Loaded only when chosen: it brings Hono and Node's fetch classes (undici) along, ~8 MB resident at idle.
  const SdkTransport = options.transport === 'sdk' ? (await import('@modelcontextprotocol/sdk/server/streamableHttp.js')).StreamableHTTPServerTransport : undefined;
  const sessions = new HttpSessions({ maxPerAgent: options.limits.maxSessionsPerAgent, idleMs: options.limits.sessionIdleMs });
  let guard: OriginGuard | undefined;

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown, agent: string): Promise<void> {
    const sessionId = randomUUID();
    const { server, session } = createSessionServer(gateway, sessionId, agent);
    const onsessioninitialized = () => {
      sessions.add(sessionId, agent, transport, Date.now());
      gateway.addSession(session);
    };
    const jsonResponse = options.responseMode === 'json';
    const transport = SdkTransport
      ? new SdkTransport({ sessionIdGenerator: () => sessionId, enableJsonResponse: jsonResponse, onsessioninitialized })
      : new NodeStreamableTransport({ sessionId, jsonResponse, onsessioninitialized });
    transport.onclose = () => {
      sessions.remove(sessionId);
      void gateway.removeSession(session);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function forward(session: HttpSession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const claimed = requestIds(body);
    if (session.ids.size + claimed.length > options.limits.maxInflightPerSession) {
      return sendJsonRpcError(res, 429, ErrorCode.InvalidRequest, `Too Many Requests: at most ${options.limits.maxInflightPerSession} requests may be in flight in one session`, { 'retry-after': '1' });
    }
    const taken = session.ids.claim(claimed);
    if (taken !== undefined) {
      return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: id ${JSON.stringify(taken)} is already used by a request in flight in this session`);
    }
    res.once('close', () => {
      session.ids.release(claimed);
      session.lastActive = Date.now();
    });
    await session.transport.handleRequest(req, res, body);
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = await options.authenticate(req);
    if (!auth.ok) {
      if (auth.unavailable) return sendJsonRpcError(res, 503, ErrorCode.InternalError, `Service Unavailable: ${auth.reason}`, { 'retry-after': '5' });
      return sendJsonRpcError(res, 401, ErrorCode.InvalidRequest, `Unauthorized: ${auth.reason}`, { 'www-authenticate': 'Bearer' });
    }
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && existing === undefined) {
      // The spec's answer to an unknown or ended session: 404, so the client starts a new one.
      sendJsonRpcError(res, 404, ErrorCode.InvalidRequest, 'Session not found');
      return;
    }
    // A session belongs to the agent that opened it: knowing its id does not let another agent use it.
    if (existing && existing.agent !== auth.agent) {
      return sendJsonRpcError(res, 403, ErrorCode.InvalidRequest, 'Forbidden: this session belongs to another agent');
    }
    if (existing) existing.lastActive = Date.now();
    if (req.method !== 'POST') {
      if (!existing) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Bad Request: Mcp-Session-Id header is required');
      return existing.transport.handleRequest(req, res);
    }
    let body: unknown;
    try {
      const raw = await readBody(req, options.maxBodyBytes);
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // Answer at once and stop reading; the socket is closed so the rest of the upload is not buffered.
        // The request stream may already be destroyed (a chunked body broken off mid-read), taking its socket along.
        sendJsonRpcError(res, 413, ErrorCode.InvalidRequest, error.message, { connection: 'close' });
        req.socket?.end();
        return;
      }
      return sendJsonRpcError(res, 400, ErrorCode.ParseError, `Parse error: ${error instanceof Error ? error.message : 'invalid JSON'}`);
    }
    const problem = batchShapeProblem(body);
    if (problem) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, `Invalid Request: ${problem}`);
    if (existing) return forward(existing, req, res, body);
    if (!opensSession(body)) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Bad Request: no Mcp-Session-Id header, and the message is not an initialize request');
    if (!sessions.hasRoomFor(auth.agent)) {
      return sendJsonRpcError(res, 429, ErrorCode.InvalidRequest, `Too Many Requests: agent '${auth.agent}' already has ${options.limits.maxSessionsPerAgent} open sessions; end one (DELETE) or wait for idle ones to expire`);
    }
    return openSession(req, res, body, auth.agent);
  }

  function health(res: ServerResponse): void {
    const upstreams = gateway.upstreams.map((u) => ({ name: u.name, status: u.status, tools: u.tools.length, ...(u.lastError ? { error: u.lastError } : {}) }));
    const policy = gateway.policy.current();
    const healthy = policy !== undefined && upstreams.every((u) => u.status === 'ready');
    const body = JSON.stringify({ status: healthy ? 'ok' : 'degraded', policyVersion: policy?.version ?? null, sessions: gateway.sessions.size, upstreams });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }

  /** Ready = policy loaded and the stores the decision path needs reachable; 503 names what is missing. */
  async function ready(res: ServerResponse): Promise<void> {
    const reasons = (await options.unready?.().catch((error: unknown) => [String(error)])) ?? [];
    if (gateway.policy.current() === undefined) reasons.push('no policy is loaded');
    const body = JSON.stringify({ ready: reasons.length === 0, reasons });
    res.writeHead(reasons.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
    res.end(body);
  }

  async function sendMetrics(res: ServerResponse, registry: { contentType: string; metrics(): Promise<string> }): Promise<void> {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(text);
  }

  const admin = createAdminApi(options.adminServices, options.adminToken, GATEHOUSE_VERSION);
  const consoleFiles = createConsole(options.consoleDir);
  const http: HttpServer = createServer(
    {
      maxHeaderSize: options.limits.maxHeaderBytes,
      headersTimeout: options.limits.headersTimeoutMs,
      requestTimeout: options.limits.requestTimeoutMs,
      // How often slow requests are looked for; Node's default of 30 s would let a slow client hold a socket that long.
      connectionsCheckingInterval: Math.min(1000, options.limits.headersTimeoutMs),
    },
    (req, res) => {
    setSecurityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gatehouse.invalid');
    } catch {
      return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Bad Request: unparseable request target');
    }
    const path = url.pathname;
    const refused = guard?.check(req);
    if (refused) return sendJsonRpcError(res, 403, ErrorCode.InvalidRequest, `Forbidden: ${refused}`);
    if (path === '/healthz' && req.method === 'GET') return health(res);
    if (path === '/readyz' && req.method === 'GET') return void ready(res);
    if (path === '/metrics' && req.method === 'GET' && options.metrics) return void sendMetrics(res, options.metrics.registry);
    if (path === '/api' || path.startsWith('/api/')) {
      admin(req, res, path, url.searchParams).catch((error: unknown) => {
        gateway.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'admin API request failed');
        sendApiError(res, 500, 'internal error');
      });
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && !NOT_CONSOLE.has(path)) {
      consoleFiles(req, res, path).catch((error: unknown) => {
        gateway.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'console request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
      });
      return;
    }
    if (path !== '/mcp') return sendJsonRpcError(res, 404, ErrorCode.InvalidRequest, `Not found: ${path}`);
    handleMcp(req, res).catch((error: unknown) => {
      gateway.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'HTTP request failed');
      sendJsonRpcError(res, 500, ErrorCode.InternalError, 'Internal error');
    });
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  // Clients that vanish without DELETE would otherwise hold their session (and its upstream state) forever.
  const sweeper = setInterval(() => {
    for (const session of sessions.idle(Date.now())) void session.transport.close();
  }, Math.max(1000, Math.min(60_000, options.limits.sessionIdleMs / 4)));
  sweeper.unref();
  guard = new OriginGuard(port, options.allowedHosts, options.allowedOrigins);
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}/mcp`,
    port,
    async close() {
      clearInterval(sweeper);
      await Promise.all(sessions.all().map((s) => s.transport.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
