import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { CLI, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const POLICY = JSON.stringify({
  version: '1',
  default: 'deny',
  tools: { whoami: {}, echo: { rate_limit: { max: 1, window: 60, scope: 'agent' } } },
  agents: { 'ci-bot': { tools: { echo_count: {} } } },
});

describe('agent identity: API keys and JWTs', () => {
  let gw: TestGateway;
  let signer: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'keys', ...args, '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });
  const token = (sub: string, overrides: { issuer?: string; audience?: string } = {}) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'test' }).setSubject(sub).setIssuer(overrides.issuer ?? 'https://idp.test').setAudience(overrides.audience ?? 'gatehouse').setIssuedAt().setExpirationTime('5m').sign(signer);

  before(async () => {
    const pair = await generateKeyPair('ES256');
    signer = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-identity-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    gw = await startGateway({
      dir,
      servers: { faulty: stdioFixture('faulty') },
      policy: POLICY,
      config: { auth: { anonymous_on_loopback: false, jwt: { issuer: 'https://idp.test', audience: 'gatehouse', jwks_file: 'jwks.json' } } },
    });
    writeFileSync(join(gw.dir, 'gatehouse.yaml'), 'policy: { path: policy.json }\nservers: {}\n');
  });
  after(() => gw.close());

  async function connectWith(authorization?: string): Promise<Client> {
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(gw.url, authorization ? { requestInit: { headers: { authorization } } } : {}));
    return client;
  }

  it('refuses agents without credentials or with unknown ones (401)', async () => {
    await assert.rejects(connectWith(), /401|Unauthorized/);
    await assert.rejects(connectWith('Bearer gh_0123456789ab_notarealsecretnotarealsecretnotarealsecr'), /401|unknown or revoked/i);
    await assert.rejects(connectWith('Basic dXNlcjpwYXNz'), /401|Bearer/);
  });

  it('keys create prints a key once; it identifies the agent; revoke locks it out at once', async () => {
    const created = cli('create', '--agent', 'ci-bot');
    assert.equal(created.status, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^gh_[0-9a-z]+_[A-Za-z0-9_-]+$/);
    const client = await connectWith(`Bearer ${key}`);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['echo', 'echo_count', 'whoami'], 'ci-bot sees its own rule too');
    assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '0');
    const listed = cli('list');
    assert.match(listed.stdout, /ci-bot\s+.*active/);
    // The whole secret: it may itself contain "_", so splitting on "_" could leave a fragment short enough to match anything.
    const secret = key.slice(key.indexOf('_', 'gh_'.length) + 1);
    assert.ok(secret.length >= 32);
    assert.ok(!listed.stdout.includes(secret), 'list never shows secrets');
    const id = key.split('_')[1] ?? '';
    assert.equal(cli('revoke', id).status, 0);
    await assert.rejects(client.callTool({ name: 'whoami', arguments: {} }), /401|Unauthorized/);
    await client.close().catch(() => undefined);
  });

  it('accepts a valid JWT (agent = sub) and refuses a wrong audience or issuer', async () => {
    const client = await connectWith(`Bearer ${await token('deploy-agent')}`);
    assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'faulty');
    assert.match(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), /^\[POLICY DENIED\]/, 'only ci-bot has that rule');
    await assert.rejects(connectWith(`Bearer ${await token('x', { audience: 'other' })}`), /401|invalid token/);
    await assert.rejects(connectWith(`Bearer ${await token('x', { issuer: 'https://evil.test' })}`), /401|invalid token/);
    await client.close();
  });

  it('a session belongs to its agent: another agent presenting its id is refused (403)', async () => {
    const owner = new StreamableHTTPClientTransport(gw.url, { requestInit: { headers: { authorization: `Bearer ${await token('alice')}` } } });
    const client = new Client({ name: 'alice', version: '1' });
    await client.connect(owner);
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token('mallory')}`, 'mcp-session-id': owner.sessionId ?? '', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /belongs to another agent/);
    await client.close();
  });

  it('per-agent limits count every session of one agent together', async () => {
    const a = await connectWith(`Bearer ${await token('bob')}`);
    const b = await connectWith(`Bearer ${await token('bob')}`);
    const c = await connectWith(`Bearer ${await token('carol')}`);
    assert.ok(!(await a.callTool({ name: 'echo', arguments: { message: '1' } })).isError);
    assert.match(textOf(await b.callTool({ name: 'echo', arguments: { message: '2' } })), /^\[RATE LIMITED\]/);
    assert.ok(!(await c.callTool({ name: 'echo', arguments: { message: '3' } })).isError, 'another agent has its own count');
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('audit records name the authenticated agent', async () => {
    await gw.app.audit.flush();
    const agents = new Set((await gw.app.stores.audit.query({})).map((r) => r.agent));
    for (const agent of ['ci-bot', 'deploy-agent', 'bob', 'carol']) assert.ok(agents.has(agent), agent);
    assert.ok(!agents.has('anonymous'));
  });
});
