import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

/** A policy in PolicyLayer's documented shape, used unchanged. */
const POLICYLAYER_STYLE = JSON.stringify({
  version: '1',
  default: 'deny',
  hide: ['*'],
  all_tools: { limits: [{ max: 30, window: 60 }] },
  tools: {
    echo: {
      deny_if: [{ field: 'args.message', operator: 'regex', value: 'drop\\s{1,10}table', flags: 'i' }],
      reason: 'no SQL through echo',
    },
    progress_steps: { require: [{ path: 'args.steps', op: 'lte', value: 5 }], limits: [{ max: 2, window: '1m' }] },
    whoami: {},
  },
});

describe('argument conditions through the gateway (a PolicyLayer-shaped policy, unchanged)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICYLAYER_STYLE });
  });
  after(() => gw.close());

  it('hide ["*"] exposes only the tools the policy names', async () => {
    const client = await gw.connect();
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['echo', 'progress_steps', 'whoami']);
    await assert.rejects(client.callTool({ name: 'crash', arguments: {} }), /Unknown tool/);
  });

  it('deny_if blocks matching arguments with the rule, the reason and the evidence; other calls pass', async () => {
    const client = await gw.connect();
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hello' } })), 'faulty: hello');
    const denied = await client.callTool({ name: 'echo', arguments: { message: 'please DROP   TABLE users' } });
    assert.equal(denied.isError, true);
    assert.match(textOf(denied), /^\[POLICY DENIED\] The call to 'echo' was blocked by tools\.echo\.deny_if: no SQL through echo \(/);
    await assert.rejects(client.callTool({ name: 'echo_count', arguments: {} }), /Unknown tool/, 'echo_count is hidden');
  });

  it('an argument too long to check, or of the wrong type, is denied rather than waved through', async () => {
    const client = await gw.connect();
    const padded = await client.callTool({ name: 'echo', arguments: { message: `${'x'.repeat(20_000)} drop table t` } });
    assert.match(textOf(padded), /^\[POLICY DENIED\]/);
    const typed = await client.callTool({ name: 'progress_steps', arguments: { steps: '3' } });
    assert.match(textOf(typed), /^\[POLICY DENIED\] .*tools\.progress_steps\.require/);
  });

  it('require allows when it holds; limits and all_tools quotas apply', async () => {
    const client = await gw.connect();
    assert.equal(textOf(await client.callTool({ name: 'progress_steps', arguments: { steps: 2 } })), '2 steps done');
    assert.match(textOf(await client.callTool({ name: 'progress_steps', arguments: { steps: 9 } })), /^\[POLICY DENIED\]/);
    assert.equal(textOf(await client.callTool({ name: 'progress_steps', arguments: { steps: 1 } })), '1 steps done');
    assert.match(textOf(await client.callTool({ name: 'progress_steps', arguments: { steps: 1 } })), /^\[RATE LIMITED\] .*tools\.progress_steps\.limits\[0\]/);
  });
});
