import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresAgentKeyStore } from '../../src/adapters/stores/postgres/agent-key-store.js';
import type { AgentKeyStore } from '../../src/ports.js';
import { agentKeyStoreContract } from './agent-key-store.contract.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Unique per run, so concurrent runs and leftovers never meet; every table made is dropped. */
const RUN = `gatehouse_keys_test_${process.pid}_${randomUUID().slice(0, 8)}`;

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

agentKeyStoreContract('postgres', async () => {
  const table = freshTable();
  const opened: AgentKeyStore[] = [await PostgresAgentKeyStore.create({ connectionString: DATABASE_URL, table })];
  return {
    store: opened[0] as AgentKeyStore,
    reopen: async () => {
      const store = await PostgresAgentKeyStore.create({ connectionString: DATABASE_URL, table });
      opened.push(store);
      return store;
    },
    rawRows: async () => (await admin.query(`SELECT * FROM "${table}"`)).rows,
    cleanup: async () => {
      for (const store of opened) await store.close();
      await drop(table);
    },
  };
});

describe('PostgresAgentKeyStore specifics', () => {
  test('an unreachable database rejects quickly instead of hanging', { timeout: 10_000 }, async () => {
    const started = Date.now();
    await assert.rejects(PostgresAgentKeyStore.create({ connectionString: 'postgres://postgres@127.0.0.1:1/test', table: freshTable() }));
    assert.ok(Date.now() - started < 5_000);
  });

  test('rejects a table name that is not a plain identifier', async () => {
    await assert.rejects(PostgresAgentKeyStore.create({ connectionString: DATABASE_URL, table: 'x"; DROP TABLE y; --' }), /invalid agent key table name/);
  });

  test('replicas share keys: created on one, verified and revoked on another; concurrent verifies record one use', { timeout: 20_000 }, async () => {
    const table = freshTable();
    const stores = await Promise.all(Array.from({ length: 3 }, () => PostgresAgentKeyStore.create({ connectionString: DATABASE_URL, table })));
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
