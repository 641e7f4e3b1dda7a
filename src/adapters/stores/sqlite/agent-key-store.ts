import Database from 'better-sqlite3';
import { assertAgentName, generateKeyMaterial, isKeyId, LAST_USED_RESOLUTION_MS, parsePresentedKey, secretMatches, shouldRecordUse } from '../../../core/keys.js';
import type { AgentKey, AgentKeyStore } from '../../../ports.js';

interface Row {
  id: string;
  agent: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

type PublicRow = Omit<Row, 'secret_hash'>;

const PUBLIC_COLUMNS = 'id, agent, created_at, revoked_at, last_used_at';

/** Ids are 48 random bits; a clash is astronomically rare, and a few retries make it impossible in practice. */
const CREATE_ATTEMPTS = 5;

function toKey(row: PublicRow): AgentKey {
  return { id: row.id, agent: row.agent, createdAt: row.created_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at };
}

/**
 * Agent keys in SQLite, only the SHA-256 of each secret stored. Pass a Database to share one connection (and one
 * file) with other stores; that connection then stays the caller's to configure and close.
 */
export class SqliteAgentKeyStore implements AgentKeyStore {
  private readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly insert: Database.Statement<[string, string, string, number]>;
  private readonly byId: Database.Statement<[string], Row>;
  private readonly touch: Database.Statement<[number, string, number]>;
  private readonly listAll: Database.Statement<[], PublicRow>;
  private readonly revokeOne: Database.Statement<[number, string]>;

  constructor(db: string | Database.Database) {
    this.owned = typeof db === 'string';
    if (typeof db === 'string') {
      this.db = new Database(db, { timeout: 5_000 });
      this.db.pragma('journal_mode = WAL');
    } else {
      this.db = db;
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS agent_keys (
        id TEXT NOT NULL PRIMARY KEY,
        agent TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_used_at INTEGER
      )`);
    // ON CONFLICT DO NOTHING: an id clash shows as zero changes and create draws again, instead of an exception.
    this.insert = this.db.prepare('INSERT INTO agent_keys (id, agent, secret_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    // A shared connection may have safe integers on; times are well inside Number's range, so ask for numbers.
    this.byId = this.db.prepare<[string], Row>(`SELECT ${PUBLIC_COLUMNS}, secret_hash FROM agent_keys WHERE id = ?`).safeIntegers(false);
    this.listAll = this.db.prepare<[], PublicRow>(`SELECT ${PUBLIC_COLUMNS} FROM agent_keys ORDER BY created_at, id`).safeIntegers(false);
    // Conditions repeated in SQL so that two processes verifying at once write at most once per interval, and a key
    // revoked meanwhile is not touched.
    this.touch = this.db.prepare(
      'UPDATE agent_keys SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= ?)',
    );
    this.revokeOne = this.db.prepare('UPDATE agent_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  }

  async create(agent: string, now: number): Promise<{ key: AgentKey; secret: string }> {
    assertAgentName(agent);
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      const material = generateKeyMaterial();
      if (this.insert.run(material.id, agent, material.secretHash, now).changes === 1) {
        return { key: { id: material.id, agent, createdAt: now, revokedAt: null, lastUsedAt: null }, secret: material.presented };
      }
    }
    throw new Error('could not allocate a unique agent key id');
  }

  async verify(presented: string, now: number): Promise<AgentKey | undefined> {
    const parsed = parsePresentedKey(presented);
    if (parsed === undefined) return undefined;
    const row = this.byId.get(parsed.id);
    if (row === undefined || !secretMatches(parsed.secret, row.secret_hash) || row.revoked_at !== null) return undefined;
    let lastUsedAt = row.last_used_at;
    if (shouldRecordUse(lastUsedAt, now) && this.touch.run(now, row.id, now - LAST_USED_RESOLUTION_MS).changes === 1) lastUsedAt = now;
    return toKey({ ...row, last_used_at: lastUsedAt });
  }

  async list(): Promise<AgentKey[]> {
    return this.listAll.all().map(toKey);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    if (!isKeyId(id)) return false;
    return this.revokeOne.run(now, id).changes === 1;
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}
