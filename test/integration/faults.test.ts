import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

describe('upstream faults stay contained', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({
      servers: { faulty: { ...stdioFixture('faulty'), call_timeout_ms: 400 }, steady: stdioFixture('faulty', { NAME: 'steady' }) },
      config: { prefix: { mode: 'always' } },
    });
  });
  after(() => gw.close());

  it('a hanging call times out with a clear error while other calls go on', async () => {
    const client = await gw.connect();
    const hanging = client.callTool({ name: 'faulty__hang', arguments: {} });
    const meanwhile = await client.callTool({ name: 'steady__echo', arguments: { message: 'still here' } });
    assert.equal(textOf(meanwhile), 'steady: still here');
    const result = await hanging;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^\[UPSTREAM ERROR\] .*'faulty__hang'.*'faulty'.*timed out/i);
    assert.equal(textOf(await client.callTool({ name: 'faulty__echo', arguments: { message: 'after hang' } })), 'faulty: after hang');
  });

  it('garbage on an upstream stdout does not break the connection', async () => {
    const client = await gw.connect();
    assert.equal(textOf(await client.callTool({ name: 'faulty__garbage', arguments: {} })), 'survived');
    assert.equal(textOf(await client.callTool({ name: 'faulty__echo', arguments: { message: 'ok' } })), 'faulty: ok');
  });

  it('an upstream that crashes mid-call fails only its own call, then is reconnected', async () => {
    const client = await gw.connect();
    const crashed = await client.callTool({ name: 'faulty__crash', arguments: {} });
    assert.equal(crashed.isError, true);
    assert.match(textOf(crashed), /^\[UPSTREAM ERROR\]/);
    assert.equal(textOf(await client.callTool({ name: 'steady__whoami', arguments: {} })), 'steady');
    // While it is down its calls fail fast with the reason, and its tools stay listed.
    const faulty = gw.app.gateway.upstreams.find((u) => u.name === 'faulty');
    assert.ok(faulty);
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'faulty__echo'));
    await eventually(() => faulty.status === 'ready', 400);
    assert.equal(textOf(await client.callTool({ name: 'faulty__echo', arguments: { message: 'back' } })), 'faulty: back');
  });

  it('an upstream that never starts leaves the gateway serving the others', async () => {
    const other = await startGateway({
      servers: { missing: { command: '/nonexistent/binary' }, steady: stdioFixture('faulty', { NAME: 'steady' }) },
      config: { prefix: { mode: 'always' } },
    });
    try {
      const client = await other.connect();
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('steady__echo'));
      assert.ok(!names.some((n) => n.startsWith('missing__')));
      const health = (await (await fetch(new URL('/healthz', other.url))).json()) as { status: string; upstreams: { name: string; status: string }[] };
      assert.equal(health.status, 'degraded');
      // It keeps retrying in the background, so it is either down or in the middle of another attempt.
      assert.ok(['down', 'connecting'].includes(health.upstreams.find((u) => u.name === 'missing')?.status ?? ''));
    } finally {
      await other.close();
    }
  });
});

describe('a flooding upstream', () => {
  it('does not stop calls to it or to other upstreams from completing', async () => {
    const gw = await startGateway({ servers: { noisy: stdioFixture('faulty', { NAME: 'noisy' }), quiet: stdioFixture('faulty', { NAME: 'quiet' }) }, config: { prefix: { mode: 'always' } } });
    try {
      const flooded = await gw.connect();
      const other = await gw.connect();
      const [flood, meanwhile] = await Promise.all([
        flooded.callTool({ name: 'noisy__flood', arguments: { count: 20_000 } }),
        other.callTool({ name: 'quiet__echo', arguments: { message: 'not starved' } }),
      ]);
      assert.equal(textOf(flood), 'flooded 20000');
      assert.equal(textOf(meanwhile), 'quiet: not starved');
      assert.equal(textOf(await flooded.callTool({ name: 'noisy__echo', arguments: { message: 'after flood' } })), 'noisy: after flood');
    } finally {
      await gw.close();
    }
  });
});
