import type { CatalogToolRecord } from '../../ports.js';

/** A catalog row as the SQL stores lay it out; `Int` is how the driver returns BIGINT (pg: string, SQLite: number). */
export interface CatalogRow<Int extends number | string> {
  server: string;
  tool: string;
  definition_hash: string;
  /** JSON text. */
  definition: string;
  first_seen: Int;
  last_seen: Int;
  category: string;
  level: string;
  confidence: number;
  rationale: string;
}

export const CATALOG_COLUMNS = 'server, tool, definition_hash, definition, first_seen, last_seen, category, level, confidence, rationale';

export function toCatalogRecord(row: CatalogRow<number | string>): CatalogToolRecord {
  return {
    server: row.server,
    tool: row.tool,
    definitionHash: row.definition_hash,
    definition: JSON.parse(row.definition) as unknown,
    // The times stored are millisecond timestamps, safe integers, so a string from pg converts exactly.
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    category: row.category,
    level: row.level,
    confidence: row.confidence,
    rationale: row.rationale,
  };
}
