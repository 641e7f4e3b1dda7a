import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PostgresPolicyHistory } from '../../src/adapters/stores/postgres/policy-history.js';
import { policyHistoryContract, revision } from './policy-history.contract.js';
import { CLOSED_POSTGRES_URL, POSTGRES_URL, postgresTables, rejectsWithin, storeHarness } from './support.js';

const tables = postgresTables('gatehouse_policy_test');

policyHistoryContract('postgres', async () => {
  const table = tables.fresh();
  return storeHarness(() => PostgresPolicyHistory.create({ connectionString: POSTGRES_URL, table }), () => tables.drop(table));
});

describe('PostgresPolicyHistory specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, () =>
    rejectsWithin(5_000, () => PostgresPolicyHistory.create({ connectionString: CLOSED_POSTGRES_URL, table: tables.fresh() })));

  test('rejects a table name that is not a plain identifier', async () => {
    await assert.rejects(PostgresPolicyHistory.create({ connectionString: POSTGRES_URL, table: 'x"; DROP TABLE y; --' }), /invalid policy history table name/);
  });

  test('an append that fails uses up no id', async () => {
    const table = tables.fresh();
    const store = await PostgresPolicyHistory.create({ connectionString: POSTGRES_URL, table });
    try {
      assert.equal((await store.append(revision(1))).id, 1);
      // PostgreSQL text refuses NUL characters: the insert fails after the id was computed.
      await assert.rejects(store.append(revision(2, { text: 'bad\u0000text' })));
      assert.equal((await store.append(revision(3))).id, 2);
    } finally {
      await store.close();
    }
  });

  test('four replicas appending at once under REPEATABLE READ defaults: ids still unique and gapless', { timeout: 30_000 }, async () => {
    const table = tables.fresh();
    const url = `${POSTGRES_URL}?options=${encodeURIComponent('-c default_transaction_isolation=repeatable\\ read')}`;
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresPolicyHistory.create({ connectionString: url, table })));
    try {
      const saved = await Promise.all(stores.flatMap((store, s) => Array.from({ length: 25 }, (_, n) => store.append(revision(n, { savedBy: `replica-${s}` })))));
      assert.deepEqual(saved.map((r) => r.id).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1));
      assert.equal((await stores[3]?.latest())?.id, 100);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
