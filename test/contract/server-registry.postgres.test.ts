import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgresServerRegistry } from '../../src/adapters/stores/postgres/server-registry.js';
import { NESTED_CONFIG, serverRegistryContract } from './server-registry.contract.js';
import { CLOSED_POSTGRES_URL, POSTGRES_URL, postgresTables, rejectsWithin, storeHarness, withSilentServer } from './support.js';

const tables = postgresTables('gatehouse_servers_test');

serverRegistryContract('postgres', async () => {
  const table = tables.fresh();
  return storeHarness(() => PostgresServerRegistry.create({ connectionString: POSTGRES_URL, table }), () => tables.drop(table));
});

describe('PostgresServerRegistry specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, () =>
    rejectsWithin(5_000, () => PostgresServerRegistry.create({ connectionString: CLOSED_POSTGRES_URL, table: tables.fresh() })));

  test('a server that accepts but never answers: create rejects after connectionTimeoutMillis', { timeout: 10_000 }, () =>
    withSilentServer((url) => rejectsWithin(5_000, () => PostgresServerRegistry.create({ connectionString: url, table: tables.fresh(), connectionTimeoutMillis: 300 }))));

  test('rejects a table name that is not a plain identifier', async () => {
    await assert.rejects(PostgresServerRegistry.create({ connectionString: POSTGRES_URL, table: 'x"; DROP TABLE y; --' }), /invalid server registry table name/);
  });

  test('the config is stored as jsonb, queryable in SQL', async () => {
    const table = tables.fresh();
    const store = await PostgresServerRegistry.create({ connectionString: POSTGRES_URL, table });
    try {
      await store.put('files', NESTED_CONFIG, 1);
      const { rows } = await tables.admin.query(`SELECT pg_typeof(config)::text AS type, config->'env'->>'UNICODE' AS unicode FROM "${table}"`);
      assert.deepEqual(rows, [{ type: 'jsonb', unicode: NESTED_CONFIG.env.UNICODE }]);
    } finally {
      await store.close();
    }
  });
});
