import type Database from 'better-sqlite3';
import { chainForStorage, ChainVerifier, type ChainVerification } from '../../../core/audit/chain.js';
import type { AuditEntry, AuditRecord } from '../../../core/audit/record.js';
import type { AuditQuery, AuditSink } from '../../../core/audit/sink.js';
import { AUDIT_COLUMNS, auditQuerySql, auditSchemaSql, toAuditRecord, type AuditRow } from '../audit-rows.js';
import { openDatabase } from './database.js';

export interface SqliteAuditSinkOptions {
  /** Default "audit_log". */
  table?: string;
  /** How long an append waits for another connection's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

type Row = AuditRow<number>;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The default audit store: one SQLite file in WAL mode, so readers (the console, `audit verify`) never block the
 * writer. Several connections — in this process or others — may append to the same file: each append runs in a
 * BEGIN IMMEDIATE transaction, which takes the write lock before reading the chain head, so two appenders can never
 * both extend the same head.
 */
export class SqliteAuditSink implements AuditSink {
  private readonly db: Database.Database;
  private readonly table: string;
  private readonly appendTx: Database.Transaction<(entries: readonly AuditEntry[]) => void>;
  private readonly queries = new Map<string, Database.Statement<unknown[], Row>>();
  private readonly all: Database.Statement<[], Row>;

  constructor(path: string, options: SqliteAuditSinkOptions = {}) {
    const table = options.table ?? 'audit_log';
    if (!TABLE_NAME.test(table)) throw new Error(`invalid audit table name ${JSON.stringify(table)}`);
    this.table = table;
    this.db = openDatabase(path, options.busyTimeoutMs);
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power failure, and an audit record the
    // writer was told is durable must be. Batching keeps this to one fsync per batch.
    this.db.pragma('synchronous = FULL');
    this.db.exec(auditSchemaSql(`"${table}"`, table, { integer: 'INTEGER', real: 'REAL' }).join(';\n'));
    const head = this.db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM "${table}" ORDER BY seq DESC LIMIT 1`);
    const insert = this.db.prepare(`INSERT INTO "${table}" (${AUDIT_COLUMNS}) VALUES (${Array(16).fill('?').join(', ')})`);
    this.appendTx = this.db.transaction((entries: readonly AuditEntry[]) => {
      let prev: { seq: number; hash: string } | undefined = head.get();
      for (const entry of entries) {
        const { record: r, argsJson } = chainForStorage(prev, entry);
        insert.run(
          r.seq,
          r.time,
          r.agent,
          r.session,
          r.server,
          r.tool,
          r.decision,
          r.rule,
          r.reason,
          r.argsHash,
          argsJson,
          r.latencyMs,
          r.outcome,
          r.policyVersion,
          r.prevHash,
          r.hash,
        );
        prev = r;
      }
    });
    this.all = this.db.prepare<[], Row>(`SELECT ${AUDIT_COLUMNS} FROM "${table}" ORDER BY seq`);
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.appendTx.immediate(entries);
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const { sql, params } = auditQuerySql(q, `"${this.table}"`);
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], Row>(sql);
      this.queries.set(sql, stmt); // at most 2^6 shapes
    }
    return stmt.all(...params).map(toAuditRecord);
  }

  async verify(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    // iterate() streams rows from one read snapshot; stopping early (return) ends the statement.
    for (const row of this.all.iterate()) {
      if (!verifier.push(toAuditRecord(row))) break;
    }
    return verifier.result();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
