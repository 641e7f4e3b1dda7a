import type Database from 'better-sqlite3';
import type { RegisteredServer, ServerRegistry } from '../../../ports.js';
import { SERVER_COLUMNS, serverConfigJson, toRegisteredServer, type ServerRow } from '../server-rows.js';
import { storeDatabase } from './database.js';

type Row = ServerRow<number>;

/**
 * Servers registered at run time, in SQLite, config as JSON text. Pass a Database to share one connection (and one
 * file) with other stores; that connection then stays the caller's to configure and close.
 */
export class SqliteServerRegistry implements ServerRegistry {
  private readonly closeDb: () => void;
  private readonly upsert: Database.Statement<[string, string, number, number], Row>;
  private readonly byName: Database.Statement<[string], Row>;
  private readonly listAll: Database.Statement<[], Row>;
  private readonly removeOne: Database.Statement<[string]>;

  constructor(database: string | Database.Database) {
    const { db, close } = storeDatabase(database);
    this.closeDb = close;
    db.exec(`
      CREATE TABLE IF NOT EXISTS registered_servers (
        name TEXT NOT NULL PRIMARY KEY,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )`);
    // One statement, so a replace keeps created_at even when another process puts the same name at the same time.
    // A shared connection may have safe integers on; times are well inside Number's range, so ask for numbers.
    this.upsert = db
      .prepare<[string, string, number, number], Row>(
        `INSERT INTO registered_servers (${SERVER_COLUMNS}) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at
         RETURNING ${SERVER_COLUMNS}`,
      )
      .safeIntegers(false);
    this.byName = db.prepare<[string], Row>(`SELECT ${SERVER_COLUMNS} FROM registered_servers WHERE name = ?`).safeIntegers(false);
    this.listAll = db.prepare<[], Row>(`SELECT ${SERVER_COLUMNS} FROM registered_servers ORDER BY name`).safeIntegers(false);
    this.removeOne = db.prepare('DELETE FROM registered_servers WHERE name = ?');
  }

  async list(): Promise<RegisteredServer[]> {
    return this.listAll.all().map(toRegisteredServer);
  }

  async get(name: string): Promise<RegisteredServer | undefined> {
    const row = this.byName.get(name);
    return row === undefined ? undefined : toRegisteredServer(row);
  }

  async put(name: string, config: Record<string, unknown>, now: number): Promise<RegisteredServer> {
    const row = this.upsert.get(name, serverConfigJson(config), now, now);
    if (row === undefined) throw new Error(`server ${JSON.stringify(name)} was not stored`);
    return toRegisteredServer(row);
  }

  async remove(name: string): Promise<boolean> {
    return this.removeOne.run(name).changes === 1;
  }

  async close(): Promise<void> {
    this.closeDb();
  }
}
