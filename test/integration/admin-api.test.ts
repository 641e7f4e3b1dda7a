import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { RedisApprovalStore } from '../../src/adapters/stores/redis/approval-store.js';
import { ADMIN_ROUTES } from '../../src/adapters/http/admin/api.js';
import { openApiDocument } from '../../src/adapters/http/admin/openapi.js';
import { GATEHOUSE_VERSION } from '../../src/version.js';
import { ROOT, eventually, fixture, spawnGateway, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const TOKEN = 'admin-api-test-token-0123456789';
const POLICY = { version: '1', default: 'allow', tools: { create_workspace: { action: 'deny', reason: 'read-only week' } } };

interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

async function call<T = Record<string, unknown>>(gw: TestGateway, method: string, path: string, body?: unknown, token = TOKEN): Promise<ApiAnswer<T>> {
  const res = await fetch(new URL(path, gw.url), {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : { text }) as T };
}

type ErrorBody = { error: { message: string; path?: string; issues?: { path: string; message: string }[] } };
const faultyServer = { command: process.execPath, args: [fixture('faulty')], env: { NAME: 'registered' } };
const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

describe('admin API', () => {
  let gw: TestGateway;
  let client: Client;
  before(async () => {
    gw = await startGateway({ servers: { prometheus: stdioFixture('prometheus', { API_SECRET: 'not-for-the-console' }) }, policy: JSON.stringify(POLICY), config: { admin: { token: TOKEN } } });
    client = await gw.connect();
  });
  after(() => gw.close());

  describe('access and bad input', () => {
    it('refuses a missing or wrong token with 401, and names unknown endpoints and wrong methods', async () => {
      assert.equal((await call(gw, 'GET', '/api/servers', undefined, '')).status, 401);
      assert.equal((await call(gw, 'GET', '/api/servers', undefined, 'wrong-token-wrong-token')).status, 401);
      const unknown = await call<ErrorBody>(gw, 'GET', '/api/nothing');
      assert.equal(unknown.status, 404);
      assert.match(unknown.body.error.message, /no such endpoint/);
      const wrongMethod = await fetch(new URL('/api/keys', gw.url), { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get('allow'), 'GET, POST');
    });

    it('answers malformed JSON, wrong types and oversized bodies with 400/413 and the path, and keeps serving', async () => {
      const malformed = await call<ErrorBody>(gw, 'POST', '/api/keys', '{"agent":');
      assert.equal(malformed.status, 400);
      assert.match(malformed.body.error.message, /not valid JSON/);
      const wrongType = await call<ErrorBody>(gw, 'POST', '/api/keys', { agent: 42 });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.error.path, 'agent');
      const unknownField = await call<ErrorBody>(gw, 'POST', '/api/keys', { agent: 'a', admin: true });
      assert.equal(unknownField.body.error.path, 'admin');
      const badQuery = await call<ErrorBody>(gw, 'GET', '/api/approvals?status=maybe');
      assert.equal(badQuery.status, 400);
      assert.equal(badQuery.body.error.path, 'status');
      const huge = await call<ErrorBody>(gw, 'PUT', '/api/policy', { policy: { version: '1', default: 'deny', padding: 'x'.repeat(1_100_000) } });
      assert.equal(huge.status, 413);
      assert.equal((await call(gw, 'GET', '/api/servers')).status, 200, 'still serving');
    });

    it('publishes an OpenAPI description generated from the schemas, identical to docs/openapi.json', async () => {
      const res = await fetch(new URL('/api/openapi.json', gw.url));
      assert.equal(res.status, 200, 'the description needs no token');
      const served = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
      assert.deepEqual(served, openApiDocument(ADMIN_ROUTES, GATEHOUSE_VERSION));
      const committed = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as unknown;
      assert.deepEqual(committed, served, 'docs/openapi.json is stale: run npm run openapi');
      assert.ok(served.paths['/api/servers/{name}']?.['put'], 'every route is described');
      assert.equal(Object.values(served.paths).reduce((n, methods) => n + Object.keys(methods).length, 0), ADMIN_ROUTES.length);
    });
  });

  describe('servers', () => {
    it('lists config-file servers read-only, with the names of env variables but never their values', async () => {
      const { body } = await call<{ servers: { name: string; source: string; status: string; envKeys: string[]; tools: number }[] }>(gw, 'GET', '/api/servers');
      const prometheus = body.servers.find((s) => s.name === 'prometheus');
      assert.deepEqual({ ...prometheus }, { ...prometheus, source: 'config', status: 'ready', envKeys: ['API_SECRET'] });
      assert.ok((prometheus?.tools ?? 0) > 0);
      assert.doesNotMatch(JSON.stringify(body), /not-for-the-console/);
      assert.equal((await call(gw, 'PUT', '/api/servers/prometheus', { config: faultyServer })).status, 409);
      assert.equal((await call(gw, 'DELETE', '/api/servers/prometheus')).status, 409);
    });

    it('refuses an invalid server config with the path of the bad field, registering nothing', async () => {
      const wrongType = await call<ErrorBody>(gw, 'POST', '/api/servers', { name: 'bad', config: { command: 'node', args: 'not-a-list' } });
      assert.equal(wrongType.status, 400);
      assert.equal(wrongType.body.error.path, 'config.args');
      const neither = await call<ErrorBody>(gw, 'POST', '/api/servers', { name: 'bad', config: {} });
      assert.equal(neither.body.error.path, 'config.url');
      const badName = await call<ErrorBody>(gw, 'POST', '/api/servers', { name: '../etc', config: faultyServer });
      assert.equal(badName.body.error.path, 'name');
      const taken = await call<ErrorBody>(gw, 'POST', '/api/servers', { name: 'prometheus', config: faultyServer });
      assert.equal(taken.status, 409);
      assert.deepEqual((await gw.app.stores.servers.list()).map((s) => s.name), []);
    });

    it('registers a server at run time: its tools reach connected agents, calls pass the policy, and it can be removed', async () => {
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      const created = await call<{ server: { name: string; source: string; status: string } }>(gw, 'POST', '/api/servers', { name: 'extra', config: faultyServer });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.server, { ...created.body.server, name: 'extra', source: 'api', status: 'ready' });
      await changed;
      assert.ok((await toolNames(client)).includes('whoami'));
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'registered');
      const catalog = await call<{ tools: { server: string }[] }>(gw, 'GET', '/api/catalog?server=extra');
      assert.ok(catalog.body.tools.length > 5);

      const updated = await call<{ server: { status: string } }>(gw, 'PUT', '/api/servers/extra', { config: { ...faultyServer, env: { NAME: 'renamed' } } });
      assert.equal(updated.status, 200);
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'renamed', 'reconnected with the new config');
      // An editor gets env names without values; sending a name back empty keeps what is stored.
      const edited = await call(gw, 'PUT', '/api/servers/extra', { config: { ...faultyServer, args: [fixture('faulty'), '--edited'], env: { NAME: '' } } });
      assert.equal(edited.status, 200);
      assert.deepEqual((await gw.app.stores.servers.get('extra'))?.config['env'], { NAME: 'renamed' });
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'renamed');

      assert.equal((await call(gw, 'DELETE', '/api/servers/extra')).status, 200);
      assert.ok(!(await toolNames(client)).includes('whoami'));
      assert.equal((await call(gw, 'DELETE', '/api/servers/extra')).status, 404);
      assert.equal((await call(gw, 'PUT', '/api/servers/extra', { config: faultyServer })).status, 404);
    });

    it('tests a connection without registering it', async () => {
      const ok = await call<{ ok: boolean; tools: string[] }>(gw, 'POST', '/api/servers/test', { config: faultyServer });
      assert.equal(ok.body.ok, true);
      assert.ok(ok.body.tools.includes('echo'));
      const failing = await call<{ ok: boolean; error: string }>(gw, 'POST', '/api/servers/test', { config: { command: process.execPath, args: ['-e', 'process.exit(7)'], connect_timeout_ms: 5000 } });
      assert.equal(failing.body.ok, false);
      assert.ok(failing.body.error.length > 0);
      assert.deepEqual((await gw.app.stores.servers.list()).map((s) => s.name), []);
    });

    it('imports the mcpServers block of a client config, saying what it skipped and why', async () => {
      const imported = await call<{ imported: string[]; skipped: { name: string; reason: string }[] }>(gw, 'POST', '/api/servers/import', {
        mcpServers: {
          fromcursor: { ...faultyServer, env: { NAME: 'imported' } },
          'has space': faultyServer,
          remote: { type: 'websocket', url: 'ws://127.0.0.1:1/' },
          prometheus: faultyServer,
        },
      });
      assert.equal(imported.status, 200);
      assert.deepEqual(imported.body.imported, ['fromcursor']);
      assert.deepEqual(imported.body.skipped.map((s) => s.name).sort(), ['has space', 'prometheus', 'remote']);
      assert.match(imported.body.skipped.find((s) => s.name === 'remote')?.reason ?? '', /unknown transport "websocket"/);
      await eventually(async () => (await toolNames(client)).includes('whoami'));
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'imported');
      assert.equal((await call(gw, 'DELETE', '/api/servers/fromcursor')).status, 200);
    });
  });

  describe('policy', () => {
    it('validates without applying: every problem with its path, or what the policy does to each tool', async () => {
      const invalid = await call<{ valid: boolean; errors: { path: string }[] }>(gw, 'POST', '/api/policy/validate', { policy: { version: '1', default: 'maybe', tools: { x: { action: 'explode' } } } });
      assert.equal(invalid.status, 200);
      assert.equal(invalid.body.valid, false);
      assert.deepEqual(invalid.body.errors.map((e) => e.path).sort(), ['policy.default', 'policy.tools.x.action']);
      const valid = await call<{ valid: boolean; tools: { tool: string; effect: string }[]; warnings: string[] }>(gw, 'POST', '/api/policy/validate', { policy: { version: '1', default: 'deny', tools: { list_workspaces: {}, ghost: {} } } });
      assert.equal(valid.body.valid, true);
      assert.equal(valid.body.tools.find((t) => t.tool === 'list_workspaces')?.effect, 'allow');
      assert.equal(valid.body.tools.find((t) => t.tool === 'create_workspace')?.effect, 'deny');
      assert.ok(valid.body.warnings.some((w) => w.includes('ghost')));
    });

    it('an invalid put is refused with the path and changes nothing; a valid one applies at once and is kept as a revision', async () => {
      const before = await call<{ version: string; text: string }>(gw, 'GET', '/api/policy');
      const fileBefore = readFileSync(gw.policyPath, 'utf8');
      const refused = await call<ErrorBody>(gw, 'PUT', '/api/policy', { policy: { version: '2', default: 'deny' } });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.path, 'policy.version');
      assert.equal(readFileSync(gw.policyPath, 'utf8'), fileBefore);
      assert.equal(gw.app.policy.current().version, before.body.version);

      assert.match(textOf(await client.callTool({ name: 'list_workspaces', arguments: {} })), /ws-1/);
      const put = await call<{ version: string; revision: number }>(gw, 'PUT', '/api/policy', { policy: { version: '1', default: 'allow', tools: { list_workspaces: { action: 'deny', reason: 'saved from the API' } } }, by: 'alice', note: 'lock down' });
      assert.equal(put.status, 200);
      assert.equal(gw.app.policy.current().version, put.body.version, 'in force at once');
      assert.match(textOf(await client.callTool({ name: 'list_workspaces', arguments: {} })), /^\[POLICY DENIED\].*saved from the API/);
      assert.deepEqual(JSON.parse(readFileSync(gw.policyPath, 'utf8')), { version: '1', default: 'allow', tools: { list_workspaces: { action: 'deny', reason: 'saved from the API' } } });

      const history = await call<{ revisions: { id: number; savedBy: string; note: string | null; current: boolean; version: string }[] }>(gw, 'GET', '/api/policy/history');
      const [newest, first] = history.body.revisions;
      assert.deepEqual({ ...newest }, { ...newest, id: put.body.revision, savedBy: 'alice', note: 'lock down', current: true });
      assert.equal(first?.savedBy, 'file', 'the policy found at start-up is the first revision');
      assert.equal(first?.version, before.body.version);

      const rolled = await call<{ version: string; revision: number }>(gw, 'POST', '/api/policy/rollback', { revision: first?.id, by: 'bob' });
      assert.equal(rolled.status, 200);
      assert.equal(rolled.body.version, before.body.version);
      assert.match(textOf(await client.callTool({ name: 'list_workspaces', arguments: {} })), /ws-1/);
      const old = await call<{ revision: { text: string } }>(gw, 'GET', `/api/policy/history/${first?.id ?? 0}`);
      assert.deepEqual(JSON.parse(old.body.revision.text), POLICY);
      assert.equal((await call(gw, 'GET', '/api/policy/history/9999')).status, 404);
      assert.equal((await call(gw, 'POST', '/api/policy/rollback', { revision: 9999 })).status, 404);
    });

    it('records an edit made to the file directly as a revision', async () => {
      const edited = { ...POLICY, tools: { ...POLICY.tools, echo: { reason: 'edited on disk' } } };
      gw.writePolicy(JSON.stringify(edited));
      await eventually(async () => (await call<{ revisions: { savedBy: string; current: boolean }[] }>(gw, 'GET', '/api/policy/history')).body.revisions[0]?.savedBy === 'file');
      const current = await call<{ policy: unknown }>(gw, 'GET', '/api/policy');
      assert.deepEqual(current.body.policy, edited);
      gw.writePolicy(JSON.stringify(POLICY));
      await eventually(async () => (await call<{ policy: unknown }>(gw, 'GET', '/api/policy')).body.policy !== undefined && JSON.stringify((await call<{ policy: unknown }>(gw, 'GET', '/api/policy')).body.policy) === JSON.stringify(POLICY));
    });
  });

  describe('audit, keys and overview', () => {
    it('queries, verifies and exports the audit trail, refusing an unknown decision by path', async () => {
      await client.callTool({ name: 'create_workspace', arguments: { alias: 'x' } });
      await gw.app.audit.flush();
      const denied = await call<{ records: { tool: string; decision: string }[] }>(gw, 'GET', '/api/audit?decision=deny&tool=create_workspace');
      assert.ok(denied.body.records.length >= 1);
      assert.ok(denied.body.records.every((r) => r.decision === 'deny' && r.tool === 'create_workspace'));
      assert.equal((await call<ErrorBody>(gw, 'GET', '/api/audit?decision=perhaps')).body.error.path, 'decision');
      assert.equal((await call<ErrorBody>(gw, 'GET', '/api/audit?since=yesterday-ish')).body.error.path, 'since');
      assert.equal((await call<ErrorBody>(gw, 'GET', '/api/audit?since=2h&until=later')).body.error.path, 'until');
      const verified = await call<{ ok: boolean; count: number }>(gw, 'GET', '/api/audit/verify');
      assert.equal(verified.body.ok, true);
      assert.ok(verified.body.count >= 1);
      const csv = await fetch(new URL('/api/audit/export?format=csv&decision=deny&tool=create_workspace', gw.url), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.match(csv.headers.get('content-disposition') ?? '', /gatehouse-audit\.csv/);
      const lines = (await csv.text()).trim().split('\n');
      assert.match(lines[0] ?? '', /^seq,time,agent/);
      assert.equal(lines.length, denied.body.records.length + 1);
    });

    it('creates a key whose secret works on /mcp, lists it without the secret, and revokes it', async () => {
      const created = await call<{ key: { id: string; agent: string }; secret: string }>(gw, 'POST', '/api/keys', { agent: 'console-made' });
      assert.equal(created.status, 201);
      const agentClient = await gw.connect(undefined, { authorization: `Bearer ${created.body.secret}` });
      await agentClient.callTool({ name: 'list_workspaces', arguments: {} });
      await gw.app.audit.flush();
      assert.equal((await gw.app.stores.audit.query({ agent: 'console-made' })).length, 1);
      const listed = await call<{ keys: { id: string }[] }>(gw, 'GET', '/api/keys');
      assert.ok(listed.body.keys.some((k) => k.id === created.body.key.id));
      assert.doesNotMatch(JSON.stringify(listed.body), new RegExp(created.body.secret));
      assert.equal((await call(gw, 'DELETE', `/api/keys/${created.body.key.id}`)).status, 200);
      assert.equal((await call(gw, 'DELETE', `/api/keys/${created.body.key.id}`)).status, 404);
    });

    it('summarises decisions over time from the audit trail', async () => {
      await gw.app.audit.flush();
      const overview = await call<{ totals: Record<string, number>; series: { t: number; deny: number }[]; topTools: { tool: string; calls: number; denied: number }[]; upstreams: { name: string }[]; policyVersion: string }>(gw, 'GET', '/api/overview');
      assert.equal(overview.status, 200);
      assert.equal(overview.body.series.length, 60);
      const deniedInTrail = (await gw.app.stores.audit.query({ decision: 'deny' })).length;
      assert.equal(overview.body.totals['deny'], deniedInTrail);
      assert.equal(overview.body.series.reduce((n, b) => n + b.deny, 0), deniedInTrail);
      assert.ok(overview.body.topTools.some((t) => t.tool === 'create_workspace' && t.denied >= 1));
      assert.deepEqual(overview.body.upstreams.map((u) => u.name), ['prometheus']);
      assert.equal(overview.body.policyVersion, gw.app.policy.current().version);
      assert.equal((await call(gw, 'GET', '/api/overview?window=24h')).status, 200);
    });
  });
});

describe('admin API across a restart', () => {
  it('a registered server is started again from the store, and the admin API is off without a token', async () => {
    const first = await startGateway({ servers: {}, config: { admin: { token: TOKEN } } });
    assert.equal((await call(first, 'POST', '/api/servers', { name: 'kept', config: faultyServer })).status, 201);
    await first.close(true);
    const second = await startGateway({ servers: {}, dir: first.dir, config: {} });
    try {
      const client = await second.connect();
      assert.equal(textOf(await client.callTool({ name: 'whoami', arguments: {} })), 'registered');
      const disabled = await call<ErrorBody>(second, 'GET', '/api/servers');
      assert.equal(disabled.status, 404);
      assert.match(disabled.body.error.message, /admin API is disabled/);
    } finally {
      await second.close();
    }
  });

  it('a registered server whose config no longer validates is listed as invalid, with why, and not started', async () => {
    process.env['GATEHOUSE_TEST_FIXTURE_NAME'] = 'from-env';
    const first = await startGateway({ servers: {}, config: { admin: { token: TOKEN } } });
    const withVariable = { ...faultyServer, env: { NAME: '${GATEHOUSE_TEST_FIXTURE_NAME}' } };
    assert.equal((await call(first, 'POST', '/api/servers', { name: 'needs-env', config: withVariable })).status, 201);
    await first.close(true);
    delete process.env['GATEHOUSE_TEST_FIXTURE_NAME'];
    const second = await startGateway({ servers: {}, dir: first.dir, config: { admin: { token: TOKEN } } });
    try {
      const { body } = await call<{ servers: { name: string; status: string; error?: string }[] }>(second, 'GET', '/api/servers');
      assert.deepEqual(body.servers.map((s) => [s.name, s.status]), [['needs-env', 'invalid']]);
      assert.match(body.servers[0]?.error ?? '', /GATEHOUSE_TEST_FIXTURE_NAME is not set/);
      assert.deepEqual(second.app.gateway.upstreams.map((u) => u.name), []);
    } finally {
      await second.close();
    }
  });
});

interface ApprovalEvent {
  id: string;
  status: string;
  tool: string;
  risk?: { level: string };
}

/** Collects the `approval` events of an open /api/approvals/events response until it ends. */
function readApprovalEvents(feed: Response): { events: ApprovalEvent[]; reading: Promise<void> } {
  const events: ApprovalEvent[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of feed.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (data) events.push(JSON.parse(data.slice(6)) as ApprovalEvent);
      }
    }
  })().catch(() => undefined);
  return { events, reading };
}

describe('approvals live feed', () => {
  it('streams a new held call and its decision as server-sent events, with the tool risk', async () => {
    const policy = { version: '1', default: 'allow', tools: { echo: { action: 'require_approval', approval: { timeout: '30s' } } } };
    const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config: { admin: { token: TOKEN } } });
    const abort = new AbortController();
    try {
      const feed = await fetch(new URL('/api/approvals/events', gw.url), { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
      assert.equal(feed.headers.get('content-type'), 'text/event-stream');
      const { events, reading } = readApprovalEvents(feed);
      const client = await gw.connect();
      const held = client.callTool({ name: 'echo', arguments: { message: 'live' } }, undefined, { timeout: 60_000 });
      await eventually(() => events.length === 1);
      const [pending] = events;
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.tool, 'echo');
      assert.ok(pending?.risk?.level);
      assert.equal((await call(gw, 'POST', `/api/approvals/${pending?.id ?? ''}/approve`, { by: 'console-user' })).status, 200);
      assert.equal(textOf(await held), 'faulty: live');
      await eventually(() => events.length === 2);
      assert.equal(events[1]?.status, 'approved');
      abort.abort();
      await reading;
    } finally {
      await gw.close();
    }
  });

  it('over Redis, the feed on one replica shows a call held on another, and its decision', async () => {
    const policy = { version: '1', default: 'allow', tools: { echo: { action: 'require_approval', approval: { timeout: '30s' } } } };
    const config = { admin: { token: TOKEN }, storage: { redis_url: 'redis://127.0.0.1:6379', redis_key_prefix: `gatehouse-test:${randomUUID()}:` } };
    const a = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config });
    const b = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config });
    const abort = new AbortController();
    try {
      const feed = await fetch(new URL('/api/approvals/events', b.url), { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
      const { events, reading } = readApprovalEvents(feed);
      // The feed subscribes when it opens; give the subscription a moment to be in place at Redis.
      await (b.app.stores.approvals as RedisApprovalStore).listening();
      const client = await a.connect();
      const held = client.callTool({ name: 'echo', arguments: { message: 'from a' } }, undefined, { timeout: 60_000 });
      await eventually(() => events.some((e) => e.status === 'pending'));
      const pending = events.find((e) => e.status === 'pending');
      assert.equal(pending?.tool, 'echo');
      assert.equal((await call(b, 'POST', `/api/approvals/${pending?.id ?? ''}/approve`, { by: 'replica-b-user' })).status, 200);
      assert.equal(textOf(await held), 'faulty: from a');
      await eventually(() => events.some((e) => e.id === pending?.id && e.status !== 'pending'));
      assert.equal(events.filter((e) => e.status === 'pending').length, 1, 'announced once, not once per replica');
      abort.abort();
      await reading;
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('admin.token: auto', () => {
  it('gatehouse serve makes a token for this run, prints it once, and the API takes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-auto-token-'));
    writeFileSync(join(dir, 'policy.json'), '{"version":"1","default":"deny"}');
    writeFileSync(join(dir, 'gatehouse.yaml'), 'listen: { port: 0 }\npolicy: { path: policy.json }\nadmin: { token: auto }\nservers: {}\n');
    const gateway = await spawnGateway(join(dir, 'gatehouse.yaml'));
    try {
      await eventually(() => /admin token for this run: \S+/.test(gateway.stderr()));
      const token = /admin token for this run: (\S+)/.exec(gateway.stderr())?.[1] ?? '';
      assert.ok(token.length >= 32, 'a long random token');
      assert.notEqual(token, 'auto');
      const api = (bearer: string) => fetch(new URL('/api/servers', gateway.url), { headers: { authorization: `Bearer ${bearer}` } });
      assert.equal((await api(token)).status, 200);
      assert.equal((await api('auto')).status, 401, 'the word itself is not the token');
    } finally {
      await gateway.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
