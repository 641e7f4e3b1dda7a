import { assertAgentName, generateKeyMaterial, type KeyMaterial } from '../../core/keys.js';
import type { AgentKey } from '../../ports.js';

/** A key as the SQL stores lay it out; `Int` is how the driver returns the times (pg: string, SQLite: number). */
export interface AgentKeyRow<Int extends number | string> {
  id: string;
  agent: string;
  secret_hash: string;
  created_at: Int;
  revoked_at: Int | null;
  last_used_at: Int | null;
}

export type PublicAgentKeyRow<Int extends number | string> = Omit<AgentKeyRow<Int>, 'secret_hash'>;

export const AGENT_KEY_PUBLIC_COLUMNS = 'id, agent, created_at, revoked_at, last_used_at';

// The times stored are millisecond timestamps, safe integers, so a string from pg converts exactly.
const time = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function toAgentKey(row: PublicAgentKeyRow<number | string>): AgentKey {
  return { id: row.id, agent: row.agent, createdAt: Number(row.created_at), revokedAt: time(row.revoked_at), lastUsedAt: time(row.last_used_at) };
}

/** Ids are 48 random bits; a clash is astronomically rare, and a few retries make it impossible in practice. */
const CREATE_ATTEMPTS = 5;

/** Draws keys until `insert` stores one; `insert` returns false, instead of throwing, when the id is taken. */
export async function createAgentKey(
  agent: string,
  now: number,
  insert: (material: KeyMaterial) => boolean | Promise<boolean>,
): Promise<{ key: AgentKey; secret: string }> {
  assertAgentName(agent);
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const material = generateKeyMaterial();
    if (await insert(material)) {
      return { key: { id: material.id, agent, createdAt: now, revokedAt: null, lastUsedAt: null }, secret: material.presented };
    }
  }
  throw new Error('could not allocate a unique agent key id');
}
