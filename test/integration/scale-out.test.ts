import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import { CLI, spawnGateway, stdioFixture, textOf } from '../helpers/harness.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';

describe('scale-out: two gateway processes sharing Redis and PostgreSQL', () => {
  const schema = `gatehouse_scale_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scale-'));
  const admin = new pg.Client({ connectionString: PG });

  function config(name: string, postgresUrl: string): string {
    const fixture = stdioFixture('faulty') as { command: string; args: string[] };
    const path = join(dir, `${name}.yaml`);
    writeFileSync(
      path,
      [
        'listen: { port: 0 }',
        'policy: { path: policy.json }',
        'log_level: error',
        'auth: { anonymous_on_loopback: false }',
        `storage: { sqlite_path: ${name}.db, postgres_url: "${postgresUrl}", redis_url: "redis://127.0.0.1:6379", redis_key_prefix: "${schema}:" }`,
        'servers:',
        `  faulty: { command: ${JSON.stringify(fixture.command)}, args: [${JSON.stringify(fixture.args[0])}] }`,
      ].join('\n'),
    );
    return path;
  }
  const shared = `${PG}?options=-c%20search_path%3D${schema}`;

  before(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { echo: { rate_limit: { max: 5, window: 60, scope: 'global' } }, whoami: {} } }));
  });
  after(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keys work on both, limits are exact across both, and the audit of both verifies as one chain', async () => {
    const one = await spawnGateway(config('one', shared));
    const two = await spawnGateway(config('two', shared));
    const clients: Client[] = [];
    try {
      const created = spawnSync(process.execPath, [CLI, 'keys', 'create', '--agent', 'fleet', '-c', config('cli', shared)], { encoding: 'utf8' });
      assert.equal(created.status, 0, created.stderr);
      const key = created.stdout.trim();
      for (const gw of [one, two]) {
        const client = new Client({ name: 'fleet', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(gw.url, { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
        clients.push(client);
      }
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (clients[i % 2] as Client).callTool({ name: 'echo', arguments: { message: String(i) } })));
      assert.equal(results.filter((r) => !r.isError).length, 5);
      assert.equal(textOf(await (clients[1] as Client).callTool({ name: 'whoami', arguments: {} })), 'faulty');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([one.kill(), two.kill()]);
    }
    const verify = spawnSync(process.execPath, [CLI, 'audit', 'verify', '-c', config('cli', shared)], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /ok: 21 records, chain intact/);
    const { rows } = await admin.query<{ agent: string; n: string }>(`SELECT agent, count(*) AS n FROM ${schema}.gatehouse_audit GROUP BY agent`);
    assert.deepEqual(rows.map((r) => [r.agent, Number(r.n)]), [['fleet', 21]]);
  });

  it('PostgreSQL unreachable: the gateway starts, /readyz says why, and keyed agents get 503, never in', async () => {
    const down = await spawnGateway(config('down', 'postgres://postgres@127.0.0.1:1/test'));
    try {
      const ready = await fetch(new URL('/readyz', down.url));
      assert.equal(ready.status, 503);
      assert.match(JSON.stringify(await ready.json()), /PostgreSQL .* does not answer/);
      const res = await fetch(down.url, {
        method: 'POST',
        headers: { authorization: 'Bearer gh_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      assert.equal(res.status, 503);
      assert.match(await res.text(), /agent key store is unavailable/);
    } finally {
      await down.kill();
    }
  });
});
