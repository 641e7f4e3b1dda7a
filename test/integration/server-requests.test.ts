import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { eventually, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const sampling = { capabilities: { sampling: {} } };

function answersAs(client: Client, who: string, asked: string[]): void {
  client.setRequestHandler(CreateMessageRequestSchema, () => {
    asked.push(who);
    return { model: 'm', role: 'assistant', content: { type: 'text', text: `answered by ${who}` } };
  });
}

describe('server→client requests reach only the session that caused them', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') } });
  });
  after(() => gw.close());

  it('goes to the caller, not to another idle session', async () => {
    const asked: string[] = [];
    const idle = await gw.connect(sampling);
    answersAs(idle, 'idle', asked);
    const caller = await gw.connect(sampling);
    answersAs(caller, 'caller', asked);
    assert.equal(textOf(await caller.callTool({ name: 'ask_model', arguments: { prompt: 'q' } })), 'answered by caller');
    assert.deepEqual(asked, ['caller']);
  });

  it('is refused, not guessed, when two sessions have calls in flight to the same upstream', async () => {
    const asked: string[] = [];
    const a = await gw.connect(sampling);
    answersAs(a, 'a', asked);
    const b = await gw.connect(sampling);
    answersAs(b, 'b', asked);
    const controller = new AbortController();
    const pending = a.callTool({ name: 'wait_for_cancel', arguments: {} }, undefined, { signal: controller.signal }).catch(() => undefined);
    const faulty = gw.app.gateway.upstreams[0];
    assert.ok(faulty);
    await eventually(() => [...gw.app.gateway.sessions].some((s) => s.inflight.has(faulty)));
    const result = await b.callTool({ name: 'ask_model', arguments: { prompt: 'secret from b' } });
    controller.abort();
    await pending;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /cannot tell which agent session/);
    assert.deepEqual(asked, [], 'no session was asked');
  });

  it('is refused when the calling client does not support the capability', async () => {
    const plain = await gw.connect();
    const result = await plain.callTool({ name: 'ask_model', arguments: { prompt: 'q' } });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /does not support sampling/);
  });
});
