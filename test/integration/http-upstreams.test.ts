import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EVERYTHING, eventually, fixture, startGateway, textOf, type TestGateway } from '../helpers/harness.js';
import { freePort } from '../helpers/services.js';

describe('HTTP upstreams: Streamable HTTP and legacy SSE', () => {
  let httpFixture: ChildProcess;
  let everything: ChildProcess;
  let fixturePort: number;
  let everythingPort: number;
  let gw: TestGateway;

  before(async () => {
    httpFixture = spawn(process.execPath, [fixture('http-upstream')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(httpFixture.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    fixturePort = Number(line.toString().trim());
    everythingPort = await freePort();
    everything = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], { env: { ...process.env, PORT: String(everythingPort) }, stdio: 'ignore' });
    await eventually(async () => (await fetch(`http://127.0.0.1:${everythingPort}/mcp`, { method: 'GET' }).catch(() => undefined)) !== undefined, 200);
    process.env['GATEHOUSE_TEST_UPSTREAM_TOKEN'] = 'upstream-secret-123';
    gw = await startGateway({
      servers: {
        remote: { url: `http://127.0.0.1:${fixturePort}/mcp`, headers: { authorization: 'Bearer ${GATEHOUSE_TEST_UPSTREAM_TOKEN}', 'x-tenant': 'acme' } },
        legacy: { transport: 'sse', url: `http://127.0.0.1:${fixturePort}/sse`, headers: { 'x-tenant': 'legacy' } },
        everything: { url: `http://127.0.0.1:${everythingPort}/mcp` },
      },
      config: { prefix: { mode: 'on-collision' } },
    });
  });
  after(async () => {
    await gw.close();
    httpFixture.kill();
    everything.kill();
  });

  it('merges tools from Streamable HTTP and SSE upstreams and calls each', async () => {
    const client = await gw.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['remote__remote_echo', 'legacy__remote_echo', 'echo', 'get-sum']) assert.ok(names.includes(name), name);
    assert.equal(textOf(await client.callTool({ name: 'remote__remote_echo', arguments: { message: 'a' } })), 'remote: a');
    assert.equal(textOf(await client.callTool({ name: 'legacy__remote_echo', arguments: { message: 'b' } })), 'remote: b');
    assert.match(textOf(await client.callTool({ name: 'echo', arguments: { message: 'c' } })), /c/);
    assert.match(textOf(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })), /5/);
  });

  it('an upstream that cuts the HTTP stream mid-call fails that call only, and the next call works', async () => {
    const client = await gw.connect();
    const cut = await client.callTool({ name: 'remote__cut_stream', arguments: {} });
    assert.equal(cut.isError, true);
    assert.match(textOf(cut), /^\[UPSTREAM ERROR\] .*'remote'/);
    assert.equal(textOf(await client.callTool({ name: 'remote__remote_echo', arguments: { message: 'again' } })), 'remote: again');
  });

  it('sends upstream credentials from config and never the agent\'s own', async () => {
    const { secret } = await gw.app.stores.keys.create('agent-with-key', Date.now());
    const client = new Client({ name: 'agent-with-key', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.url), { requestInit: { headers: { authorization: `Bearer ${secret}`, cookie: 'sid=agent' } } }));
    try {
      await client.callTool({ name: 'remote__remote_echo', arguments: { message: 'with key' } });
      const seen = JSON.parse(textOf(await client.callTool({ name: 'remote__seen_headers', arguments: {} }))) as Record<string, string>[];
      const all = JSON.stringify(seen);
      assert.ok(!all.includes(secret), 'the agent key never reaches the upstream');
      assert.doesNotMatch(all, /sid=agent/);
      assert.ok(seen.some((h) => h['authorization'] === 'Bearer upstream-secret-123' && h['x-tenant'] === 'acme'));
      assert.ok(seen.some((h) => h['x-tenant'] === 'legacy'), 'SSE upstream gets its configured headers');
    } finally {
      await client.close();
    }
  });
});
