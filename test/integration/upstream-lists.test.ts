import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import pino from 'pino';
import { Upstream, type ListKind } from '../../src/proxy/upstream.js';
import { eventually, fixture } from '../helpers/harness.js';

describe('upstream list_changed notifications', () => {
  it('answers a burst of tools/list_changed with at most two reads, the last of which sees every tool', async () => {
    const reads: (readonly ListKind[])[] = [];
    const upstream = new Upstream({
      name: 'faulty',
      createTransport: () => new StdioClientTransport({ command: process.execPath, args: [fixture('faulty')] }),
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
