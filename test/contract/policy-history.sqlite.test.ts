import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SqliteCatalogStore } from '../../src/adapters/stores/sqlite/catalog-store.js';
import { SqlitePolicyHistory } from '../../src/adapters/stores/sqlite/policy-history.js';
import { policyHistoryContract, revision } from './policy-history.contract.js';
import { assertOpensInWalMode, storeHarness, tempFile, withDatabase } from './support.js';

policyHistoryContract('sqlite', async () => {
  const file = tempFile('policy');
  return storeHarness(() => new SqlitePolicyHistory(file.path), file.remove);
});

describe('SqlitePolicyHistory specifics', () => {
  test('opened by path: WAL mode', () => assertOpensInWalMode((path) => new SqlitePolicyHistory(path)));

  test('a shared connection with safe integers on: used alongside another store, yields numbers, stays open for its owner', () =>
    withDatabase(async (db) => {
      db.defaultSafeIntegers(true);
      const catalog = new SqliteCatalogStore(db);
      const first = new SqlitePolicyHistory(db);
      const second = new SqlitePolicyHistory(db);
      const saved = await first.append(revision(1));
      assert.deepEqual([typeof saved.id, typeof saved.savedAt], ['number', 'number']);
      await first.close();
      await catalog.close();
      assert.equal(db.open, true);
      assert.deepEqual(await second.get(1), saved);
      assert.deepEqual(await second.latest(), saved);
      assert.equal((await second.append(revision(2))).id, 2);
      await second.close();
    }));

  test('an in-memory database works (nothing to reopen, but every operation)', async () => {
    const store = new SqlitePolicyHistory(':memory:');
    try {
      assert.equal((await store.append(revision(1))).id, 1);
      assert.equal((await store.latest())?.version, 'v1');
    } finally {
      await store.close();
    }
  });
});
