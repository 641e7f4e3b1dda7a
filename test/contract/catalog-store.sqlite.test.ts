import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteCatalogStore } from '../../src/adapters/stores/sqlite/catalog-store.js';
import type { CatalogStore, ToolObservation } from '../../src/ports.js';
import { catalogStoreContract } from './catalog-store.contract.js';

function tempFile(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-catalog-'));
  return { path: join(dir, 'catalog.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const observation = (tool: string, definitionHash: string): ToolObservation => ({
  tool,
  definitionHash,
  definition: { tool },
  category: 'read',
  level: 'low',
  confidence: 1,
  rationale: 'test',
});

catalogStoreContract('sqlite', async () => {
  const file = tempFile();
  const opened: CatalogStore[] = [new SqliteCatalogStore(file.path)];
  return {
    store: opened[0] as CatalogStore,
    reopen: async () => {
      const store = new SqliteCatalogStore(file.path);
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      file.remove();
    },
  };
});

describe('SqliteCatalogStore specifics', () => {
  test('opened by path: WAL mode', async () => {
    const file = tempFile();
    const store = new SqliteCatalogStore(file.path);
    const probe = new Database(file.path);
    try {
      assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      probe.close();
      await store.close();
      file.remove();
    }
  });

  test('a shared connection: several stores use it, and closing a store leaves it open for its owner', async () => {
    const file = tempFile();
    const db = new Database(file.path);
    try {
      const first = new SqliteCatalogStore(db);
      const second = new SqliteCatalogStore(db);
      assert.deepEqual((await first.observe('s', [observation('t', 'h1')], 1)).added, ['t']);
      assert.deepEqual(await second.observe('s', [observation('t', 'h1')], 2), { added: [], changed: [] });
      await first.close();
      assert.equal(db.open, true);
      assert.deepEqual((await second.list()).map((r) => [r.tool, r.firstSeen, r.lastSeen]), [['t', 1, 2]]);
      await second.close();
    } finally {
      db.close();
      file.remove();
    }
  });

  test('a shared connection with safe integers on still yields numbers', async () => {
    const file = tempFile();
    const db = new Database(file.path);
    db.defaultSafeIntegers(true);
    try {
      const store = new SqliteCatalogStore(db);
      await store.observe('s', [observation('t', 'h1')], 1_700_000_000_000);
      const [record] = await store.list();
      assert.equal(record?.firstSeen, 1_700_000_000_000);
      assert.equal(typeof record?.lastSeen, 'number');
    } finally {
      db.close();
      file.remove();
    }
  });
});
