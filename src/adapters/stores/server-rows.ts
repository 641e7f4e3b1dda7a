import type { RegisteredServer } from '../../ports.js';

/**
 * A registered server as the SQL stores lay it out; `Int` is how the driver returns BIGINT (pg: string, SQLite:
 * number). `config` is JSON text in SQLite; pg parses jsonb itself and hands over the object.
 */
export interface ServerRow<Int extends number | string> {
  name: string;
  config: string | Record<string, unknown>;
  created_at: Int;
  updated_at: Int;
}

export const SERVER_COLUMNS = 'name, config, created_at, updated_at';

/** The config as JSON text; anything but a plain object is refused, the same way by every adapter. */
export function serverConfigJson(config: Record<string, unknown>): string {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new TypeError('a server config must be an object');
  return JSON.stringify(config);
}

export function toRegisteredServer(row: ServerRow<number | string>): RegisteredServer {
  return {
    name: row.name,
    config: typeof row.config === 'string' ? (JSON.parse(row.config) as Record<string, unknown>) : row.config,
    // The times stored are millisecond timestamps, safe integers, so a string from pg converts exactly.
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
