import { createHash } from 'node:crypto';
import pg from 'pg';

export interface ConnectionOptions {
  connectionString: string;
  /** How long to wait for a connection. Default 2000 ms, so an unreachable database fails fast. */
  connectionTimeoutMillis?: number;
}

export interface PoolOptions extends ConnectionOptions {
  /** Per statement, server and client side, so a stalled server or lock cannot hang a call. Default 10000 ms. */
  queryTimeoutMillis?: number;
  /** Pool size. Default 4: writes to one table are serialised by its lock anyway; the rest serve reads. */
  maxConnections?: number;
}

export function createPool({ connectionString, connectionTimeoutMillis = 2_000, queryTimeoutMillis = 10_000, maxConnections = 4 }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis,
    statement_timeout: queryTimeoutMillis,
    // Client-side backstop for a server that stops answering altogether (statement_timeout needs a live server).
    query_timeout: queryTimeoutMillis + 1_000,
    max: maxConnections,
    idleTimeoutMillis: 30_000,
  });
  // An idle pooled connection that dies (server restart, network cut) emits 'error' on the pool; without a
  // listener that would crash the process. The pool discards the client, and the next call reports the outage.
  pool.on('error', () => {});
  return pool;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface Table {
  /** Quoted, schema-qualified when configured so: identifiers cannot be bound as parameters, so this is spliced. */
  readonly sql: string;
  /** The name without its schema, for index names, which take none. */
  readonly base: string;
  /** Per table, so unrelated tables (tests, other deployments in one database) do not contend for one lock. */
  readonly lockKey: string;
}

/**
 * Checks a configured table name ("table" or "schema.table"). `scope` keeps the lock keys of different stores apart;
 * it must not change, or replicas of two versions would no longer exclude each other.
 */
export function tableName(name: string, what: string, scope: string): Table {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) throw new Error(`invalid ${what} table name ${JSON.stringify(name)}`);
  return {
    sql: parts.map((p) => `"${p}"`).join('.'),
    base: parts.at(-1) as string,
    // Signed 64-bit, as pg_advisory_xact_lock takes, computed here rather than with hashtext() so it does not
    // depend on server internals.
    lockKey: createHash('sha256').update(`gatehouse:${scope}:${name}`).digest().readBigInt64BE(0).toString(),
  };
}

export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
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

export async function lockTable(client: pg.ClientBase, target: Table): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [target.lockKey]);
}

/** A pool on which `ddl` has run; rejects, leaving nothing open, when the database is unreachable. */
export async function connectWithTable(options: PoolOptions, target: Table, ddl: readonly string[]): Promise<pg.Pool> {
  const pool = createPool(options);
  try {
    // Serialised: concurrent CREATE … IF NOT EXISTS from two starting gateways can still collide in pg_type.
    await transaction(pool, async (client) => {
      await lockTable(client, target);
      for (const statement of ddl) await client.query(statement);
    });
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

/** A store on a pool of its own, which it ends on close. */
export abstract class PooledStore {
  private closed = false;

  protected constructor(
    protected readonly pool: pg.Pool,
    protected readonly table: Table,
  ) {}

  // Idempotent: the owner and the shutdown path may both close a store, and pg refuses to end a pool twice.
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
