import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { eventually, spawnGateway, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';
import { freePort, killHard, startRedis } from '../helpers/services.js';

type Result = Awaited<ReturnType<Client['callTool']>>;
const verdict = (r: Result) => ((r._meta ?? {})['gatehouse/decision'] as { decision?: string; retryAfterSeconds?: number } | undefined);
const admitted = (results: Result[]) => results.filter((r) => !r.isError).length;

const POLICY = JSON.stringify({
  version: '1',
  default: 'deny',
  tools: {
    echo: { rate_limit: { max: 3, window: 60 } },
    whoami: { rate_limit: { max: 2, window: 60, scope: 'agent' } },
    echo_count: {},
    'progress_*': { limits: [{ max: 2, window: '400ms' }] },
    cancellations: { rate_limit: { max: 10, window: 60 } },
  },
});

describe('rate limits through the gateway (in-memory store)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICY });
  });
  after(() => gw.close());

  it('admits max calls per session, then answers [RATE LIMITED] with the seconds until a slot frees', async () => {
    const client = await gw.connect();
    const results: Result[] = [];
    for (let i = 0; i < 4; i++) results.push(await client.callTool({ name: 'echo', arguments: { message: `m${i}` } }));
    assert.equal(admitted(results), 3);
    const refused = results[3];
    assert.ok(refused);
    assert.match(textOf(refused), /^\[RATE LIMITED\] The call to 'echo' was refused by tools\.echo\.rate_limit \(at most 3 calls in any 60 s, per agent session\)\. Retry after \d+ seconds\./);
    assert.equal(verdict(refused)?.decision, 'limit');
    const retry = verdict(refused)?.retryAfterSeconds ?? 0;
    assert.ok(retry >= 1 && retry <= 60, String(retry));
    assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '3', 'the refused call never reached the upstream');
    const other = await gw.connect();
    assert.ok(!(await other.callTool({ name: 'echo', arguments: { message: 'fresh session' } })).isError, 'another session has its own count');
  });

  it('scope "agent" is shared by every session of one agent', async () => {
    const a = await gw.connect();
    const b = await gw.connect();
    const results = [await a.callTool({ name: 'whoami', arguments: {} }), await b.callTool({ name: 'whoami', arguments: {} }), await b.callTool({ name: 'whoami', arguments: {} })];
    assert.deepEqual(results.map((r) => !r.isError), [true, true, false]);
  });

  it('64 concurrent calls against max 10 admit exactly 10', async () => {
    const client = await gw.connect();
    const results = await Promise.all(Array.from({ length: 64 }, () => client.callTool({ name: 'cancellations', arguments: {} })));
    assert.equal(admitted(results), 10);
    assert.ok(results.filter((r) => r.isError).every((r) => verdict(r)?.decision === 'limit'));
  });

  it('the window slides: calls are admitted again once the oldest leave it', async () => {
    const client = await gw.connect();
    const call = () => client.callTool({ name: 'progress_steps', arguments: { steps: 1 } });
    assert.deepEqual([!(await call()).isError, !(await call()).isError, !(await call()).isError], [true, true, false]);
    await eventually(async () => !(await call()).isError, 40, 50);
  });
});

describe('rate limits with Redis', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function writeConfig(name: string, redisUrl: string, prefix: string): string {
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { echo: { rate_limit: { max: 10, window: 60, scope: 'global' } }, whoami: {} } }));
    const path = join(dir, `${name}.yaml`);
    const fixture = stdioFixture('faulty') as { command: string; args: string[] };
    writeFileSync(
      path,
      [
        'listen: { port: 0 }',
        'policy: { path: policy.json }',
        'log_level: error',
        `storage: { sqlite_path: ${name}.db, redis_url: "${redisUrl}", redis_key_prefix: "${prefix}" }`,
        'servers:',
        `  faulty: { command: ${JSON.stringify(fixture.command)}, args: [${JSON.stringify(fixture.args[0])}] }`,
      ].join('\n'),
    );
    return path;
  }

  async function connect(url: URL): Promise<Client> {
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  }

  it('two gateway processes sharing Redis admit exactly 10 of 64 concurrent calls', async () => {
    const prefix = `gatehouse-test:${randomUUID()}:`;
    const one = await spawnGateway(writeConfig('one', 'redis://127.0.0.1:6379', prefix));
    const two = await spawnGateway(writeConfig('two', 'redis://127.0.0.1:6379', prefix));
    const clients = [await connect(one.url), await connect(two.url)];
    try {
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => (clients[i % 2] as Client).callTool({ name: 'echo', arguments: { message: String(i) } })));
      assert.equal(admitted(results), 10);
      const perReplica = [0, 1].map((r) => results.filter((res, i) => i % 2 === r && !res.isError).length);
      assert.ok(perReplica.every((n) => n > 0), `both replicas admitted some: ${perReplica.join('+')}`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([one.kill(), two.kill()]);
    }
  });

  it('fails closed when Redis is unreachable: limited tools are denied, unlimited ones still work', async () => {
    const gw = await spawnGateway(writeConfig('down', 'redis://127.0.0.1:1', `gatehouse-test:${randomUUID()}:`));
    const client = await connect(gw.url);
    try {
      const limited = await client.callTool({ name: 'echo', arguments: { message: 'x' } });
      assert.equal(limited.isError, true);
      assert.match(textOf(limited), /^\[POLICY DENIED\] .*rate-limit store is unavailable/);
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'faulty');
    } finally {
      await client.close();
      await gw.kill();
    }
  });
});

describe('Redis killed mid-run', () => {
  it('denies limited calls while Redis is down and recovers without a restart', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const gw = await startGateway({
      servers: { faulty: stdioFixture('faulty') },
      policy: JSON.stringify({ version: '1', default: 'deny', tools: { echo: { rate_limit: { max: 100, window: 60 } }, echo_count: {} } }),
      config: { storage: { redis_url: `redis://127.0.0.1:${port}`, redis_key_prefix: `gatehouse-test:${randomUUID()}:` } },
    });
    try {
      const client = await gw.connect();
      const echo = () => client.callTool({ name: 'echo', arguments: { message: 'x' } });
      assert.ok(!(await echo()).isError);
      await killHard(redis);
      const during = await echo();
      assert.equal(during.isError, true);
      assert.match(textOf(during), /^\[POLICY DENIED\] .*rate-limit store is unavailable/);
      assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '1', 'calls without quotas still work; the denied one never reached the upstream');
      assert.equal((await fetch(new URL('/readyz', gw.url))).status, 503);
      redis = await startRedis(port);
      await eventually(async () => !(await echo()).isError, 100, 100);
      assert.equal((await fetch(new URL('/readyz', gw.url))).status, 200);
      assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '2', 'only the admitted calls reached the upstream');
    } finally {
      await gw.close();
      await killHard(redis);
    }
  });
});
