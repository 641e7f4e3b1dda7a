import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CLI, eventually, pendingApproval, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const TOKEN = 'webhook-admin-token-0123456789';
const SECRET = 'webhook-secret-0123456789abcdef';
const POLICY = JSON.stringify({
  version: '1',
  default: 'deny',
  tools: {
    echo: { action: 'require_approval', reason: 'echo needs a human', approval: { timeout: '30s' } },
    whoami: { action: 'require_approval', approval: { wait: false } },
  },
});

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { type: string; approval: Record<string, unknown>; decide?: { approve: string; deny: string } };
  readonly status: number;
}

/** A webhook endpoint on 127.0.0.1 that records each delivery and answers with `respond(n)` for the n-th (1-based). */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; respond: (n: number) => number; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const receiver = {
    url: '',
    deliveries,
    respond: (_n: number) => 200,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const status = receiver.respond(deliveries.length + 1);
      deliveries.push({ headers: req.headers, body, json: JSON.parse(body) as Delivery['json'], status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/gatehouse`;
  return receiver;
}

/** What a receiver does: recompute the HMAC over "<timestamp>.<body>" with the shared secret, compare in constant time. */
function signatureValid(delivery: Pick<Delivery, 'headers' | 'body'>, secret: string): boolean {
  const timestamp = delivery.headers['x-gatehouse-timestamp'];
  const signature = delivery.headers['x-gatehouse-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex')}`;
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

function api(gw: TestGateway, path: string, body: unknown) {
  return fetch(new URL(path, gw.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('approval webhook: signed events to a real receiver', () => {
  let gw: TestGateway;
  let client: Client;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
    const webhook = { url: receiver.url, secret: SECRET, headers: { 'x-receiver-key': 'k-123' } };
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICY, config: { admin: { token: TOKEN }, approvals: { webhook } } });
    client = await gw.connect();
    writeFileSync(join(gw.dir, 'gatehouse.yaml'), `policy: { path: policy.json }\nservers: {}\napprovals:\n  webhook: ${JSON.stringify(webhook)}\nlog_level: silent\n`);
  });
  after(async () => {
    await gw.close();
    await receiver.close();
  });

  it('posts approval.requested with a valid signature, and approval.decided once the decide link is used', async () => {
    receiver.deliveries.length = 0;
    const call = client.callTool({ name: 'echo', arguments: { message: 'held' } }, undefined, { timeout: 60_000 });
    await eventually(() => receiver.deliveries.length === 1);
    const [requested] = receiver.deliveries;
    assert.ok(requested);
    assert.ok(signatureValid(requested, SECRET), 'the receiver verifies the signature with the shared secret');
    assert.ok(!signatureValid(requested, 'another-secret-0123456789abcdef'), 'another secret does not verify');
    assert.ok(!signatureValid({ ...requested, headers: { ...requested.headers, 'x-gatehouse-timestamp': '1' } }, SECRET), 'the timestamp is signed');
    assert.equal(requested.headers['content-type'], 'application/json');
    assert.equal(requested.headers['x-gatehouse-event'], 'approval.requested');
    assert.match(String(requested.headers['x-gatehouse-delivery']), UUID);
    assert.match(String(requested.headers['x-gatehouse-timestamp']), /^\d+$/);
    assert.equal(requested.headers['x-receiver-key'], 'k-123', 'configured headers are sent');
    assert.ok(!requested.body.includes(SECRET));
    const pending = await pendingApproval(gw, 'echo');
    const { approval, decide } = requested.json;
    assert.equal(requested.json.type, 'approval.requested');
    assert.deepEqual(
      { ...approval, createdAt: typeof approval['createdAt'], expiresAt: typeof approval['expiresAt'] },
      { id: pending.id, agent: 'anonymous', tool: 'echo', rule: 'tools.echo', reason: 'echo needs a human', args: { message: '<string:4>' }, createdAt: 'string', expiresAt: 'string' },
    );
    assert.equal(Date.parse(String(approval['expiresAt'])) - Date.parse(String(approval['createdAt'])), 30_000);
    assert.deepEqual(decide, { approve: `/api/approvals/${pending.id}/approve`, deny: `/api/approvals/${pending.id}/deny` });

    assert.equal((await api(gw, decide.approve, { by: 'alice', note: 'fine' })).status, 200);
    assert.equal(textOf(await call), 'faulty: held');
    await eventually(() => receiver.deliveries.length === 2);
    const decided = receiver.deliveries[1];
    assert.ok(decided && signatureValid(decided, SECRET));
    assert.equal(decided.headers['x-gatehouse-event'], 'approval.decided');
    assert.notEqual(decided.headers['x-gatehouse-delivery'], requested.headers['x-gatehouse-delivery']);
    assert.equal(decided.json.type, 'approval.decided');
    assert.equal(decided.json.decide, undefined);
    assert.deepEqual(
      { id: decided.json.approval['id'], status: decided.json.approval['status'], decidedBy: decided.json.approval['decidedBy'], note: decided.json.approval['note'] },
      { id: pending.id, status: 'approved', decidedBy: 'alice', note: 'fine' },
    );
  });

  it('a decision taken with the CLI (another process) is announced too', async () => {
    receiver.deliveries.length = 0;
    const call = client.callTool({ name: 'echo', arguments: { message: 'nope' } }, undefined, { timeout: 60_000 });
    const pending = await pendingApproval(gw, 'echo');
    // Not spawnSync: the receiver runs in this process and must answer while the CLI delivers.
    await promisify(execFile)(process.execPath, [CLI, 'approvals', 'deny', pending.id, '--note', 'not today', '--by', 'bob', '-c', join(gw.dir, 'gatehouse.yaml')]);
    assert.match(textOf(await call), /^\[APPROVAL DENIED\]/);
    const decided = receiver.deliveries.find((d) => d.json.type === 'approval.decided');
    assert.ok(decided, 'delivered before the CLI exits');
    assert.ok(signatureValid(decided, SECRET));
    assert.deepEqual([decided.json.approval['status'], decided.json.approval['decidedBy'], decided.json.approval['note']], ['denied', 'bob', 'not today']);
  });

  it('retries a delivery the receiver answers with 500, with the same delivery id, each attempt signed', async () => {
    receiver.deliveries.length = 0;
    receiver.respond = (n) => (n === 1 ? 500 : 200);
    try {
      const held = await client.callTool({ name: 'whoami', arguments: {} });
      assert.match(textOf(held), /^\[APPROVAL REQUIRED\]/);
      await eventually(() => receiver.deliveries.length === 2);
      const [first, second] = receiver.deliveries;
      assert.ok(first && second);
      assert.deepEqual([first.status, second.status], [500, 200]);
      assert.equal(second.headers['x-gatehouse-delivery'], first.headers['x-gatehouse-delivery']);
      assert.equal(second.body, first.body);
      assert.ok(signatureValid(first, SECRET) && signatureValid(second, SECRET));
      const retried = gw.logs.find((l) => l.msg === 'approval webhook attempt failed; retrying');
      assert.ok(retried);
      assert.deepEqual([retried['attempt'], retried['err']], [1, 'HTTP 500']);
      assert.equal(receiver.deliveries.length, 2, 'no attempt after a success');
    } finally {
      receiver.respond = () => 200;
    }
  });
});

describe('approval webhook: an unreachable receiver', () => {
  it('does not stop a held call from being approved and completing; the failure is logged without the secret', async () => {
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICY, config: { admin: { token: TOKEN }, approvals: { webhook: { url, secret: SECRET } } } });
    try {
      const client = await gw.connect();
      const call = client.callTool({ name: 'echo', arguments: { message: 'anyway' } }, undefined, { timeout: 60_000 });
      const pending = await pendingApproval(gw, 'echo');
      assert.equal((await api(gw, `/api/approvals/${pending.id}/approve`, {})).status, 200);
      assert.equal(textOf(await call), 'faulty: anyway');
      await eventually(() => gw.logs.filter((l) => l.msg === 'approval webhook not delivered').length === 2);
      const failures = gw.logs.filter((l) => l.msg === 'approval webhook not delivered');
      assert.deepEqual(failures.map((l) => [l['event'], l['attempt'], l['target']]).sort(), [
        ['approval.decided', 3, new URL(url).origin],
        ['approval.requested', 3, new URL(url).origin],
      ]);
      assert.match(String(failures[0]?.['err']), /ECONNREFUSED/);
      assert.ok(!JSON.stringify(gw.logs).includes(SECRET), 'the secret is never logged');
      assert.ok(!JSON.stringify(gw.logs).includes('/hooks/gatehouse'), 'nor the URL path, which may be a credential');
    } finally {
      await gw.close();
    }
  });
});
