import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SqliteCatalogStore } from '../../src/adapters/stores/sqlite/catalog-store.js';
import { catalogStoreContract, tool } from './catalog-store.contract.js';
import { assertOpensInWalMode, storeHarness, tempFile, withDatabase } from './support.js';

catalogStoreContract('sqlite', async () => {
  const file = tempFile('catalog');
  return storeHarness(() => new SqliteCatalogStore(file.path), file.remove);
});

describe('SqliteCatalogStore specifics', () => {
  test('opened by path: WAL mode', () => assertOpensInWalMode((path) => new SqliteCatalogStore(path)));

  test('a shared connection: several stores use it, and closing a store leaves it open for its owner', () =>
    withDatabase(async (db) => {
      const first = new SqliteCatalogStore(db);
      const second = new SqliteCatalogStore(db);
      assert.deepEqual((await first.observe('s', [tool('t', 'h1')], 1)).added, ['t']);
      assert.deepEqual(await second.observe('s', [tool('t', 'h1')], 2), { added: [], changed: [] });
      await first.close();
      assert.equal(db.open, true);
      assert.deepEqual((await second.list()).map((r) => [r.tool, r.firstSeen, r.lastSeen]), [['t', 1, 2]]);
      await second.close();
    }));

  test('a shared connection with safe integers on still yields numbers', () =>
    withDatabase(async (db) => {
      db.defaultSafeIntegers(true);
      const store = new SqliteCatalogStore(db);
      await store.observe('s', [tool('t', 'h1')], 1_700_000_000_000);
      const [record] = await store.list();
      assert.equal(record?.firstSeen, 1_700_000_000_000);
      assert.equal(typeof record?.lastSeen, 'number');
    }));
});
