import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, startGateway, stdioFixture, type TestGateway } from '../helpers/harness.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

function post(url: URL, body: string, headers: Record<string, string> = {}): Promise<{ status: number; session: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...HEADERS, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, session: res.headers['mcp-session-id'] as string | undefined, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function openSession(url: URL): Promise<string> {
  const init = await post(url, INIT);
  assert.equal(init.status, 200, init.body);
  assert.ok(init.session);
  await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), { 'mcp-session-id': init.session });
  return init.session;
}

describe('HTTP hardening: session and in-flight limits, idle expiry, header limits, slow clients', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      servers: { faulty: { ...stdioFixture('faulty'), call_timeout_ms: 3000 } },
      config: { listen: { port: 0, max_sessions_per_agent: 2, max_inflight_per_session: 2, session_idle_timeout_ms: 1500, max_header_bytes: 2048, headers_timeout_ms: 1000 } },
    });
  });
  after(() => gw.close());

  it('caps sessions per agent with 429, and frees a slot when one ends', async () => {
    const first = await openSession(gw.url);
    await openSession(gw.url);
    const third = await post(gw.url, INIT);
    assert.equal(third.status, 429);
    assert.match(third.body, /already has 2 open sessions/);
    await new Promise<void>((resolve, reject) => request(gw.url, { method: 'DELETE', headers: { 'mcp-session-id': first } }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end());
    await eventually(async () => (await post(gw.url, INIT)).status === 200);
  });

  it('caps requests in flight per session with 429', async () => {
    await eventually(() => gw.app.gateway.sessions.size === 0, 200, 50);
    const session = await openSession(gw.url);
    const call = (id: number) => post(gw.url, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hang', arguments: {} } }), { 'mcp-session-id': session });
    const held = [call(10), call(11)];
    await eventually(() => [...gw.app.gateway.sessions].some((s) => [...s.inflight.values()].some((ids) => ids.size === 2)));
    const refused = await call(12);
    assert.equal(refused.status, 429);
    assert.match(refused.body, /at most 2 requests may be in flight/);
    const answered = await Promise.all(held);
    assert.ok(answered.every((r) => r.status === 200 && r.body.includes('UPSTREAM ERROR')), 'held calls end with the upstream timeout');
  });

  it('closes sessions that stay idle past the timeout', async () => {
    await eventually(() => gw.app.gateway.sessions.size === 0, 200, 50);
    const session = await openSession(gw.url);
    await eventually(async () => (await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }), { 'mcp-session-id': session })).status === 200);
    await eventually(async () => (await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }), { 'mcp-session-id': 'x' })).status === 404 && gw.app.gateway.sessions.size === 0, 100, 100);
    assert.equal((await post(gw.url, JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' }), { 'mcp-session-id': session })).status, 404);
  });

  it('sets security headers on every response, errors included', async () => {
    // POST /nope: a GET there is the web console, which has its own (less strict) CSP; console-files.test.ts checks it.
    for (const path of ['/healthz', '/mcp', '/nope']) {
      const res = await fetch(new URL(path, gw.url), { method: path === '/healthz' ? 'GET' : 'POST', headers: HEADERS, ...(path === '/healthz' ? {} : { body: '{' }) });
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/, path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.doesNotMatch(await res.text(), /\n\s+at .+:\d+:\d+/, 'no stack trace');
    }
  });

  it('refuses oversized headers with 431', async () => {
    const res = await post(gw.url, INIT, { 'x-padding': 'p'.repeat(4096) });
    assert.equal(res.status, 431);
  });

  it('drops a client that never finishes its headers (slowloris)', async () => {
    const socket = connect(Number(gw.url.port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.resume();
    await eventually(() => closed, 100, 100);
    assert.ok(closed);
  });
});
