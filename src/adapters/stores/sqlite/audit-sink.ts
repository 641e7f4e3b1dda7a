import Database from 'better-sqlite3';
import { chainForStorage, ChainVerifier, type ChainVerification } from '../../../core/audit/chain.js';
import type { AuditDecision, AuditEntry, AuditOutcome, AuditRecord } from '../../../core/audit/record.js';
import { auditQueryLimit, type AuditQuery, type AuditSink } from '../../../core/audit/sink.js';

export interface SqliteAuditSinkOptions {
  /** Default "audit_log". */
  table?: string;
  /** How long an append waits for another connection's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface Row {
  seq: number;
  time_ms: number;
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

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Stored args are canonical JSON text; text that no longer parses (tampered) is returned as is, so verify sees it. */
function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toRecord(row: Row): AuditRecord {
  return {
    seq: row.seq,
    time: row.time_ms,
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
    this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    this.db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power failure, and an audit record the
    // writer was told is durable must be. Batching keeps this to one fsync per batch.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS "${table}" (
        seq INTEGER PRIMARY KEY,
        time_ms INTEGER NOT NULL,
        agent TEXT NOT NULL,
        session TEXT NOT NULL,
        server TEXT,
        tool TEXT NOT NULL,
        decision TEXT NOT NULL,
        rule TEXT,
        reason TEXT,
        args_hash TEXT NOT NULL,
        args TEXT NOT NULL,
        latency_ms REAL,
        outcome TEXT,
        policy_version TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS "${table}_time" ON "${table}" (time_ms);
      CREATE INDEX IF NOT EXISTS "${table}_agent" ON "${table}" (agent, seq);
    `);
    const head = this.db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM "${table}" ORDER BY seq DESC LIMIT 1`);
    const insert = this.db.prepare(`INSERT INTO "${table}" (${COLUMNS}) VALUES (${Array(16).fill('?').join(', ')})`);
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
    this.all = this.db.prepare<[], Row>(`SELECT ${COLUMNS} FROM "${table}" ORDER BY seq`);
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.appendTx.immediate(entries);
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      where.push(clause);
      params.push(value);
    };
    if (q.agent !== undefined) add('agent = ?', q.agent);
    if (q.tool !== undefined) add('tool = ?', q.tool);
    if (q.decision !== undefined) add('decision = ?', q.decision);
    if (q.since !== undefined) add('time_ms >= ?', q.since);
    if (q.until !== undefined) add('time_ms < ?', q.until);
    if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
    params.push(auditQueryLimit(q));
    const sql = `SELECT ${COLUMNS} FROM "${this.table}"${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
    let stmt = this.queries.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare<unknown[], Row>(sql);
      this.queries.set(sql, stmt); // at most 2^6 shapes
    }
    return stmt.all(...params).map(toRecord);
  }

  async verify(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    // iterate() streams rows from one read snapshot; stopping early (return) ends the statement.
    for (const row of this.all.iterate()) {
      if (!verifier.push(toRecord(row))) break;
    }
    return verifier.result();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
