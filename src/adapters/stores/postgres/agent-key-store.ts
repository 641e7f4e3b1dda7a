import { isKeyId, LAST_USED_RESOLUTION_MS, parsePresentedKey, secretMatches, shouldRecordUse } from '../../../core/keys.js';
import type { AgentKey, AgentKeyStore } from '../../../ports.js';
import { AGENT_KEY_PUBLIC_COLUMNS, createAgentKey, toAgentKey, type AgentKeyRow, type PublicAgentKeyRow } from '../agent-key-rows.js';
import { connectWithTable, PooledStore, tableName, type ConnectionOptions } from './pool.js';

export interface PostgresAgentKeyStoreOptions extends ConnectionOptions {
  /** Default "gatehouse_agent_keys"; may be schema-qualified ("gatehouse.agent_keys"). */
  table?: string;
}

// bigint arrives as a string.
type Row = AgentKeyRow<string>;
type PublicRow = PublicAgentKeyRow<string>;

/** Agent keys in PostgreSQL, shared by every gateway replica; only the SHA-256 of each secret is stored. */
export class PostgresAgentKeyStore extends PooledStore implements AgentKeyStore {
  static async create(options: PostgresAgentKeyStoreOptions): Promise<PostgresAgentKeyStore> {
    const table = tableName(options.table ?? 'gatehouse_agent_keys', 'agent key', 'agent-keys');
    // COLLATE "C" orders ids by code point, as SQLite does, whatever the database's locale.
    const pool = await connectWithTable(options, table, [
      `CREATE TABLE IF NOT EXISTS ${table.sql} (
        id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
        agent TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT,
        last_used_at BIGINT
      )`,
    ]);
    return new PostgresAgentKeyStore(pool, table);
  }

  async create(agent: string, now: number): Promise<{ key: AgentKey; secret: string }> {
    // ON CONFLICT DO NOTHING: an id clash returns no row and create draws again, instead of an exception.
    return createAgentKey(agent, now, async (material) => {
      const inserted = await this.pool.query(
        `INSERT INTO ${this.table.sql} (id, agent, secret_hash, created_at) VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (id) DO NOTHING`,
        [material.id, agent, material.secretHash, now],
      );
      return inserted.rowCount === 1;
    });
  }

  async verify(presented: string, now: number): Promise<AgentKey | undefined> {
    const parsed = parsePresentedKey(presented);
    if (parsed === undefined) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${AGENT_KEY_PUBLIC_COLUMNS}, secret_hash FROM ${this.table.sql} WHERE id = $1`, [parsed.id]);
    const row = rows[0];
    if (row === undefined || !secretMatches(parsed.secret, row.secret_hash) || row.revoked_at !== null) return undefined;
    const key = toAgentKey(row);
    if (!shouldRecordUse(key.lastUsedAt, now)) return key;
    // Conditions repeated in SQL so that replicas verifying at once write at most once per interval, and a key
    // revoked meanwhile is not touched.
    const touched = await this.pool.query(
      `UPDATE ${this.table.sql} SET last_used_at = $1::bigint
       WHERE id = $2 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= $3::bigint)`,
      [now, row.id, now - LAST_USED_RESOLUTION_MS],
    );
    return touched.rowCount === 1 ? { ...key, lastUsedAt: now } : key;
  }

  async list(): Promise<AgentKey[]> {
    const { rows } = await this.pool.query<PublicRow>(`SELECT ${AGENT_KEY_PUBLIC_COLUMNS} FROM ${this.table.sql} ORDER BY created_at, id`);
    return rows.map(toAgentKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    if (!isKeyId(id)) return false;
    const result = await this.pool.query(`UPDATE ${this.table.sql} SET revoked_at = $1::bigint WHERE id = $2 AND revoked_at IS NULL`, [now, id]);
    return result.rowCount === 1;
  }
}
