import type Database from 'better-sqlite3';
import type { PolicyHistory, PolicyRevision } from '../../../ports.js';
import { isRevisionId, POLICY_REVISION_COLUMNS, policyHistoryLimit, toPolicyRevision, type PolicyRevisionRow } from '../policy-revision-rows.js';
import { storeDatabase } from './database.js';

type Row = PolicyRevisionRow<number>;

/**
 * Saved policy versions in SQLite. `id` is the INTEGER PRIMARY KEY (the rowid), which SQLite sets to the largest id
 * plus one inside the insert; inserts from every connection are serialised by the file's write lock, and nothing is
 * ever deleted, so ids run 1, 2, 3, … without gaps or repeats however many processes append. Pass a Database to share
 * one connection with other stores; that connection then stays the caller's to configure and close.
 */
export class SqlitePolicyHistory implements PolicyHistory {
  private readonly closeDb: () => void;
  private readonly insert: Database.Statement<[string, string, number, string, string | null], Row>;
  private readonly byId: Database.Statement<[number], Row>;
  private readonly newest: Database.Statement<[number], Row>;

  constructor(database: string | Database.Database) {
    const { db, close } = storeDatabase(database);
    this.closeDb = close;
    // No AUTOINCREMENT: with no deletes it assigns the same ids, without the extra sqlite_sequence write.
    db.exec(`
      CREATE TABLE IF NOT EXISTS policy_revisions (
        id INTEGER PRIMARY KEY,
        version TEXT NOT NULL,
        text TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        saved_by TEXT NOT NULL,
        note TEXT
      )`);
    // A shared connection may have safe integers on; ids and times are well inside Number's range, so ask for numbers.
    this.insert = db
      .prepare<[string, string, number, string, string | null], Row>(
        `INSERT INTO policy_revisions (version, text, saved_at, saved_by, note) VALUES (?, ?, ?, ?, ?) RETURNING ${POLICY_REVISION_COLUMNS}`,
      )
      .safeIntegers(false);
    this.byId = db.prepare<[number], Row>(`SELECT ${POLICY_REVISION_COLUMNS} FROM policy_revisions WHERE id = ?`).safeIntegers(false);
    this.newest = db.prepare<[number], Row>(`SELECT ${POLICY_REVISION_COLUMNS} FROM policy_revisions ORDER BY id DESC LIMIT ?`).safeIntegers(false);
  }

  async append(revision: Omit<PolicyRevision, 'id'>): Promise<PolicyRevision> {
    const row = this.insert.get(revision.version, revision.text, revision.savedAt, revision.savedBy, revision.note);
    if (row === undefined) throw new Error('the policy revision was not stored');
    return toPolicyRevision(row);
  }

  async list(limit?: number): Promise<PolicyRevision[]> {
    return this.newest.all(policyHistoryLimit(limit)).map(toPolicyRevision);
  }

  async get(id: number): Promise<PolicyRevision | undefined> {
    if (!isRevisionId(id)) return undefined;
    const row = this.byId.get(id);
    return row === undefined ? undefined : toPolicyRevision(row);
  }

  async latest(): Promise<PolicyRevision | undefined> {
    const [row] = this.newest.all(1);
    return row === undefined ? undefined : toPolicyRevision(row);
  }

  async close(): Promise<void> {
    this.closeDb();
  }
}
