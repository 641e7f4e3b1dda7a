import type Database from 'better-sqlite3';
import type { CatalogChanges, CatalogStore, CatalogToolRecord, ToolObservation } from '../../../ports.js';
import { CATALOG_COLUMNS, toCatalogRecord, type CatalogRow } from '../catalog-rows.js';
import { storeDatabase } from './database.js';

type Row = CatalogRow<number>;

type Previous = Pick<Row, 'definition_hash' | 'definition'>;

/** A tool listed twice counts once, the last entry winning, so every adapter reports the same changes. */
function unique(tools: readonly ToolObservation[]): ToolObservation[] {
  return [...new Map(tools.map((t) => [t.tool, t])).values()];
}

/**
 * The catalog in SQLite. Pass a Database to share one connection (and one file) with other stores; that connection
 * then stays the caller's to configure and close.
 */
export class SqliteCatalogStore implements CatalogStore {
  private readonly closeDb: () => void;
  private readonly observeTx: Database.Transaction<(server: string, tools: readonly ToolObservation[], now: number, keepChanged: boolean) => CatalogChanges>;
  private readonly approveStmt: Database.Statement<[string, string, number, string, string]>;
  private readonly listAll: Database.Statement<[], Row>;
  private readonly listServer: Database.Statement<[string], Row>;

  constructor(database: string | Database.Database) {
    const { db, close } = storeDatabase(database);
    this.closeDb = close;
    db.exec(`
      CREATE TABLE IF NOT EXISTS catalog_tools (
        server TEXT NOT NULL,
        tool TEXT NOT NULL,
        definition_hash TEXT NOT NULL,
        definition TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        category TEXT NOT NULL,
        level TEXT NOT NULL,
        confidence REAL NOT NULL,
        rationale TEXT NOT NULL,
        PRIMARY KEY (server, tool)
      )`);
    const previous = db.prepare<[string, string], Previous>('SELECT definition_hash, definition FROM catalog_tools WHERE server = ? AND tool = ?');
    const upsert = db.prepare(`
      INSERT INTO catalog_tools (${CATALOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (server, tool) DO UPDATE SET
        definition_hash = excluded.definition_hash, definition = excluded.definition, last_seen = excluded.last_seen,
        category = excluded.category, level = excluded.level, confidence = excluded.confidence, rationale = excluded.rationale`);
    // A shared connection may have safe integers on; times are well inside Number's range, so ask for numbers.
    this.listAll = db.prepare<[], Row>(`SELECT ${CATALOG_COLUMNS} FROM catalog_tools ORDER BY server, tool`).safeIntegers(false);
    this.listServer = db.prepare<[string], Row>(`SELECT ${CATALOG_COLUMNS} FROM catalog_tools WHERE server = ? ORDER BY tool`).safeIntegers(false);
    const touch = db.prepare<[number, string, string]>('UPDATE catalog_tools SET last_seen = ? WHERE server = ? AND tool = ?');
    this.approveStmt = db.prepare('UPDATE catalog_tools SET definition_hash = ?, definition = ?, last_seen = ? WHERE server = ? AND tool = ?') as unknown as Database.Statement<[string, string, number, string, string]>;
    this.observeTx = db.transaction((server, tools, now, keepChanged) => {
      const added: string[] = [];
      const changed: CatalogChanges['changed'][number][] = [];
      for (const t of unique(tools)) {
        const prev = previous.get(server, t.tool);
        if (prev === undefined) added.push(t.tool);
        else if (prev.definition_hash !== t.definitionHash) {
          changed.push({ tool: t.tool, previousHash: prev.definition_hash, previousDefinition: JSON.parse(prev.definition) });
          if (keepChanged) {
            touch.run(now, server, t.tool);
            continue;
          }
        }
        const definition = JSON.stringify(t.definition) ?? 'null';
        upsert.run(server, t.tool, t.definitionHash, definition, now, now, t.category, t.level, t.confidence, t.rationale);
      }
      return { added, changed };
    });
  }

  async observe(server: string, tools: readonly ToolObservation[], now: number, options: { keepChanged?: boolean } = {}): Promise<CatalogChanges> {
    // IMMEDIATE takes the write lock before the reads, so another process observing the same server cannot
    // interleave and have both report the same change.
    return this.observeTx.immediate(server, tools, now, options.keepChanged === true);
  }

  async approve(server: string, tool: string, definitionHash: string, definition: unknown, now: number): Promise<boolean> {
    return this.approveStmt.run(definitionHash, JSON.stringify(definition) ?? 'null', now, server, tool).changes > 0;
  }

  async list(server?: string): Promise<CatalogToolRecord[]> {
    const rows = server === undefined ? this.listAll.all() : this.listServer.all(server);
    return rows.map(toCatalogRecord);
  }

  async close(): Promise<void> {
    this.closeDb();
  }
}
