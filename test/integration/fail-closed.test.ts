import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { startHttp, type RunningHttp } from '../../src/adapters/http/server.js';
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../../src/core/policy/index.js';
import { Gateway } from '../../src/proxy/gateway.js';
import { MemoryRateLimitStore } from '../../src/adapters/stores/memory/rate-limit-store.js';
import { Upstream } from '../../src/proxy/upstream.js';
import type { PolicyProvider } from '../../src/ports.js';
import { fixture, textOf } from '../helpers/harness.js';
import { httpLimitsOf } from '../../src/main.js';
import { ConfigSchema } from '../../src/config/schema.js';

/** A policy source whose behaviour the test switches: working, empty, or throwing from inside the decision. */
class SwitchablePolicy implements PolicyProvider {
  mode: 'ok' | 'none' | 'throws' | 'decide-throws' = 'ok';
  private readonly allowAll: CompiledPolicy;
  constructor() {
    const parsed = parsePolicy({ version: '1', default: 'allow' });
    assert.ok(parsed.ok);
    this.allowAll = compilePolicy(parsed.value, { hideDefaultDenied: true });
  }
  current(): CompiledPolicy | undefined {
    if (this.mode === 'none') return undefined;
    if (this.mode === 'throws') throw new Error('policy store unreachable');
    if (this.mode === 'decide-throws') return { ...this.allowAll, decide: () => { throw new Error('rule evaluation blew up'); } };
    return this.allowAll;
  }
  onChange(): void {}
}

describe('fail closed: a broken decision path denies and never forwards', () => {
  const policy = new SwitchablePolicy();
  let gateway: Gateway;
  let http: RunningHttp;
  let client: Client;
  before(async () => {
    const logger = pino({ level: 'silent' });
    const upstream = new Upstream({
      name: 'faulty',
      createTransport: async () => new StdioClientTransport({ command: process.execPath, args: [fixture('faulty')] }),
      callTimeoutMs: 5000,
      connectTimeoutMs: 5000,
      logger,
      hooks: { listsChanged: () => gateway.listsChanged(upstream, []), notification: () => undefined, serverRequest: () => Promise.reject(new Error('unused')) },
    });
    gateway = new Gateway({ upstreams: [upstream], policy, limits: new MemoryRateLimitStore(), prefixMode: 'never', prefixSeparator: '__', pageSize: 100, hideDefaultDenied: true, logger });
    await gateway.start();
    http = await startHttp(gateway, { host: '127.0.0.1', port: 0, maxBodyBytes: 65536, allowedHosts: [], allowedOrigins: [], responseMode: 'sse', transport: 'node', limits: httpLimitsOf(ConfigSchema.parse({ policy: { path: 'unused' }, servers: {} }).listen), authenticate: async () => ({ ok: true, agent: 'tester', via: 'anonymous' }) });
    client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  });
  after(async () => {
    await client.close();
    await http.close();
    await gateway.close();
  });

  for (const [mode, cause] of [
    ['throws', /policy store unreachable/],
    ['none', /no policy is loaded/],
    ['decide-throws', /rule evaluation blew up/],
  ] as const) {
    it(`denies when the policy ${mode === 'none' ? 'is missing' : mode === 'throws' ? 'cannot be read' : 'throws while deciding'}`, async () => {
      policy.mode = mode;
      const result = await client.callTool({ name: 'echo', arguments: { message: 'must not pass' } });
      policy.mode = 'ok';
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^\[POLICY DENIED\] .*gateway/);
      assert.match(textOf(result), cause);
      assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), '0', 'the upstream never saw the call');
    });
  }

  it('lists nothing while no policy is loaded, and serves again once one is', async () => {
    policy.mode = 'none';
    assert.deepEqual((await client.listTools()).tools, []);
    policy.mode = 'ok';
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'now' } })), 'faulty: now');
  });
});
