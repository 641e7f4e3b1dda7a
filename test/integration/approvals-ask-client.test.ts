import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { eventually, pendingApproval, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const TOKEN = 'ask-client-admin-token-0123456789';
const elicitation = { capabilities: { elicitation: {} } };

type Answer = (request: ElicitRequest, signal: AbortSignal) => ElicitResult | Promise<ElicitResult>;

/** A client whose user answers elicitation requests with `answer`; every request it was sent is kept. */
async function userClient(gw: TestGateway): Promise<{ client: Client; asked: ElicitRequest[]; answer: Answer }> {
  const user = { client: await gw.connect(elicitation), asked: [] as ElicitRequest[], answer: (() => ({ action: 'cancel' })) as Answer };
  user.client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
    user.asked.push(request);
    return user.answer(request, extra.signal);
  });
  return user;
}

function approve(gw: TestGateway, id: string, by: string) {
  return fetch(new URL(`/api/approvals/${id}/approve`, gw.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ by }) });
}

describe('asking the agent’s own user (MCP elicitation), turned on per rule', () => {
  let gw: TestGateway;
  before(async () => {
    const policy = {
      version: '1',
      default: 'deny',
      tools: {
        echo: { action: 'require_approval', reason: 'echo needs a human', approval: { timeout: '30s', ask_client: true } },
        whoami: { action: 'require_approval', approval: { timeout: '30s' } },
        echo_count: {},
      },
    };
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config: { admin: { token: TOKEN } } });
  });
  after(() => gw.close());

  it('accept with approve: true runs the call; the question names the tool, rule, reason and redacted arguments', async () => {
    const user = await userClient(gw);
    user.answer = () => ({ action: 'accept', content: { approve: true, note: 'looks fine' } });
    assert.equal(textOf(await user.client.callTool({ name: 'echo', arguments: { message: 'yes' } })), 'faulty: yes');
    const [asked] = user.asked;
    assert.ok(asked);
    assert.match(asked.params.message, /'echo'/);
    assert.match(asked.params.message, /tools\.echo: echo needs a human/);
    assert.match(asked.params.message, /\{"message":"<string:3>"\}/);
    assert.ok(!asked.params.message.includes('"yes"'), 'argument values are redacted');
    assert.deepEqual(asked.params.mode === undefined || asked.params.mode === 'form', true);
    const schema = (asked.params as { requestedSchema: { properties: Record<string, { type: string }>; required?: string[] } }).requestedSchema;
    assert.deepEqual([schema.properties['approve']?.type, schema.properties['note']?.type, schema.required], ['boolean', 'string', ['approve']]);

    await gw.app.audit.flush();
    const trail = (await gw.app.stores.audit.query({ tool: 'echo' })).map((r) => [r.decision, r.outcome]);
    assert.deepEqual(trail, [['hold', null], ['approved', null], ['allow', 'ok']]);
    const approved = (await gw.app.stores.audit.query({ decision: 'approved' }))[0];
    assert.match(approved?.reason ?? '', /^client:anonymous: approved — looks fine/);
  });

  it('decline denies the call, and so does accept with approve: false', async () => {
    const user = await userClient(gw);
    user.answer = () => ({ action: 'decline' });
    const declined = await user.client.callTool({ name: 'echo', arguments: { message: 'no' } });
    assert.equal(declined.isError, true);
    assert.match(textOf(declined), /^\[APPROVAL DENIED\] .*client:anonymous denied approval .*: the user declined/);
    user.answer = () => ({ action: 'accept', content: { approve: false, note: 'not this one' } });
    assert.match(textOf(await user.client.callTool({ name: 'echo', arguments: { message: 'no' } })), /^\[APPROVAL DENIED\] .*client:anonymous denied .*: not this one/);
    assert.equal(textOf(await user.client.callTool({ name: 'echo_count', arguments: {} })), '1', 'only the approved call reached the upstream');
  });

  it('a client without the elicitation capability gets the normal hold', async () => {
    const plain = await gw.connect();
    const call = plain.callTool({ name: 'echo', arguments: { message: 'plain' } }, undefined, { timeout: 60_000 });
    const pending = await pendingApproval(gw, 'echo');
    assert.equal((await approve(gw, pending.id, 'alice')).status, 200);
    assert.equal(textOf(await call), 'faulty: plain');
  });

  it('a person deciding first wins: the question to the client is cancelled', async () => {
    const user = await userClient(gw);
    // The SDK's client ignores a cancellation of request id 0 (`if (!requestId) return`), so the race is run on the
    // session's second question.
    user.answer = () => ({ action: 'accept', content: { approve: true } });
    assert.equal(textOf(await user.client.callTool({ name: 'echo', arguments: { message: 'first' } })), 'faulty: first');
    let cancelled = false;
    user.answer = (_request, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          cancelled = true;
          resolve({ action: 'decline' });
        });
      });
    const call = user.client.callTool({ name: 'echo', arguments: { message: 'race' } }, undefined, { timeout: 60_000 });
    await eventually(() => user.asked.length === 2);
    const pending = await pendingApproval(gw, 'echo');
    assert.equal((await approve(gw, pending.id, 'alice')).status, 200);
    assert.equal(textOf(await call), 'faulty: race');
    await eventually(() => cancelled);
    const decided = await gw.app.stores.approvals.get(pending.id);
    assert.deepEqual([decided?.status, decided?.decidedBy], ['used', 'alice']);
  });

  it('a rule that does not ask follows the config (off): the user is not asked', async () => {
    const user = await userClient(gw);
    const call = user.client.callTool({ name: 'whoami', arguments: {} }, undefined, { timeout: 60_000 });
    const pending = await pendingApproval(gw, 'whoami');
    assert.equal((await approve(gw, pending.id, 'alice')).status, 200);
    assert.equal(textOf(await call), 'faulty');
    assert.equal(user.asked.length, 0);
  });
});

describe('asking the agent’s own user, turned on in the config', () => {
  it('asks for rules that do not say, and not for a rule with ask_client: false', async () => {
    const policy = {
      version: '1',
      default: 'deny',
      tools: {
        echo: { action: 'require_approval', approval: { timeout: '30s' } },
        whoami: { action: 'require_approval', approval: { timeout: '30s', ask_client: false } },
      },
    };
    const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config: { admin: { token: TOKEN }, approvals: { ask_client: true } } });
    try {
      const user = await userClient(gw);
      user.answer = () => ({ action: 'accept', content: { approve: true } });
      assert.equal(textOf(await user.client.callTool({ name: 'echo', arguments: { message: 'asked' } })), 'faulty: asked');
      assert.equal(user.asked.length, 1);
      const call = user.client.callTool({ name: 'whoami', arguments: {} }, undefined, { timeout: 60_000 });
      const pending = await pendingApproval(gw, 'whoami');
      assert.equal((await approve(gw, pending.id, 'alice')).status, 200);
      assert.equal(textOf(await call), 'faulty');
      assert.equal(user.asked.length, 1, 'not asked about whoami');
    } finally {
      await gw.close();
    }
  });
});
