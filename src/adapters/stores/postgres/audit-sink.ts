import { createHash } from 'node:crypto';
import pg from 'pg';
import { chainForStorage, ChainVerifier, type ChainVerification } from '../../../core/audit/chain.js';
import type { AuditDecision, AuditEntry, AuditOutcome, AuditRecord } from '../../../core/audit/record.js';
import { auditQueryLimit, type AuditQuery, type AuditSink } from '../../../core/audit/sink.js';

export interface PostgresAuditSinkOptions {
  connectionString: string;
  /** Default "gatehouse_audit"; may be schema-qualified ("audit.gatehouse"). */
  table?: string;
  /** How long to wait for a connection before append fails. Default 2000 ms, so an unreachable DB fails fast. */
  connectionTimeoutMillis?: number;
  /** Per statement, server and client side, so a stalled server or lock cannot hang an append. Default 10000 ms. */
  queryTimeoutMillis?: number;
  /** Pool size. Default 4: appends are serialised by the chain lock anyway; the rest serves queries. */
  maxConnections?: number;
}

interface Row {
  seq: string;
  time_ms: string;
  agent: string;
  session: string;
  server: string | null;
  tool: string;
  decision: string;
  rule: string | null;
  reason: string | null;
  args_hash: string;
  args: string;
  latency_ms: number | null;
  outcome: string | null;
  policy_version: string | null;
  prev_hash: string;
  hash: string;
}

const COLUMNS =
  'seq, time_ms, agent, session, server, tool, decision, rule, reason, args_hash, args, latency_ms, outcome, policy_version, prev_hash, hash';

/** Element types for the single INSERT … SELECT FROM unnest(…) that writes a whole batch in one statement. */
const UNNEST_TYPES = ['bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'text', 'text', 'text', 'text'];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const VERIFY_PAGE = 5_000;

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // tampered text: returned as is so verify reports the row instead of throwing
  }
}

function toRecord(row: Row): AuditRecord {
  return {
    // bigint arrives as a string; every seq and time_ms the sink writes is a safe integer.
    seq: Number(row.seq),
    time: Number(row.time_ms),
    agent: row.agent,
    session: row.session,
    server: row.server,
    tool: row.tool,
    decision: row.decision as AuditDecision,
    rule: row.rule,
    reason: row.reason,
    argsHash: row.args_hash,
    args: parseArgs(row.args),
    latencyMs: row.latency_ms,
    outcome: row.outcome as AuditOutcome | null,
    policyVersion: row.policy_version,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The production audit store. Any number of gateway processes may append to one table; they produce a single chain.
 *
 * Serialisation: each append transaction first takes `pg_advisory_xact_lock(<key derived from the table name>)`,
 * then reads the head (seq, hash), then inserts. We chose an advisory lock over `LOCK TABLE … IN EXCLUSIVE MODE`
 * because EXCLUSIVE mode requires UPDATE/DELETE/TRUNCATE privilege on the table, and the audit role should hold
 * only INSERT and SELECT — a gateway that cannot rewrite its own trail is part of what makes the trail credible.
 * The key is per table, so unrelated tables (tests, other deployments in one database) do not contend, and the
 * lock is released by COMMIT, by ROLLBACK, or by the server when a connection dies mid-transaction.
 * The transaction is READ COMMITTED on purpose: each statement takes a fresh snapshot, so the head read after the
 * lock is granted sees the previous holder's commit (REPEATABLE READ would keep a snapshot from before the wait).
 * `seq` is the primary key, so a writer that bypassed the lock would fail on a duplicate seq rather than fork the chain.
 *
 * `create()` does not connect: a database that is down while the gateway starts must not stop it from starting and
 * buffering (the AuditWriter reports unhealthy and retries). The table is created on first use; call `ready()` to
 * fail fast instead.
 */
export class PostgresAuditSink implements AuditSink {
  private schema: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly indexPrefix: string,
    private readonly lockKey: string,
  ) {
    // An idle pooled connection that dies (server restart, network cut) emits 'error' on the pool; without a
    // listener that would crash the process. The pool discards the client, and the next append reports the outage.
    pool.on('error', () => {});
  }

  static async create(options: PostgresAuditSinkOptions): Promise<PostgresAuditSink> {
    const name = options.table ?? 'gatehouse_audit';
    const parts = name.split('.');
    if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) throw new Error(`invalid audit table name ${JSON.stringify(name)}`);
    const table = parts.map((p) => `"${p}"`).join('.');
    const queryTimeout = options.queryTimeoutMillis ?? 10_000;
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2_000,
      statement_timeout: queryTimeout,
      // Client-side backstop for a server that stops answering altogether (statement_timeout needs a live server).
      query_timeout: queryTimeout + 1_000,
      max: options.maxConnections ?? 4,
      idleTimeoutMillis: 30_000,
    });
    // Signed 64-bit key from the table name, computed here rather than with hashtext() so it does not depend on
    // server internals.
    const lockKey = BigInt.asIntN(64, createHash('sha256').update(`gatehouse:audit:${name}`).digest().readBigUInt64BE(0)).toString();
    return new PostgresAuditSink(pool, table, parts.at(-1) as string, lockKey);
  }

  /** Connects and creates the table if missing; rejects when the database is unreachable. */
  ready(): Promise<void> {
    this.schema ??= this.createSchema().catch((err: unknown) => {
      this.schema = undefined; // try again on the next call
      throw err;
    });
    return this.schema;
  }

  private async createSchema(): Promise<void> {
    // Under the same lock as appends: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          seq BIGINT PRIMARY KEY,
          time_ms BIGINT NOT NULL,
          agent TEXT NOT NULL,
          session TEXT NOT NULL,
          server TEXT,
          tool TEXT NOT NULL,
          decision TEXT NOT NULL,
          rule TEXT,
          reason TEXT,
          args_hash TEXT NOT NULL,
          -- TEXT, not JSONB: JSONB reorders keys and normalises numbers, and the chain hashes the exact text.
          args TEXT NOT NULL,
          latency_ms DOUBLE PRECISION,
          outcome TEXT,
          policy_version TEXT,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL
        )`);
      await client.query(`CREATE INDEX IF NOT EXISTS "${this.indexPrefix}_time" ON ${this.table} (time_ms)`);
      await client.query(`CREATE INDEX IF NOT EXISTS "${this.indexPrefix}_agent" ON ${this.table} (agent, seq)`);
    });
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // A connection that dies mid-transaction fails the pending query AND emits 'error' on the client; unheard, that
    // 'error' would crash the process. The failed query is what reports it. The listener stays on a destroyed client.
    const ignore = (): void => {};
    client.on('error', ignore);
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await work(client);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
    } catch (err) {
      // Destroy rather than ROLLBACK: after a timeout or a cut connection a ROLLBACK could wait as long again, and
      // the server aborts the transaction (releasing the lock) when the connection goes.
      client.release(true);
      throw err;
    }
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ready();
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      const head = await client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.table} ORDER BY seq DESC LIMIT 1`);
      const last = head.rows[0];
      let prev: { seq: number; hash: string } | undefined = last === undefined ? undefined : { seq: Number(last.seq), hash: last.hash };
      const columns: unknown[][] = UNNEST_TYPES.map(() => []);
      const push = (...values: unknown[]): void => values.forEach((v, i) => columns[i]?.push(v));
      for (const entry of entries) {
        const { record: r, argsJson } = chainForStorage(prev, entry);
        push(r.seq, r.time, r.agent, r.session, r.server, r.tool, r.decision, r.rule, r.reason, r.argsHash, argsJson, r.latencyMs, r.outcome, r.policyVersion, r.prevHash, r.hash);
        prev = r;
      }
      const unnest = UNNEST_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
      await client.query(`INSERT INTO ${this.table} (${COLUMNS}) SELECT * FROM unnest(${unnest})`, columns);
    });
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    await this.ready();
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (q.agent !== undefined) add('agent = ?', q.agent);
    if (q.tool !== undefined) add('tool = ?', q.tool);
    if (q.decision !== undefined) add('decision = ?', q.decision);
    if (q.since !== undefined) add('time_ms >= ?', q.since);
    if (q.until !== undefined) add('time_ms < ?', q.until);
    if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
    params.push(auditQueryLimit(q));
    const sql = `SELECT ${COLUMNS} FROM ${this.table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${params.length}`;
    const result = await this.pool.query<Row>(sql, params);
    return result.rows.map(toRecord);
  }

  async verify(): Promise<ChainVerification> {
    await this.ready();
    const verifier = new ChainVerifier();
    // Keyset pages rather than one huge result; rows appended meanwhile extend the chain and are verified too.
    for (let after = 0; ; ) {
      const page = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ${this.table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, VERIFY_PAGE]);
      for (const row of page.rows) {
        if (!verifier.push(toRecord(row))) return verifier.result();
      }
      const last = page.rows.at(-1);
      if (last === undefined || page.rows.length < VERIFY_PAGE) return verifier.result();
      after = Number(last.seq);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
