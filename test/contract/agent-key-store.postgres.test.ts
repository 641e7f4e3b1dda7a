import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgresAgentKeyStore } from '../../src/adapters/stores/postgres/agent-key-store.js';
import { agentKeyStoreContract } from './agent-key-store.contract.js';
import { CLOSED_POSTGRES_URL, POSTGRES_URL, postgresTables, rejectsWithin, storeHarness } from './support.js';

const tables = postgresTables('gatehouse_keys_test');

agentKeyStoreContract('postgres', async () => {
  const table = tables.fresh();
  return {
    ...(await storeHarness(() => PostgresAgentKeyStore.create({ connectionString: POSTGRES_URL, table }), () => tables.drop(table))),
    rawRows: async () => (await tables.admin.query(`SELECT * FROM "${table}"`)).rows,
  };
});

describe('PostgresAgentKeyStore specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, () =>
    rejectsWithin(5_000, () => PostgresAgentKeyStore.create({ connectionString: CLOSED_POSTGRES_URL, table: tables.fresh() })));

  test('rejects a table name that is not a plain identifier', async () => {
    await assert.rejects(PostgresAgentKeyStore.create({ connectionString: POSTGRES_URL, table: 'x"; DROP TABLE y; --' }), /invalid agent key table name/);
  });

  test('replicas share keys: created on one, verified and revoked on another; concurrent verifies record one use', { timeout: 20_000 }, async () => {
    const table = tables.fresh();
    const stores = await Promise.all(Array.from({ length: 3 }, () => PostgresAgentKeyStore.create({ connectionString: POSTGRES_URL, table })));
    try {
      const [a, b, c] = stores;
      assert.ok(a && b && c);
      const { key, secret } = await a.create('agent', 1_000);
      const verified = await Promise.all(stores.map((s) => s.verify(secret, 2_000)));
      assert.deepEqual(verified.map((k) => k?.id), [key.id, key.id, key.id]);
      assert.equal((await c.list())[0]?.lastUsedAt, 2_000);
      assert.equal(await b.revoke(key.id, 3_000), true);
      assert.equal(await c.revoke(key.id, 3_001), false);
      assert.equal(await a.verify(secret, 4_000), undefined);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
