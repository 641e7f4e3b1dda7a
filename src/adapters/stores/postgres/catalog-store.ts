import { createHash } from 'node:crypto';
import pg from 'pg';
import type { CatalogChanges, CatalogStore, CatalogToolRecord, ToolObservation } from '../../../ports.js';

export interface PostgresCatalogStoreOptions {
  connectionString: string;
  /** Default "gatehouse_catalog_tools"; may be schema-qualified ("gatehouse.catalog_tools"). */
  table?: string;
  /** How long to wait for a connection. Default 2000 ms, so an unreachable database fails fast. */
  connectionTimeoutMillis?: number;
}

interface Row {
  server: string;
  tool: string;
  definition_hash: string;
  definition: unknown;
  first_seen: string;
  last_seen: string;
  category: string;
  level: string;
  confidence: number;
  rationale: string;
}

const COLUMNS = 'server, tool, definition_hash, definition, first_seen, last_seen, category, level, confidence, rationale';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const QUERY_TIMEOUT_MS = 10_000;

function toRecord(row: Row): CatalogToolRecord {
  return {
    server: row.server,
    tool: row.tool,
    definitionHash: row.definition_hash,
    definition: JSON.parse(row.definition as string) as unknown,
    // bigint arrives as a string; the times stored are millisecond timestamps, safe integers.
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    category: row.category,
    level: row.level,
    confidence: row.confidence,
    rationale: row.rationale,
  };
}

/**
 * The catalog in PostgreSQL, shareable by several gateway processes. Tools are handled in name order, so two
 * processes observing the same server take row locks in the same order and cannot deadlock; each change is
 * reported by exactly one of them.
 */
export class PostgresCatalogStore implements CatalogStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {
    // An idle pooled connection that dies emits 'error' on the pool, which would otherwise crash the process; the
    // pool drops the client and the next call reports the outage.
    pool.on('error', () => {});
  }

  static async create({ connectionString, table = 'gatehouse_catalog_tools', connectionTimeoutMillis = 2_000 }: PostgresCatalogStoreOptions): Promise<PostgresCatalogStore> {
    const parts = table.split('.');
    if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) throw new Error(`invalid catalog table name ${JSON.stringify(table)}`);
    const pool = new pg.Pool({
      connectionString,
      connectionTimeoutMillis,
      statement_timeout: QUERY_TIMEOUT_MS,
      // Backstop for a server that stops answering altogether (statement_timeout needs a live server).
      query_timeout: QUERY_TIMEOUT_MS + 1_000,
      max: 4,
      idleTimeoutMillis: 30_000,
    });
    const store = new PostgresCatalogStore(pool, parts.map((p) => `"${p}"`).join('.'));
    try {
      await store.createTable(createHash('sha256').update(`gatehouse:catalog:${table}`).digest().readBigInt64BE(0).toString());
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private async createTable(lockKey: string): Promise<void> {
    // Serialised: concurrent CREATE TABLE IF NOT EXISTS from two starting gateways can still collide in pg_type.
    // COLLATE "C" orders names by code point, as SQLite does, whatever the database's locale.
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
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
        )`);
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      // A connection whose ROLLBACK fails is in an unknown state: destroy it rather than return it to the pool.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw err;
    }
  }

  // `definition` is JSON text, not JSONB: JSONB refuses NUL characters and lone surrogates, which an upstream could
  // put in a description to make recording its changed definition fail.
  async observe(server: string, tools: readonly ToolObservation[], now: number): Promise<CatalogChanges> {
    // Last entry wins for a name listed twice; the order is the lock order (see the class comment).
    const sorted = [...new Map(tools.map((t) => [t.tool, t])).values()].sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
    if (sorted.length === 0) return { added: [], changed: [] };
    const column = <K extends keyof ToolObservation>(key: K): ToolObservation[K][] => sorted.map((t) => t[key]);
    // Stringified here: pg would turn a JS array into a PostgreSQL array, not JSON.
    const definitions = sorted.map((t) => JSON.stringify(t.definition) ?? 'null');
    const values = [server, now, column('tool'), column('definitionHash'), definitions, column('category'), column('level'), column('confidence'), column('rationale')];
    const input = `unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::text[])
      AS n(tool, definition_hash, definition, category, level, confidence, rationale)`;

    return this.transaction(async (client) => {
      // Only rows this statement inserted are returned; a concurrent insert of the same tool makes it wait for that
      // transaction and then skip the row, which the update below then treats as known.
      const inserted = await client.query<{ tool: string }>(
        `INSERT INTO ${this.table} (${COLUMNS})
         SELECT $1::text, n.tool, n.definition_hash, n.definition, $2::bigint, $2::bigint, n.category, n.level, n.confidence, n.rationale FROM ${input}
         ON CONFLICT (server, tool) DO NOTHING RETURNING tool`,
        values,
      );
      const added = new Set(inserted.rows.map((r) => r.tool));
      const known = sorted.filter((t) => !added.has(t.tool));
      const changed: CatalogChanges['changed'][number][] = [];
      if (known.length > 0) {
        const previous = await client.query<Pick<Row, 'tool' | 'definition_hash' | 'definition'>>(
          `SELECT tool, definition_hash, definition FROM ${this.table} WHERE server = $1 AND tool = ANY($2::text[]) ORDER BY tool FOR UPDATE`,
          [server, known.map((t) => t.tool)],
        );
        const hashes = new Map(known.map((t) => [t.tool, t.definitionHash]));
        for (const row of previous.rows) {
          if (hashes.get(row.tool) !== row.definition_hash) {
            changed.push({ tool: row.tool, previousHash: row.definition_hash, previousDefinition: JSON.parse(row.definition as string) as unknown });
          }
        }
        await client.query(
          `UPDATE ${this.table} AS t SET definition_hash = n.definition_hash, definition = n.definition, last_seen = $2::bigint,
             category = n.category, level = n.level, confidence = n.confidence, rationale = n.rationale
           FROM ${input} WHERE t.server = $1::text AND t.tool = n.tool`,
          values,
        );
      }
      return { added: sorted.filter((t) => added.has(t.tool)).map((t) => t.tool), changed };
    });
  }

  async list(server?: string): Promise<CatalogToolRecord[]> {
    const result =
      server === undefined
        ? await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY server, tool`)
        : await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE server = $1 ORDER BY tool`, [server]);
    return result.rows.map(toRecord);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
