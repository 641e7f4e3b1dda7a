/** What the store adapters' test files share: temporary SQLite files, PostgreSQL tables, and stores to close. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';

interface Closable {
  close(): Promise<void>;
}

/** Opens stores on one storage and closes every one of them at the end. */
export function opener<S extends Closable>(open: () => S | Promise<S>): { open(): Promise<S>; closeAll(): Promise<void> } {
  const opened: S[] = [];
  return {
    open: async () => {
      const store = await open();
      opened.push(store);
      return store;
    },
    closeAll: async () => {
      for (const store of opened) await store.close();
    },
  };
}

/** A store and a way to reopen it on the same storage; cleanup closes them all, then removes the storage. */
export async function storeHarness<S extends Closable>(
  open: () => S | Promise<S>,
  removeStorage: () => void | Promise<void>,
): Promise<{ store: S; reopen(): Promise<S>; cleanup(): Promise<void> }> {
  const stores = opener(open);
  return {
    store: await stores.open(),
    reopen: stores.open,
    cleanup: async () => {
      await stores.closeAll();
      await removeStorage();
    },
  };
}

/** Wraps a test body so that it gets a fresh harness, cleaned up however the body ends. */
export function withHarness<H extends { cleanup(): Promise<void> }>(make: () => Promise<H>): (body: (h: H) => Promise<void>) => () => Promise<void> {
  return (body) => async () => {
    const h = await make();
    try {
      await body(h);
    } finally {
      await h.cleanup();
    }
  };
}

/** A path for a database file in a directory of its own, which `remove` deletes. */
export function tempFile(label: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-${label}-`));
  return { path: join(dir, `${label}.db`), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store opened by path must put the file in WAL mode, as seen from another connection. */
export async function assertOpensInWalMode(open: (path: string) => Closable): Promise<void> {
  const file = tempFile('wal');
  const store = open(file.path);
  const probe = new Database(file.path);
  try {
    assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    probe.close();
    await store.close();
    file.remove();
  }
}

/** Runs `body` with a connection the test owns, on a temporary file, as the gateway shares one between stores. */
export async function withDatabase(body: (db: Database.Database) => Promise<void>): Promise<void> {
  const file = tempFile('shared');
  const db = new Database(file.path);
  try {
    await body(db);
  } finally {
    db.close();
    file.remove();
  }
}

export const POSTGRES_URL = process.env['GATEHOUSE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Nothing listens on port 1: connecting is refused at once. */
export const CLOSED_POSTGRES_URL = 'postgres://postgres@127.0.0.1:1/test';

/**
 * Table names unique to this run, so concurrent runs and leftovers never meet; every one handed out is dropped
 * when the file's tests end. Call at module level: it registers an `after` hook.
 */
export function postgresTables(prefix: string): { run: string; admin: pg.Pool; fresh(): string; drop(table: string): Promise<void> } {
  const run = `${prefix}_${process.pid}_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  let count = 0;
  const drop = async (table: string): Promise<void> => {
    await admin.query(`DROP TABLE IF EXISTS "${table}"`);
  };
  after(async () => {
    for (let i = 1; i <= count; i++) await drop(`${run}_${i}`);
    await admin.end();
  });
  return { run, admin, fresh: () => `${run}_${++count}`, drop };
}

/** Runs `body` against a server that accepts connections and never answers, as a hung database does. */
export async function withSilentServer(body: (url: string) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await body(`postgres://postgres@127.0.0.1:${port}/test`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** `action` must reject (matching `error`, when given) in less than `ms`: fail fast, not hang. */
export async function rejectsWithin(ms: number, action: () => Promise<unknown>, error?: RegExp): Promise<void> {
  const started = performance.now();
  await (error === undefined ? assert.rejects(action) : assert.rejects(action, error));
  const elapsed = performance.now() - started;
  assert.ok(elapsed < ms, `${elapsed} ms`);
}
