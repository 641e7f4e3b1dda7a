import type pg from 'pg';
import { chainForStorage, ChainVerifier, type ChainVerification } from '../../../core/audit/chain.js';
import type { AuditEntry, AuditRecord } from '../../../core/audit/record.js';
import type { AuditQuery, AuditSink } from '../../../core/audit/sink.js';
import { AUDIT_COLUMNS, auditQuerySql, auditSchemaSql, toAuditRecord, type AuditRow } from '../audit-rows.js';
import { createPool, lockTable, PooledStore, tableName, type PoolOptions } from './pool.js';

export interface PostgresAuditSinkOptions extends PoolOptions {
  /** Default "gatehouse_audit"; may be schema-qualified ("audit.gatehouse"). */
  table?: string;
}

// bigint arrives as a string.
type Row = AuditRow<string>;

/** Element types for the single INSERT … SELECT FROM unnest(…) that writes a whole batch in one statement. */
const UNNEST_TYPES = ['bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'text', 'text', 'text', 'text'];

const VERIFY_PAGE = 5_000;

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
export class PostgresAuditSink extends PooledStore implements AuditSink {
  private schema: Promise<void> | undefined;

  static async create(options: PostgresAuditSinkOptions): Promise<PostgresAuditSink> {
    const table = tableName(options.table ?? 'gatehouse_audit', 'audit', 'audit');
    return new PostgresAuditSink(createPool(options), table);
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
      await lockTable(client, this.table);
      for (const statement of auditSchemaSql(this.table.sql, this.table.base, { integer: 'BIGINT', real: 'DOUBLE PRECISION' })) await client.query(statement);
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
      await lockTable(client, this.table);
      const head = await client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.table.sql} ORDER BY seq DESC LIMIT 1`);
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
      await client.query(`INSERT INTO ${this.table.sql} (${AUDIT_COLUMNS}) SELECT * FROM unnest(${unnest})`, columns);
    });
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    await this.ready();
    const { sql, params } = auditQuerySql(q, this.table.sql);
    // Table names are checked identifiers, so every ? is a placeholder.
    let placeholder = 0;
    const result = await this.pool.query<Row>(sql.replace(/\?/g, () => `$${++placeholder}`), params);
    return result.rows.map(toAuditRecord);
  }

  async verify(): Promise<ChainVerification> {
    await this.ready();
    const verifier = new ChainVerifier();
    // Keyset pages rather than one huge result; rows appended meanwhile extend the chain and are verified too.
    for (let after = 0; ; ) {
      const page = await this.pool.query<Row>(`SELECT ${AUDIT_COLUMNS} FROM ${this.table.sql} WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, VERIFY_PAGE]);
      for (const row of page.rows) {
        if (!verifier.push(toAuditRecord(row))) return verifier.result();
      }
      const last = page.rows.at(-1);
      if (last === undefined || page.rows.length < VERIFY_PAGE) return verifier.result();
      after = Number(last.seq);
    }
  }
}
