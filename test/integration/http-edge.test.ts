import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so the tests control every byte and header the SDK client would get right. */
function raw(url: URL, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'POST', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

/** The JSON-RPC message in a response, whether sent as plain JSON or as one SSE event. */
function message(res: RawResponse): { id?: unknown; error?: { code: number; message: string }; result?: unknown } {
  const data = res.body.trim().startsWith('{') ? res.body : res.body.split('\n').find((l) => l.startsWith('data: '))?.slice(6);
  assert.ok(data, `no JSON-RPC message in ${JSON.stringify(res.body)}`);
  return JSON.parse(data) as never;
}

// Both Streamable HTTP transports (the gateway's own on Node's request/response, and the SDK's) answer alike.
for (const transport of ['node', 'sdk'] as const) {
  describe(`the HTTP edge refuses bad input with precise errors and keeps serving (${transport} transport)`, () => {
    let gw: TestGateway;
    let session: string;
    before(async () => {
      gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, config: { listen: { port: 0, max_body_bytes: 2048, transport } } });
      const init = await raw(gw.url, { headers: JSON_HEADERS, body: INIT });
      session = init.headers['mcp-session-id'] as string;
      assert.ok(session);
      await raw(gw.url, { headers: { ...JSON_HEADERS, 'mcp-session-id': session }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    });
    after(() => gw.close());

    const inSession = () => ({ ...JSON_HEADERS, 'mcp-session-id': session });

    it('malformed JSON → 400 with -32700', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
      assert.equal(res.status, 400);
      assert.equal(message(res).error?.code, ErrorCode.ParseError);
    });

    it('a body over the limit → 413 with -32600', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(5000) } } }) });
      assert.equal(res.status, 413);
      assert.equal(message(res).error?.code, ErrorCode.InvalidRequest);
      assert.match(message(res).error?.message ?? '', /2048 bytes/);
    });

    it('a message that is not JSON-RPC → -32600', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ hello: 'world' }) });
      assert.equal(res.status, 400);
      assert.equal(message(res).error?.code, ErrorCode.InvalidRequest);
    });

    it('tools/call without a name → -32602', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { arguments: {} } }) });
      assert.equal(message(res).id, 3);
      assert.equal(message(res).error?.code, ErrorCode.InvalidParams);
    });

    it('an unknown method → -32601', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'no/such/method', params: {} }) });
      assert.equal(message(res).error?.code, ErrorCode.MethodNotFound);
    });

    it('an unknown tool → -32602', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'nope', arguments: {} } }) });
      assert.equal(message(res).error?.code, ErrorCode.InvalidParams);
      assert.match(message(res).error?.message ?? '', /Unknown tool: nope/);
    });

    it('an unknown session → 404; no session and no initialize → 400', async () => {
      const unknown = await raw(gw.url, { headers: { ...JSON_HEADERS, 'mcp-session-id': 'not-a-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'ping' }) });
      assert.equal(unknown.status, 404);
      const missing = await raw(gw.url, { headers: JSON_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }) });
      assert.equal(missing.status, 400);
      assert.equal(message(missing).error?.code, ErrorCode.InvalidRequest);
    });

    it('a foreign Host or Origin (DNS rebinding) → 403', async () => {
      const host = await raw(gw.url, { headers: { ...JSON_HEADERS, host: 'evil.example' }, body: INIT });
      assert.equal(host.status, 403);
      const origin = await raw(gw.url, { headers: { ...JSON_HEADERS, origin: 'http://evil.example' }, body: INIT });
      assert.equal(origin.status, 403);
      const loopbackOrigin = await raw(gw.url, { headers: { ...JSON_HEADERS, origin: `http://localhost:${gw.url.port}` }, body: INIT });
      assert.equal(loopbackOrigin.status, 200);
    });

    it('a request reusing the id of a request still in flight → -32600, and both ids work once free', async () => {
      const call = (id: number, name: string) => raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }) });
      const slow = raw(gw.url, { headers: { ...inSession() }, body: JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'progress_steps', arguments: { steps: 3 } } }) });
      await new Promise((r) => setTimeout(r, 5));
      const duplicate = await call(77, 'whoami');
      assert.equal(duplicate.status, 400);
      assert.equal(message(duplicate).error?.code, ErrorCode.InvalidRequest);
      assert.match(message(duplicate).error?.message ?? '', /id 77 is already used/);
      assert.equal(textOf(message(await slow).result), '3 steps done');
      assert.equal(textOf(message(await call(77, 'whoami')).result), 'faulty');
      const batch = await raw(gw.url, { headers: inSession(), body: JSON.stringify([{ jsonrpc: '2.0', id: 5, method: 'ping' }, { jsonrpc: '2.0', id: 5, method: 'ping' }]) });
      assert.equal(batch.status, 400);
    });

    it('a request with an unsupported MCP-Protocol-Version header → 400', async () => {
      const res = await raw(gw.url, { headers: { ...inSession(), 'mcp-protocol-version': '1999-01-01' }, body: JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'ping' }) });
      assert.equal(res.status, 400);
      assert.match(message(res).error?.message ?? '', /protocol version/i);
    });

    it('a valid call still works afterwards, and DELETE ends the session', async () => {
      const res = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'echo', arguments: { message: 'fine' } } }) });
      assert.equal(res.status, 200);
      assert.equal(textOf(message(res).result), 'faulty: fine');
      const deleted = await raw(gw.url, { method: 'DELETE', headers: { 'mcp-session-id': session } });
      assert.equal(deleted.status, 200);
      const after = await raw(gw.url, { headers: inSession(), body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }) });
      assert.equal(after.status, 404);
    });

    it('/healthz reports upstreams and the policy version', async () => {
      const res = await raw(new URL('/healthz', gw.url), { method: 'GET' });
      const health = JSON.parse(res.body) as { status: string; policyVersion: string; upstreams: { name: string; status: string }[] };
      assert.equal(health.status, 'ok');
      assert.equal(health.upstreams[0]?.status, 'ready');
      assert.equal(health.policyVersion, gw.app.policy.current().version);
    });
  });

  describe(`JSON response mode (${transport} transport)`, () => {
    it('answers a POST with one JSON body instead of an SSE stream', async () => {
      const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, config: { listen: { port: 0, response_mode: 'json', transport } } });
      try {
        const init = await raw(gw.url, { headers: JSON_HEADERS, body: INIT });
        assert.match(String(init.headers['content-type']), /^application\/json/);
        const session = init.headers['mcp-session-id'] as string;
        const headers = { ...JSON_HEADERS, 'mcp-session-id': session };
        await raw(gw.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
        const res = await raw(gw.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'json' } } }) });
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.equal(textOf((JSON.parse(res.body) as { result: unknown }).result), 'faulty: json');
        const client = await gw.connect();
        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'sdk' } })), 'faulty: sdk');
      } finally {
        await gw.close();
      }
    });
  });
}
