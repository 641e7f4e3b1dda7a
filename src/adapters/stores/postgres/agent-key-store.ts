import { createHash } from 'node:crypto';
import pg from 'pg';
import { assertAgentName, generateKeyMaterial, isKeyId, LAST_USED_RESOLUTION_MS, parsePresentedKey, secretMatches, shouldRecordUse } from '../../../core/keys.js';
import type { AgentKey, AgentKeyStore } from '../../../ports.js';

export interface PostgresAgentKeyStoreOptions {
  connectionString: string;
  /** Default "gatehouse_agent_keys"; may be schema-qualified ("gatehouse.agent_keys"). */
  table?: string;
  /** How long to wait for a connection. Default 2000 ms, so an unreachable database fails fast. */
  connectionTimeoutMillis?: number;
}

interface Row {
  id: string;
  agent: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

type PublicRow = Omit<Row, 'secret_hash'>;

const PUBLIC_COLUMNS = 'id, agent, created_at, revoked_at, last_used_at';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const QUERY_TIMEOUT_MS = 10_000;

/** Ids are 48 random bits; a clash is astronomically rare, and a few retries make it impossible in practice. */
const CREATE_ATTEMPTS = 5;

// bigint arrives as a string; the times stored are millisecond timestamps, safe integers.
const time = (value: string | null): number | null => (value === null ? null : Number(value));

function toKey(row: PublicRow): AgentKey {
  return { id: row.id, agent: row.agent, createdAt: Number(row.created_at), revokedAt: time(row.revoked_at), lastUsedAt: time(row.last_used_at) };
}

/** Agent keys in PostgreSQL, shared by every gateway replica; only the SHA-256 of each secret is stored. */
export class PostgresAgentKeyStore implements AgentKeyStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {
    // An idle pooled connection that dies emits 'error' on the pool, which would otherwise crash the process; the
    // pool drops the client and the next call reports the outage.
    pool.on('error', () => {});
  }

  static async create({ connectionString, table = 'gatehouse_agent_keys', connectionTimeoutMillis = 2_000 }: PostgresAgentKeyStoreOptions): Promise<PostgresAgentKeyStore> {
    const parts = table.split('.');
    if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) throw new Error(`invalid agent key table name ${JSON.stringify(table)}`);
    const pool = new pg.Pool({
      connectionString,
      connectionTimeoutMillis,
      statement_timeout: QUERY_TIMEOUT_MS,
      // Backstop for a server that stops answering altogether (statement_timeout needs a live server).
      query_timeout: QUERY_TIMEOUT_MS + 1_000,
      max: 4,
      idleTimeoutMillis: 30_000,
    });
    const store = new PostgresAgentKeyStore(pool, parts.map((p) => `"${p}"`).join('.'));
    try {
      await store.createTable(createHash('sha256').update(`gatehouse:agent-keys:${table}`).digest().readBigInt64BE(0).toString());
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private async createTable(lockKey: string): Promise<void> {
    // Serialised: concurrent CREATE TABLE IF NOT EXISTS from two starting gateways can still collide in pg_type.
    // COLLATE "C" orders ids by code point, as SQLite does, whatever the database's locale.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
          agent TEXT NOT NULL,
          secret_hash TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          revoked_at BIGINT,
          last_used_at BIGINT
        )`);
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      // A connection whose ROLLBACK fails is in an unknown state: destroy it rather than return it to the pool.
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: Error) => client.release(rollbackError),
      );
      throw err;
    }
  }

  async create(agent: string, now: number): Promise<{ key: AgentKey; secret: string }> {
    assertAgentName(agent);
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      const material = generateKeyMaterial();
      // ON CONFLICT DO NOTHING: an id clash returns no row and create draws again, instead of an exception.
      const inserted = await this.pool.query(
        `INSERT INTO ${this.table} (id, agent, secret_hash, created_at) VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (id) DO NOTHING`,
        [material.id, agent, material.secretHash, now],
      );
      if (inserted.rowCount === 1) {
        return { key: { id: material.id, agent, createdAt: now, revokedAt: null, lastUsedAt: null }, secret: material.presented };
      }
    }
    throw new Error('could not allocate a unique agent key id');
  }

  async verify(presented: string, now: number): Promise<AgentKey | undefined> {
    const parsed = parsePresentedKey(presented);
    if (parsed === undefined) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${PUBLIC_COLUMNS}, secret_hash FROM ${this.table} WHERE id = $1`, [parsed.id]);
    const row = rows[0];
    if (row === undefined || !secretMatches(parsed.secret, row.secret_hash) || row.revoked_at !== null) return undefined;
    const key = toKey(row);
    if (!shouldRecordUse(key.lastUsedAt, now)) return key;
    // Conditions repeated in SQL so that replicas verifying at once write at most once per interval, and a key
    // revoked meanwhile is not touched.
    const touched = await this.pool.query(
      `UPDATE ${this.table} SET last_used_at = $1::bigint
       WHERE id = $2 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= $3::bigint)`,
      [now, row.id, now - LAST_USED_RESOLUTION_MS],
    );
    return touched.rowCount === 1 ? { ...key, lastUsedAt: now } : key;
  }

  async list(): Promise<AgentKey[]> {
    const { rows } = await this.pool.query<PublicRow>(`SELECT ${PUBLIC_COLUMNS} FROM ${this.table} ORDER BY created_at, id`);
    return rows.map(toKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    if (!isKeyId(id)) return false;
    const result = await this.pool.query(`UPDATE ${this.table} SET revoked_at = $1::bigint WHERE id = $2 AND revoked_at IS NULL`, [now, id]);
    return result.rowCount === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
