import type { PolicyHistory, PolicyRevision } from '../../../ports.js';
import { isRevisionId, POLICY_REVISION_COLUMNS, policyHistoryLimit, toPolicyRevision, type PolicyRevisionRow } from '../policy-revision-rows.js';
import { connectWithTable, lockTable, PooledStore, tableName, transaction, type ConnectionOptions } from './pool.js';

export interface PostgresPolicyHistoryOptions extends ConnectionOptions {
  /** Default "gatehouse_policy_history"; may be schema-qualified ("gatehouse.policy_history"). */
  table?: string;
}

// bigint arrives as a string.
type Row = PolicyRevisionRow<string>;

/**
 * Saved policy versions in PostgreSQL, shared by every gateway replica.
 *
 * Ids are 1, 2, 3, … without gaps, so not from a sequence: a sequence hands out a value to an insert that then fails
 * or rolls back, and never takes it back. Each append instead takes the table's advisory lock and inserts max(id) + 1
 * in one statement; the transaction is READ COMMITTED, so that statement's snapshot, taken after the lock is granted,
 * sees the previous holder's commit. `id` is the primary key, so a writer that bypassed the lock would fail on a
 * duplicate rather than reuse an id.
 */
export class PostgresPolicyHistory extends PooledStore implements PolicyHistory {
  static async create(options: PostgresPolicyHistoryOptions): Promise<PostgresPolicyHistory> {
    const table = tableName(options.table ?? 'gatehouse_policy_history', 'policy history', 'policy-history');
    const pool = await connectWithTable(options, table, [
      `CREATE TABLE IF NOT EXISTS ${table.sql} (
        id BIGINT NOT NULL PRIMARY KEY,
        version TEXT NOT NULL,
        text TEXT NOT NULL,
        saved_at BIGINT NOT NULL,
        saved_by TEXT NOT NULL,
        note TEXT
      )`,
    ]);
    return new PostgresPolicyHistory(pool, table);
  }

  async append(revision: Omit<PolicyRevision, 'id'>): Promise<PolicyRevision> {
    const row = await transaction(this.pool, async (client) => {
      // Explicit, whatever default_transaction_isolation says: REPEATABLE READ would keep a snapshot from before the wait.
      await client.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await lockTable(client, this.table);
      const { rows } = await client.query<Row>(
        `INSERT INTO ${this.table.sql} (${POLICY_REVISION_COLUMNS})
         SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3::bigint, $4, $5 FROM ${this.table.sql}
         RETURNING ${POLICY_REVISION_COLUMNS}`,
        [revision.version, revision.text, revision.savedAt, revision.savedBy, revision.note],
      );
      return rows[0];
    });
    if (row === undefined) throw new Error('the policy revision was not stored');
    return toPolicyRevision(row);
  }

  async list(limit?: number): Promise<PolicyRevision[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${POLICY_REVISION_COLUMNS} FROM ${this.table.sql} ORDER BY id DESC LIMIT $1`, [policyHistoryLimit(limit)]);
    return rows.map(toPolicyRevision);
  }

  async get(id: number): Promise<PolicyRevision | undefined> {
    if (!isRevisionId(id)) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${POLICY_REVISION_COLUMNS} FROM ${this.table.sql} WHERE id = $1::bigint`, [id]);
    const row = rows[0];
    return row === undefined ? undefined : toPolicyRevision(row);
  }

  async latest(): Promise<PolicyRevision | undefined> {
    const [latest] = await this.list(1);
    return latest;
  }
}
