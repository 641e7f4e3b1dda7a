import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pino from 'pino';
import { MemoryRateLimitStore } from '../../src/adapters/stores/memory/rate-limit-store.js';
import type { CatalogStore } from '../../src/ports.js';
import { Gateway } from '../../src/proxy/gateway.js';
import { Upstream, type ListKind } from '../../src/proxy/upstream.js';
import { eventually, fixture } from '../helpers/harness.js';

describe('upstream list_changed notifications', () => {
  it('answers a burst of tools/list_changed with at most two reads, the last of which sees every tool', async () => {
    const reads: (readonly ListKind[])[] = [];
    const upstream = new Upstream({
      name: 'faulty',
      createTransport: async () => new StdioClientTransport({ command: process.execPath, args: [fixture('faulty')] }),
      callTimeoutMs: 5000,
      connectTimeoutMs: 5000,
      logger: pino({ level: 'silent' }),
      hooks: { listsChanged: (_upstream, kinds) => void reads.push(kinds), notification: () => undefined, serverRequest: () => Promise.reject(new Error('unused')) },
    });
    try {
      await upstream.start();
      reads.length = 0;
      await upstream.request('tools/call', { name: 'add_tools', arguments: { count: 5 } });
      await eventually(() => upstream.tools.filter((t) => t.name.startsWith('burst_')).length === 5);
      await sleep(200); // room for any further read to land
      assert.deepEqual(reads.flat(), reads.length === 1 ? ['tools'] : ['tools', 'tools'], `five notifications, ${reads.length} reads`);
    } finally {
      await upstream.close();
    }
  });
});

describe('gateway start', () => {
  it('builds the catalog once when every upstream has answered, and records each server once with its own tools', async () => {
    const logger = pino({ level: 'silent' });
    const observed: { server: string; tools: string[] }[] = [];
    const catalogStore: CatalogStore = {
      observe: async (server, tools) => {
        observed.push({ server, tools: tools.map((t) => t.tool) });
        return { added: [], changed: [] };
      },
      approve: async () => false,
      list: async () => [],
      close: async () => undefined,
    };
    let gateway: Gateway | undefined;
    const upstreams = ['one', 'two', 'three'].map(
      (name) =>
        new Upstream({
          name,
          createTransport: async () => new StdioClientTransport({ command: process.execPath, args: [fixture('faulty')], env: { NAME: name } }),
          callTimeoutMs: 5000,
          connectTimeoutMs: 5000,
          logger,
          hooks: { listsChanged: (upstream, kinds) => gateway?.listsChanged(upstream, kinds), notification: () => undefined, serverRequest: () => Promise.reject(new Error('unused')) },
        }),
    );
    gateway = new Gateway({ upstreams, policy: { current: () => undefined, onChange: () => undefined }, limits: new MemoryRateLimitStore(), prefixMode: 'always', prefixSeparator: '__', pageSize: 100, hideDefaultDenied: true, catalogStore, logger });
    let builds = 0;
    const rebuild = gateway.rebuildCatalog.bind(gateway);
    gateway.rebuildCatalog = () => {
      builds++;
      rebuild();
    };
    try {
      await gateway.start();
      assert.equal(builds, 1);
      assert.equal(gateway.catalog.tools.size, 3 * upstreams[0]!.tools.length);
      await eventually(() => observed.length === 3);
      assert.deepEqual(observed.map((o) => o.server).sort(), ['one', 'three', 'two']);
      for (const o of observed) assert.deepEqual([...o.tools].sort(), upstreams[0]!.tools.map((t) => t.name).sort());
    } finally {
      await gateway.close();
    }
  });
});
