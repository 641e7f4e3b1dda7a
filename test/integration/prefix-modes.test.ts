import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogCollisionError } from '../../src/proxy/catalog.js';
import { startGateway, stdioFixture, textOf } from '../helpers/harness.js';

/** Two copies of one fixture: every tool name collides. */
const twins = { alpha: stdioFixture('faulty', { NAME: 'alpha' }), beta: stdioFixture('faulty', { NAME: 'beta' }) };

describe('many servers behind one URL: prefix modes', () => {
  it('"always" prefixes every tool with its server', async () => {
    const gw = await startGateway({ servers: twins, config: { prefix: { mode: 'always' } } });
    try {
      const client = await gw.connect();
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('alpha__echo') && names.includes('beta__echo'));
      assert.ok(names.every((n) => n.startsWith('alpha__') || n.startsWith('beta__')));
      assert.equal(textOf(await client.callTool({ name: 'beta__whoami', arguments: {} })), 'beta');
      assert.equal(textOf(await client.callTool({ name: 'alpha__whoami', arguments: {} })), 'alpha');
    } finally {
      await gw.close();
    }
  });

  it('"on-collision" prefixes only clashing names, reports them, and leaves unique names bare', async () => {
    const gw = await startGateway({ servers: { ...twins, prometheus: stdioFixture('prometheus') }, config: { prefix: { mode: 'on-collision', separator: '.' } } });
    try {
      const client = await gw.connect();
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('alpha.echo') && names.includes('beta.echo'));
      assert.ok(!names.includes('echo'));
      assert.ok(names.includes('get_dicom_import_job'));
      assert.equal(textOf(await client.callTool({ name: 'beta.whoami', arguments: {} })), 'beta');
      const reported = gw.logs.filter((l) => l.msg === 'tool name collision').map((l) => (l['collision'] as { name: string }).name);
      assert.ok(reported.includes('echo'), 'collision is logged');
      assert.ok(gw.app.gateway.catalog.collisions.some((c) => c.name === 'echo' && c.servers.join() === 'alpha,beta'));
    } finally {
      await gw.close();
    }
  });

  it('"never" refuses to start on a collision, naming the tool and servers', async () => {
    await assert.rejects(startGateway({ servers: twins, config: { prefix: { mode: 'never' } } }), (error: unknown) => {
      assert.ok(error instanceof CatalogCollisionError);
      assert.match(error.message, /tool 'echo' from alpha, beta/);
      return true;
    });
  });

  it('"never" starts when names are distinct', async () => {
    const gw = await startGateway({ servers: { alpha: twins.alpha, prometheus: stdioFixture('prometheus') }, config: { prefix: { mode: 'never' } } });
    try {
      const names = (await (await gw.connect()).listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('echo') && names.includes('delete_workspace'));
    } finally {
      await gw.close();
    }
  });
});
