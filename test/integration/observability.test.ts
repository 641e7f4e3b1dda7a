import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, stdioFixture, type TestGateway } from '../helpers/harness.js';

describe('observability: /metrics, /readyz', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify({ version: '1', default: 'deny', tools: { echo: {}, whoami: { rate_limit: { max: 1, window: 60 } } } }) });
    const client = await gw.connect();
    await client.callTool({ name: 'echo', arguments: { message: 'm' } });
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'hang', arguments: {} });
  });
  after(() => gw.close());

  it('/metrics counts calls by server, tool and decision, with latency histograms and health gauges', async () => {
    const res = await fetch(new URL('/metrics', gw.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    for (const line of [
      'gatehouse_tool_calls_total{server="faulty",tool="echo",decision="allow"} 1',
      'gatehouse_tool_calls_total{server="faulty",tool="whoami",decision="limit"} 1',
      'gatehouse_tool_calls_total{server="faulty",tool="hang",decision="deny"} 1',
      'gatehouse_upstream_up{server="faulty"} 1',
      'gatehouse_audit_healthy 1',
      'gatehouse_sessions 1',
    ]) assert.ok(text.includes(line), line);
    assert.match(text, /gatehouse_upstream_call_seconds_count\{server="faulty",outcome="ok"\} 2/);
    assert.match(text, /gatehouse_decision_seconds_bucket/);
    assert.match(text, /gatehouse_audit_pending \d+/);
  });

  it('/readyz is 200 with a policy and reachable stores', async () => {
    const res = await fetch(new URL('/readyz', gw.url));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ready: true, reasons: [] });
  });

  it('/readyz is 503 and says why when the Redis limiter is unreachable', async () => {
    const down = await startGateway({ servers: { faulty: stdioFixture('faulty') }, config: { storage: { redis_url: 'redis://127.0.0.1:1' } } });
    try {
      const res = await fetch(new URL('/readyz', down.url));
      assert.equal(res.status, 503);
      const body = (await res.json()) as { ready: boolean; reasons: string[] };
      assert.equal(body.ready, false);
      assert.match(body.reasons.join(' '), /rate-limit store does not answer/);
    } finally {
      await down.close();
    }
  });
});
