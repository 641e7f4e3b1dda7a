import type Database from 'better-sqlite3';
import { isKeyId, LAST_USED_RESOLUTION_MS, parsePresentedKey, secretMatches, shouldRecordUse } from '../../../core/keys.js';
import type { AgentKey, AgentKeyStore } from '../../../ports.js';
import { AGENT_KEY_PUBLIC_COLUMNS, createAgentKey, toAgentKey, type AgentKeyRow, type PublicAgentKeyRow } from '../agent-key-rows.js';
import { storeDatabase } from './database.js';

type Row = AgentKeyRow<number>;

/**
 * Agent keys in SQLite, only the SHA-256 of each secret stored. Pass a Database to share one connection (and one
 * file) with other stores; that connection then stays the caller's to configure and close.
 */
export class SqliteAgentKeyStore implements AgentKeyStore {
  private readonly closeDb: () => void;
  private readonly insert: Database.Statement<[string, string, string, number]>;
  private readonly byId: Database.Statement<[string], Row>;
  private readonly touch: Database.Statement<[number, string, number]>;
  private readonly listAll: Database.Statement<[], PublicAgentKeyRow<number>>;
  private readonly revokeOne: Database.Statement<[number, string]>;

  constructor(database: string | Database.Database) {
    const { db, close } = storeDatabase(database);
    this.closeDb = close;
    db.exec(`
      CREATE TABLE IF NOT EXISTS agent_keys (
        id TEXT NOT NULL PRIMARY KEY,
        agent TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      )`);
    // ON CONFLICT DO NOTHING: an id clash shows as zero changes and create draws again, instead of an exception.
    this.insert = db.prepare('INSERT INTO agent_keys (id, agent, secret_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    // A shared connection may have safe integers on; times are well inside Number's range, so ask for numbers.
    this.byId = db.prepare<[string], Row>(`SELECT ${AGENT_KEY_PUBLIC_COLUMNS}, secret_hash FROM agent_keys WHERE id = ?`).safeIntegers(false);
    this.listAll = db.prepare<[], PublicAgentKeyRow<number>>(`SELECT ${AGENT_KEY_PUBLIC_COLUMNS} FROM agent_keys ORDER BY created_at, id`).safeIntegers(false);
    // Conditions repeated in SQL so that two processes verifying at once write at most once per interval, and a key
    // revoked meanwhile is not touched.
    this.touch = db.prepare(
      'UPDATE agent_keys SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= ?)',
    );
    this.revokeOne = db.prepare('UPDATE agent_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  async create(agent: string, now: number): Promise<{ key: AgentKey; secret: string }> {
    return createAgentKey(agent, now, (material) => this.insert.run(material.id, agent, material.secretHash, now).changes === 1);
  }

  async verify(presented: string, now: number): Promise<AgentKey | undefined> {
    const parsed = parsePresentedKey(presented);
    if (parsed === undefined) return undefined;
    const row = this.byId.get(parsed.id);
    if (row === undefined || !secretMatches(parsed.secret, row.secret_hash) || row.revoked_at !== null) return undefined;
    let lastUsedAt = row.last_used_at;
    if (shouldRecordUse(lastUsedAt, now) && this.touch.run(now, row.id, now - LAST_USED_RESOLUTION_MS).changes === 1) lastUsedAt = now;
    return toAgentKey({ ...row, last_used_at: lastUsedAt });
  }

  async list(): Promise<AgentKey[]> {
    return this.listAll.all().map(toAgentKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    if (!isKeyId(id)) return false;
    return this.revokeOne.run(now, id).changes === 1;
  }

  async close(): Promise<void> {
    this.closeDb();
  }
}
