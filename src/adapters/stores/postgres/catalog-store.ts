import type { CatalogChanges, CatalogStore, CatalogToolRecord, ToolObservation } from '../../../ports.js';
import { CATALOG_COLUMNS, toCatalogRecord, type CatalogRow } from '../catalog-rows.js';
import { connectWithTable, PooledStore, tableName, transaction, type ConnectionOptions } from './pool.js';

export interface PostgresCatalogStoreOptions extends ConnectionOptions {
  /** Default "gatehouse_catalog_tools"; may be schema-qualified ("gatehouse.catalog_tools"). */
  table?: string;
}

// bigint arrives as a string.
type Row = CatalogRow<string>;

/**
 * The catalog in PostgreSQL, shareable by several gateway processes. Tools are handled in name order, so two
 * processes observing the same server take row locks in the same order and cannot deadlock; each change is
 * reported by exactly one of them.
 */
export class PostgresCatalogStore extends PooledStore implements CatalogStore {
  static async create(options: PostgresCatalogStoreOptions): Promise<PostgresCatalogStore> {
    const table = tableName(options.table ?? 'gatehouse_catalog_tools', 'catalog', 'catalog');
    // COLLATE "C" orders names by code point, as SQLite does, whatever the database's locale.
    const pool = await connectWithTable(options, table, [
      `CREATE TABLE IF NOT EXISTS ${table.sql} (
        server TEXT COLLATE "C" NOT NULL,
        tool TEXT COLLATE "C" NOT NULL,
        definition_hash TEXT NOT NULL,
        definition TEXT NOT NULL,
        first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        category TEXT NOT NULL,
        level TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        rationale TEXT NOT NULL,
        PRIMARY KEY (server, tool)
      )`,
    ]);
    return new PostgresCatalogStore(pool, table);
  }

  // `definition` is JSON text, not JSONB: JSONB refuses NUL characters and lone surrogates, which an upstream could
  // put in a description to make recording its changed definition fail.
  async observe(server: string, tools: readonly ToolObservation[], now: number, options: { keepChanged?: boolean } = {}): Promise<CatalogChanges> {
    // Last entry wins for a name listed twice; the order is the lock order (see the class comment).
    const sorted = [...new Map(tools.map((t) => [t.tool, t])).values()].sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
    if (sorted.length === 0) return { added: [], changed: [] };
    const column = <K extends keyof ToolObservation>(key: K): ToolObservation[K][] => sorted.map((t) => t[key]);
    // Stringified here: pg would turn a JS array into a PostgreSQL array, not JSON.
    const definitions = sorted.map((t) => JSON.stringify(t.definition) ?? 'null');
    const values = [server, now, column('tool'), column('definitionHash'), definitions, column('category'), column('level'), column('confidence'), column('rationale')];
    const input = `unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::text[])
      AS n(tool, definition_hash, definition, category, level, confidence, rationale)`;

    return transaction(this.pool, async (client) => {
      // Only rows this statement inserted are returned; a concurrent insert of the same tool makes it wait for that
      // transaction and then skip the row, which the update below then treats as known.
      const inserted = await client.query<{ tool: string }>(
        `INSERT INTO ${this.table.sql} (${CATALOG_COLUMNS})
         SELECT $1::text, n.tool, n.definition_hash, n.definition, $2::bigint, $2::bigint, n.category, n.level, n.confidence, n.rationale FROM ${input}
         ON CONFLICT (server, tool) DO NOTHING RETURNING tool`,
        values,
      );
      const added = new Set(inserted.rows.map((r) => r.tool));
      const known = sorted.filter((t) => !added.has(t.tool));
      const changed: CatalogChanges['changed'][number][] = [];
      if (known.length > 0) {
        const previous = await client.query<Pick<Row, 'tool' | 'definition_hash' | 'definition'>>(
          `SELECT tool, definition_hash, definition FROM ${this.table.sql} WHERE server = $1 AND tool = ANY($2::text[]) ORDER BY tool FOR UPDATE`,
          [server, known.map((t) => t.tool)],
        );
        const hashes = new Map(known.map((t) => [t.tool, t.definitionHash]));
        for (const row of previous.rows) {
          if (hashes.get(row.tool) !== row.definition_hash) {
            changed.push({ tool: row.tool, previousHash: row.definition_hash, previousDefinition: JSON.parse(row.definition) as unknown });
          }
        }
        // With keepChanged, a changed tool keeps its pinned definition (only last_seen moves) until approved.
        await client.query(
          `UPDATE ${this.table.sql} AS t SET
             definition_hash = CASE WHEN $10::boolean AND t.definition_hash <> n.definition_hash THEN t.definition_hash ELSE n.definition_hash END,
             definition = CASE WHEN $10::boolean AND t.definition_hash <> n.definition_hash THEN t.definition ELSE n.definition END,
             last_seen = $2::bigint, category = n.category, level = n.level, confidence = n.confidence, rationale = n.rationale
           FROM ${input} WHERE t.server = $1::text AND t.tool = n.tool`,
          [...values, options.keepChanged === true],
        );
      }
      return { added: sorted.filter((t) => added.has(t.tool)).map((t) => t.tool), changed };
    });
  }

  async approve(server: string, tool: string, definitionHash: string, definition: unknown, now: number): Promise<boolean> {
    const result = await this.pool.query(`UPDATE ${this.table.sql} SET definition_hash = $3, definition = $4, last_seen = $5 WHERE server = $1 AND tool = $2`, [
      server,
      tool,
      definitionHash,
      JSON.stringify(definition) ?? 'null',
      now,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async list(server?: string): Promise<CatalogToolRecord[]> {
    const result =
      server === undefined
        ? await this.pool.query<Row>(`SELECT ${CATALOG_COLUMNS} FROM ${this.table.sql} ORDER BY server, tool`)
        : await this.pool.query<Row>(`SELECT ${CATALOG_COLUMNS} FROM ${this.table.sql} WHERE server = $1 ORDER BY tool`, [server]);
    return result.rows.map(toCatalogRecord);
  }
}
