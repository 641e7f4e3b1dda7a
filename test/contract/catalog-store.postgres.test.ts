import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresCatalogStore } from '../../src/adapters/stores/postgres/catalog-store.js';
import type { CatalogStore, ToolObservation } from '../../src/ports.js';
import { catalogStoreContract } from './catalog-store.contract.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Unique per run, so concurrent runs and leftovers never meet; every table made is dropped. */
const RUN = `gatehouse_catalog_test_${process.pid}_${randomUUID().slice(0, 8)}`;

const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
let tables = 0;

async function drop(table: string): Promise<void> {
  await admin.query(`DROP TABLE IF EXISTS "${table}"`);
}

after(async () => {
  for (let i = 1; i <= tables; i++) await drop(`${RUN}_${i}`);
  await admin.end();
});

function freshTable(): string {
  tables += 1;
  return `${RUN}_${tables}`;
}

const observation = (tool: string, definitionHash: string): ToolObservation => ({
  tool,
  definitionHash,
  definition: { tool, definitionHash },
  category: 'read',
  level: 'low',
  confidence: 1,
  rationale: 'test',
});

catalogStoreContract('postgres', async () => {
  const table = freshTable();
  const opened: CatalogStore[] = [await PostgresCatalogStore.create({ connectionString: DATABASE_URL, table })];
  return {
    store: opened[0] as CatalogStore,
    reopen: async () => {
      const store = await PostgresCatalogStore.create({ connectionString: DATABASE_URL, table });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      await drop(table);
    },
  };
});

describe('PostgresCatalogStore specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, async () => {
    const started = Date.now();
    await assert.rejects(PostgresCatalogStore.create({ connectionString: 'postgres://postgres@127.0.0.1:1/test', table: freshTable() }));
    assert.ok(Date.now() - started < 5_000);
  });

  test('a server that accepts but never answers: create rejects after connectionTimeoutMillis', { timeout: 10_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(PostgresCatalogStore.create({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, table: freshTable(), connectionTimeoutMillis: 300 }));
      assert.ok(Date.now() - started < 5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('connections cut under the store (server restart): no crash, and the next observe works', { timeout: 10_000 }, async () => {
    const name = `${RUN}_cut`;
    const store = await PostgresCatalogStore.create({ connectionString: `${DATABASE_URL}?application_name=${name}`, table: freshTable() });
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      assert.ok(killed.rowCount !== null && killed.rowCount > 0, 'the store had a pooled connection to cut');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual((await store.observe('s', [observation('t', 'h')], 1)).added, ['t']);
    } finally {
      await store.close();
    }
  });

  test('several gateways observing at once: each addition and each change is reported exactly once', { timeout: 30_000 }, async () => {
    const table = freshTable();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresCatalogStore.create({ connectionString: DATABASE_URL, table })));
    try {
      const toolNames = Array.from({ length: 20 }, (_, i) => `tool-${String(i).padStart(2, '0')}`);
      for (let round = 0; round < 5; round++) {
        const current = toolNames.map((t) => observation(t, `v${round}`));
        // Half the stores list the tools in reverse: differing orders must not deadlock.
        const results = await Promise.all(
          stores.map((store, s) => store.observe('shared', s % 2 === 0 ? current : [...current].reverse(), 1_000 + round)),
        );
        const added = results.flatMap((r) => r.added).sort();
        const changed = results.flatMap((r) => r.changed.map((c) => c.tool)).sort();
        if (round === 0) assert.deepEqual([added, changed], [toolNames, []]);
        else {
          assert.deepEqual([added, changed], [[], toolNames]);
          for (const c of results.flatMap((r) => r.changed)) assert.equal(c.previousHash, `v${round - 1}`);
        }
      }
      const listed = await stores[0]?.list('shared');
      assert.deepEqual(listed?.map((r) => [r.tool, r.definitionHash, r.firstSeen]), toolNames.map((t) => [t, 'v4', 1_000]));
    } finally {
      for (const store of stores) await store.close();
    }
  });

  test('rejects a table name that is not a plain identifier', async () => {
    await assert.rejects(PostgresCatalogStore.create({ connectionString: DATABASE_URL, table: 'x"; DROP TABLE y; --' }), /invalid catalog table name/);
  });
});
