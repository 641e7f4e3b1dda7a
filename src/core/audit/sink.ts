import type { ChainVerification } from './chain.js';
import type { AuditDecision, AuditEntry, AuditRecord } from './record.js';

/** Filters combine with AND. `since` is inclusive and `until` exclusive (ms since epoch); `afterSeq` pages. */
export interface AuditQuery {
  agent?: string;
  tool?: string;
  decision?: AuditDecision;
  since?: number;
  until?: number;
  /** Default DEFAULT_AUDIT_QUERY_LIMIT, at most MAX_AUDIT_QUERY_LIMIT: page with `afterSeq` for more. */
  limit?: number;
  afterSeq?: number;
}

export const DEFAULT_AUDIT_QUERY_LIMIT = 1_000;
export const MAX_AUDIT_QUERY_LIMIT = 10_000;

/** The limit a store applies for `q.limit`. */
export function auditQueryLimit(q: AuditQuery): number {
  const limit = q.limit ?? DEFAULT_AUDIT_QUERY_LIMIT;
  return Number.isFinite(limit) ? Math.max(0, Math.min(MAX_AUDIT_QUERY_LIMIT, Math.floor(limit))) : DEFAULT_AUDIT_QUERY_LIMIT;
}

/**
 * Where audit records are kept (SQLite by default, PostgreSQL in production).
 *
 * `append` chains the entries itself, inside the same transaction that writes them, reading the last (seq, hash)
 * from the database rather than from memory. That is what lets several gateway processes share one database and
 * still produce ONE chain: each store serialises appenders on the database side (SQLite: BEGIN IMMEDIATE takes the
 * write lock before the read; PostgreSQL: a transaction-scoped advisory lock, see its adapter for why not LOCK
 * TABLE). A batch is written entirely or not at all, and `append` throws when the database is unavailable, leaving
 * buffering and retries to the AuditWriter.
 *
 * Delivery through the writer is at-least-once: if a commit succeeds but its acknowledgement is lost, the retry
 * writes the batch again under new seqs. The chain stays valid; a duplicate is visible by its identical contents.
 */
export interface AuditSink {
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Ordered by seq, ascending. */
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** Re-hashes the whole trail from seq 1; see chain.ts for what each problem means. */
  verify(): Promise<ChainVerification>;
  close(): Promise<void>;
}
