import type { RegisteredServer, ServerRegistry } from '../../../ports.js';
import { SERVER_COLUMNS, serverConfigJson, toRegisteredServer, type ServerRow } from '../server-rows.js';
import { connectWithTable, PooledStore, tableName, type ConnectionOptions } from './pool.js';

export interface PostgresServerRegistryOptions extends ConnectionOptions {
  /** Default "gatehouse_servers"; may be schema-qualified ("gatehouse.servers"). */
  table?: string;
}

// bigint arrives as a string; jsonb arrives parsed.
type Row = ServerRow<string>;

/** Servers registered at run time, in PostgreSQL, shared by every gateway replica; config as jsonb. */
export class PostgresServerRegistry extends PooledStore implements ServerRegistry {
  static async create(options: PostgresServerRegistryOptions): Promise<PostgresServerRegistry> {
    const table = tableName(options.table ?? 'gatehouse_servers', 'server registry', 'servers');
    // COLLATE "C" orders names by code point, as SQLite does, whatever the database's locale.
    const pool = await connectWithTable(options, table, [
      `CREATE TABLE IF NOT EXISTS ${table.sql} (
        name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        config JSONB NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ]);
    return new PostgresServerRegistry(pool, table);
  }

  async list(): Promise<RegisteredServer[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SERVER_COLUMNS} FROM ${this.table.sql} ORDER BY name`);
    return rows.map(toRegisteredServer);
  }

  async get(name: string): Promise<RegisteredServer | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SERVER_COLUMNS} FROM ${this.table.sql} WHERE name = $1`, [name]);
    const row = rows[0];
    return row === undefined ? undefined : toRegisteredServer(row);
  }

  async put(name: string, config: Record<string, unknown>, now: number): Promise<RegisteredServer> {
    // One statement, so a replace keeps created_at even when another replica puts the same name at the same time.
    // Stringified here: pg would send a JS array as a PostgreSQL array, not JSON.
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO ${this.table.sql} (${SERVER_COLUMNS}) VALUES ($1, $2::jsonb, $3::bigint, $3::bigint)
       ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, updated_at = EXCLUDED.updated_at
       RETURNING ${SERVER_COLUMNS}`,
      [name, serverConfigJson(config), now],
    );
    const row = rows[0];
    if (row === undefined) throw new Error(`server ${JSON.stringify(name)} was not stored`);
    return toRegisteredServer(row);
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.table.sql} WHERE name = $1`, [name]);
    return result.rowCount === 1;
  }
}
