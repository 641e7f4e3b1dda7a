import Database from 'better-sqlite3';

/** A connection in WAL mode, so readers (the console, `audit verify`) never block the writer. */
export function openDatabase(path: string, busyTimeoutMs = 5_000): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  return db;
}

/**
 * The connection for a store: a path opens one that the store owns and closes; a Database is shared with other
 * stores (one connection, one file) and stays the caller's to configure and close.
 */
export function storeDatabase(db: string | Database.Database): { db: Database.Database; close(): void } {
  if (typeof db !== 'string') return { db, close: () => {} };
  const owned = openDatabase(db);
  return {
    db: owned,
    close: () => {
      if (owned.open) owned.close();
    },
  };
}
