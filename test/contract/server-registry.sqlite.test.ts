import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteAgentKeyStore } from '../../src/adapters/stores/sqlite/agent-key-store.js';
import { SqliteServerRegistry } from '../../src/adapters/stores/sqlite/server-registry.js';
import { NESTED_CONFIG, serverRegistryContract } from './server-registry.contract.js';
import { assertOpensInWalMode, storeHarness, tempFile, withDatabase } from './support.js';

serverRegistryContract('sqlite', async () => {
  const file = tempFile('servers');
  return storeHarness(() => new SqliteServerRegistry(file.path), file.remove);
});

describe('SqliteServerRegistry specifics', () => {
  test('opened by path: WAL mode', () => assertOpensInWalMode((path) => new SqliteServerRegistry(path)));

  test('the config is stored as JSON text', async () => {
    const file = tempFile('servers-raw');
    const store = new SqliteServerRegistry(file.path);
    const probe = new Database(file.path, { readonly: true });
    try {
      await store.put('files', NESTED_CONFIG, 1);
      const row = probe.prepare<[], { type: string; config: string }>('SELECT typeof(config) AS type, config FROM registered_servers').get();
      assert.equal(row?.type, 'text');
      assert.deepEqual(JSON.parse(row?.config ?? 'null'), NESTED_CONFIG);
    } finally {
      probe.close();
      await store.close();
      file.remove();
    }
  });

  test('a shared connection with safe integers on: used alongside another store, yields numbers, stays open for its owner', () =>
    withDatabase(async (db) => {
      db.defaultSafeIntegers(true);
      const keys = new SqliteAgentKeyStore(db);
      const first = new SqliteServerRegistry(db);
      const second = new SqliteServerRegistry(db);
      const put = await first.put('files', { command: 'x' }, 1_700_000_000_000);
      assert.deepEqual([typeof put.createdAt, put.updatedAt], ['number', 1_700_000_000_000]);
      await first.close();
      await keys.close();
      assert.equal(db.open, true);
      const [listed] = await second.list();
      assert.deepEqual(listed && [typeof listed.createdAt, listed.updatedAt], ['number', 1_700_000_000_000]);
      await second.close();
    }));
});
