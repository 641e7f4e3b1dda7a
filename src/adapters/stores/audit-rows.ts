import type { AuditDecision, AuditOutcome, AuditRecord } from '../../core/audit/record.js';
import { auditQueryLimit, type AuditQuery } from '../../core/audit/sink.js';

/** An audit row as the SQL stores lay it out; `Int` is how the driver returns BIGINT (pg: string, SQLite: number). */
export interface AuditRow<Int extends number | string> {
  seq: Int;
  time_ms: Int;
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

/** What a SQL dialect calls the column types the audit table needs beside TEXT. */
export interface AuditColumnTypes {
  /** 64-bit. */
  integer: string;
  real: string;
}

/** Creates the table and its indexes if missing. `table` is quoted; index names take no schema, hence `indexPrefix`. */
export function auditSchemaSql(table: string, indexPrefix: string, { integer, real }: AuditColumnTypes): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      seq ${integer} PRIMARY KEY,
      time_ms ${integer} NOT NULL,
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
      latency_ms ${real},
      outcome TEXT,
      policy_version TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS "${indexPrefix}_time" ON ${table} (time_ms)`,
    `CREATE INDEX IF NOT EXISTS "${indexPrefix}_agent" ON ${table} (agent, seq)`,
  ];
}

export const AUDIT_COLUMNS =
  'seq, time_ms, agent, session, server, tool, decision, rule, reason, args_hash, args, latency_ms, outcome, policy_version, prev_hash, hash';

/** Stored args are canonical JSON text; text that no longer parses (tampered) is returned as is, so verify sees it. */
function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toAuditRecord(row: AuditRow<number | string>): AuditRecord {
  return {
    // Every seq and time_ms a sink writes is a safe integer, so a string from pg converts exactly.
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
 * The SELECT for `q` from `table` (already quoted), with a `?` for each value. Conditions come in a fixed order so
 * that each shape of query is one SQL text.
 */
export function auditQuerySql(q: AuditQuery, table: string): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, value: unknown): void => {
    where.push(condition);
    params.push(value);
  };
  if (q.agent !== undefined) add('agent = ?', q.agent);
  if (q.tool !== undefined) add('tool = ?', q.tool);
  if (q.decision !== undefined) add('decision = ?', q.decision);
  if (q.since !== undefined) add('time_ms >= ?', q.since);
  if (q.until !== undefined) add('time_ms < ?', q.until);
  if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
  params.push(auditQueryLimit(q));
  const sql = `SELECT ${AUDIT_COLUMNS} FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
  return { sql, params };
}
