import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteAgentKeyStore } from '../../src/adapters/stores/sqlite/agent-key-store.js';
import { SqliteCatalogStore } from '../../src/adapters/stores/sqlite/catalog-store.js';
import { agentKeyStoreContract } from './agent-key-store.contract.js';
import { assertOpensInWalMode, storeHarness, tempFile, withDatabase } from './support.js';

agentKeyStoreContract('sqlite', async () => {
  const file = tempFile('keys');
  return {
    ...(await storeHarness(() => new SqliteAgentKeyStore(file.path), file.remove)),
    rawRows: async () => {
      // A separate connection, so the rows are read as they are on disk, not through the store.
      const probe = new Database(file.path, { readonly: true });
      try {
        return probe.prepare('SELECT * FROM agent_keys').all();
      } finally {
        probe.close();
      }
    },
  };
});

describe('SqliteAgentKeyStore specifics', () => {
  test('opened by path: WAL mode', () => assertOpensInWalMode((path) => new SqliteAgentKeyStore(path)));

  test('a shared connection: used alongside the catalog, and closing the store leaves it open for its owner', () =>
    withDatabase(async (db) => {
      const catalog = new SqliteCatalogStore(db);
      const first = new SqliteAgentKeyStore(db);
      const second = new SqliteAgentKeyStore(db);
      const { key, secret } = await first.create('agent', 1);
      await first.close();
      await catalog.close();
      assert.equal(db.open, true);
      assert.equal((await second.verify(secret, 2))?.id, key.id);
      assert.equal(await second.revoke(key.id, 3), true);
      await second.close();
    }));

  test('a shared connection with safe integers on still yields numbers', () =>
    withDatabase(async (db) => {
      db.defaultSafeIntegers(true);
      const store = new SqliteAgentKeyStore(db);
      const { secret } = await store.create('agent', 1_700_000_000_000);
      const verified = await store.verify(secret, 1_700_000_000_001);
      assert.equal(verified?.createdAt, 1_700_000_000_000);
      await store.verify(secret, 1_700_000_000_002 + 60_000);
      await store.revoke(verified?.id ?? '', 1_700_000_100_000);
      const [listed] = await store.list();
      assert.deepEqual(listed && [typeof listed.createdAt, listed.lastUsedAt, listed.revokedAt], ['number', 1_700_000_060_002, 1_700_000_100_000]);
    }));

  test('an in-memory database works (nothing to reopen, but every operation)', async () => {
    const store = new SqliteAgentKeyStore(':memory:');
    try {
      const { secret } = await store.create('agent', 1);
      assert.equal((await store.verify(secret, 2))?.agent, 'agent');
    } finally {
      await store.close();
    }
  });
});
