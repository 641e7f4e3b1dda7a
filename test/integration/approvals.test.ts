import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CLI, eventually, pendingApproval, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const TOKEN = 'approvals-admin-token-0123456789';
const POLICY = {
  version: '1',
  default: 'deny',
  tools: {
    echo: { action: 'require_approval', reason: 'echo needs a human', approval: { timeout: '30s' } },
    whoami: { action: 'require_approval', approval: { wait: false } },
    progress_steps: { require_approval_if: [{ path: 'steps', op: 'gt', value: 3 }], approval: { timeout: '1500ms' } },
    echo_count: {},
  },
};

const meta = (r: unknown) => ((r as { _meta?: Record<string, unknown> })._meta?.['gatehouse/decision'] ?? {}) as { approvalId?: string; approval?: string };

function api(gw: TestGateway, path: string, body?: unknown) {
  return fetch(new URL(path, gw.url), { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe('human approval of held calls (SQLite store, one gateway)', () => {
  let gw: TestGateway;
  let client: Client;
  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(POLICY), config: { admin: { token: TOKEN } } });
    client = await gw.connect();
    writeFileSync(join(gw.dir, 'gatehouse.yaml'), 'policy: { path: policy.json }\nservers: {}\n');
  });
  after(() => gw.close());

  it('holds the call open, sends progress, and completes it with the upstream result once approved over the API', async () => {
    const progress: string[] = [];
    const call = client.callTool({ name: 'echo', arguments: { message: 'held' } }, undefined, { onprogress: (p) => void progress.push(p.message ?? ''), timeout: 60_000 });
    const pending = await pendingApproval(gw, 'echo');
    assert.equal(pending.agent, 'anonymous');
    assert.deepEqual(pending.args, { message: '<string:4>' }, 'the approver sees redacted arguments');
    const listed = (await (await api(gw, '/api/approvals?status=pending')).json()) as { approvals: { id: string }[] };
    assert.ok(listed.approvals.some((a) => a.id === pending.id));
    const decided = await api(gw, `/api/approvals/${pending.id}/approve`, { note: 'fine', by: 'alice' });
    assert.equal(decided.status, 200);
    assert.equal(textOf(await call), 'faulty: held');
    assert.equal((await api(gw, `/api/approvals/${pending.id}/approve`, {})).status, 409, 'decided once');
    await gw.app.audit.flush();
    const trail = (await gw.app.stores.audit.query({ tool: 'echo' })).map((r) => [r.decision, r.outcome]);
    assert.deepEqual(trail, [['hold', null], ['approved', null], ['allow', 'ok']]);
    const approvedRecord = (await gw.app.stores.audit.query({ decision: 'approved' }))[0];
    assert.match(approvedRecord?.reason ?? '', /^alice: approved — fine/);
  });

  it('a denial from the CLI (another process) reaches the held call with the approver note', async () => {
    const call = client.callTool({ name: 'echo', arguments: { message: 'nope' } }, undefined, { timeout: 60_000 });
    const pending = await pendingApproval(gw, 'echo');
    const cli = spawnSync(process.execPath, [CLI, 'approvals', 'deny', pending.id, '--note', 'not today', '--by', 'bob', '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^\[APPROVAL DENIED\] .*bob denied approval .*: not today/);
    assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '1', 'only the approved call reached the upstream');
  });

  it('wait: false answers [APPROVAL REQUIRED] at once; the identical retry passes once approved, and only once', async () => {
    const first = await client.callTool({ name: 'whoami', arguments: {} });
    assert.match(textOf(first), /^\[APPROVAL REQUIRED\]/);
    const id = meta(first).approvalId;
    assert.ok(id);
    const listed = spawnSync(process.execPath, [CLI, 'approvals', 'list', '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });
    assert.match(listed.stdout, new RegExp(`${id}\\s+pending\\s+anonymous\\s+whoami`));
    assert.equal((await api(gw, `/api/approvals/${id}/approve`, {})).status, 200);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'faulty');
    assert.match(textOf(await client.callTool({ name: 'whoami', arguments: {} })), /^\[APPROVAL REQUIRED\]/, 'single use');
  });

  it('an approval is bound to the exact arguments and the policy version', async () => {
    const held = await client.callTool({ name: 'whoami', arguments: { x: 1 } });
    const id = meta(held).approvalId as string;
    await api(gw, `/api/approvals/${id}/approve`, {});
    assert.match(textOf(await client.callTool({ name: 'whoami', arguments: { x: 2 } })), /^\[APPROVAL REQUIRED\]/, 'other arguments');
    const version = gw.app.policy.current().version;
    gw.writePolicy(JSON.stringify({ ...POLICY, tools: { ...POLICY.tools, echo_count: { reason: 'changed' } } }));
    await eventually(() => gw.app.policy.current().version !== version);
    assert.match(textOf(await client.callTool({ name: 'whoami', arguments: { x: 1 } })), /^\[APPROVAL REQUIRED\]/, 'another policy version');
  });

  it('conditional approval holds only matching calls, and a hold that nobody answers times out', async () => {
    assert.equal(textOf(await client.callTool({ name: 'progress_steps', arguments: { steps: 2 } })), '2 steps done');
    const result = await client.callTool({ name: 'progress_steps', arguments: { steps: 9 } }, undefined, { timeout: 60_000 });
    assert.match(textOf(result), /^\[APPROVAL TIMED OUT\] .*within 2 s/);
    assert.equal(meta(result).approval, 'timeout');
  });
});

describe('approval across replicas (Redis pub/sub)', () => {
  it('a call held on replica A resumes when replica B approves it', async () => {
    const prefix = `gatehouse-test:${randomUUID()}:`;
    const config = { admin: { token: TOKEN }, storage: { redis_url: 'redis://127.0.0.1:6379', redis_key_prefix: prefix } };
    const a = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(POLICY), config });
    const b = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(POLICY), config });
    try {
      const client = await a.connect();
      const call = client.callTool({ name: 'echo', arguments: { message: 'across' } }, undefined, { timeout: 60_000 });
      const pending = await pendingApproval(b, 'echo');
      assert.equal((await api(b, `/api/approvals/${pending.id}/approve`, { by: 'carol' })).status, 200);
      assert.equal(textOf(await call), 'faulty: across');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('approval across a restart (SQLite store)', () => {
  it('a wait: false approval survives a restart; approved afterwards, the identical retry passes exactly once', async () => {
    const policy = { version: '1', default: 'deny', tools: { echo: { action: 'require_approval', approval: { wait: false } }, echo_count: {} } };
    const spec = { servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config: { admin: { token: TOKEN } } };
    const first = await startGateway(spec);
    let open: TestGateway | undefined = first;
    try {
      const held = await (await first.connect()).callTool({ name: 'echo', arguments: { message: 'after restart' } });
      assert.match(textOf(held), /^\[APPROVAL REQUIRED\]/);
      const id = meta(held).approvalId as string;
      await first.close(true);
      open = undefined;
      const second = (open = await startGateway({ ...spec, dir: first.dir }));
      const stored = await second.app.stores.approvals.get(id);
      assert.equal(stored?.status, 'pending', 'still pending after the restart');
      assert.equal(stored.policyVersion, second.app.policy.current().version);
      assert.equal((await api(second, `/api/approvals/${id}/approve`, { by: 'dana' })).status, 200);
      const client = await second.connect();
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'after restart' } })), 'faulty: after restart');
      assert.match(textOf(await client.callTool({ name: 'echo', arguments: { message: 'after restart' } })), /^\[APPROVAL REQUIRED\]/, 'single use');
      assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '1', 'the upstream ran it exactly once');
      assert.equal((await second.app.stores.approvals.get(id))?.status, 'used');
    } finally {
      if (open) await open.close();
      else rmSync(first.dir, { recursive: true, force: true });
    }
  });
});
