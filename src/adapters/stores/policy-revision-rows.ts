import type { PolicyRevision } from '../../ports.js';

/** A policy revision as the SQL stores lay it out; `Int` is how the driver returns BIGINT (pg: string, SQLite: number). */
export interface PolicyRevisionRow<Int extends number | string> {
  id: Int;
  version: string;
  text: string;
  saved_at: Int;
  saved_by: string;
  note: string | null;
}

export const POLICY_REVISION_COLUMNS = 'id, version, text, saved_at, saved_by, note';

export const DEFAULT_POLICY_HISTORY_LIMIT = 100;
export const MAX_POLICY_HISTORY_LIMIT = 1_000;

/** `list`'s limit: the default when absent or NaN, otherwise a whole number in [1, 1000]. */
export function policyHistoryLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_POLICY_HISTORY_LIMIT;
  return Math.max(1, Math.min(MAX_POLICY_HISTORY_LIMIT, Math.floor(limit)));
}

/** Ids are 1, 2, 3, …: anything else names no revision (and must not reach a bigint parameter, where pg would throw). */
export function isRevisionId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 1;
}

export function toPolicyRevision(row: PolicyRevisionRow<number | string>): PolicyRevision {
  // Ids and times are safe integers, so a string from pg converts exactly.
  return { id: Number(row.id), version: row.version, text: row.text, savedAt: Number(row.saved_at), savedBy: row.saved_by, note: row.note };
}
