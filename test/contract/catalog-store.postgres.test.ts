import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgresCatalogStore } from '../../src/adapters/stores/postgres/catalog-store.js';
import { catalogStoreContract, tool } from './catalog-store.contract.js';
import { CLOSED_POSTGRES_URL, POSTGRES_URL, postgresTables, rejectsWithin, storeHarness, withSilentServer } from './support.js';

const tables = postgresTables('gatehouse_catalog_test');

catalogStoreContract('postgres', async () => {
  const table = tables.fresh();
  return storeHarness(() => PostgresCatalogStore.create({ connectionString: POSTGRES_URL, table }), () => tables.drop(table));
});

describe('PostgresCatalogStore specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, () =>
    rejectsWithin(5_000, () => PostgresCatalogStore.create({ connectionString: CLOSED_POSTGRES_URL, table: tables.fresh() })));

  test('a server that accepts but never answers: create rejects after connectionTimeoutMillis', { timeout: 10_000 }, () =>
    withSilentServer((url) =>
      rejectsWithin(5_000, () => PostgresCatalogStore.create({ connectionString: url, table: tables.fresh(), connectionTimeoutMillis: 300 })),
    ));

  test('connections cut under the store (server restart): no crash, and the next observe works', { timeout: 10_000 }, async () => {
    const name = `${tables.run}_cut`;
    const store = await PostgresCatalogStore.create({ connectionString: `${POSTGRES_URL}?application_name=${name}`, table: tables.fresh() });
    try {
      const killed = await tables.admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      assert.ok(killed.rowCount !== null && killed.rowCount > 0, 'the store had a pooled connection to cut');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual((await store.observe('s', [tool('t', 'h')], 1)).added, ['t']);
    } finally {
      await store.close();
    }
  });

  test('several gateways observing at once: each addition and each change is reported exactly once', { timeout: 30_000 }, async () => {
    const table = tables.fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresCatalogStore.create({ connectionString: POSTGRES_URL, table })));
    try {
      const toolNames = Array.from({ length: 20 }, (_, i) => `tool-${String(i).padStart(2, '0')}`);
      for (let round = 0; round < 5; round++) {
        const current = toolNames.map((t) => tool(t, `v${round}`));
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
    await assert.rejects(PostgresCatalogStore.create({ connectionString: POSTGRES_URL, table: 'x"; DROP TABLE y; --' }), /invalid catalog table name/);
  });
});
