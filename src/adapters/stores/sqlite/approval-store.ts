import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { systemClock, type ApprovalDecision, type ApprovalRequest, type ApprovalStore, type Clock } from '../../../ports.js';
import { storeDatabase } from './database.js';

type Listener = (request: ApprovalRequest) => void;

interface Row {
  id: string;
  agent: string;
  session: string;
  tool: string;
  args_hash: string;
  policy_version: string;
  rule: string;
  reason: string;
  /** JSON text. */
  args: string;
  created_at: number;
  expires_at: number;
  status: 'pending' | 'approved' | 'denied' | 'used';
  decided_by: string | null;
  note: string | null;
  decided_at: number | null;
}

const COLUMNS = 'id, agent, session, tool, args_hash, policy_version, rule, reason, args, created_at, expires_at, status, decided_by, note, decided_at';

type Match = { agent: string; tool: string; argsHash: string; policyVersion: string };

/**
 * Listeners of every store in this process, per database: two stores on one file (say the admin API's and the
 * gateway's) hear each other's decisions. Another process deciding on the same file is not heard: SQLite has no
 * notification channel, and a gateway spread over processes should use the Redis store.
 */
const listenersByDatabase = new Map<unknown, Set<Listener>>();

/** In-memory databases are private to their connection, so they are told apart by connection, files by path. */
function databaseKey(db: Database.Database): unknown {
  return db.memory ? db : resolve(db.name);
}

function toRequest(row: Row, now: number): ApprovalRequest {
  return {
    id: row.id,
    agent: row.agent,
    session: row.session,
    tool: row.tool,
    argsHash: row.args_hash,
    policyVersion: row.policy_version,
    rule: row.rule,
    reason: row.reason,
    args: JSON.parse(row.args) as unknown,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    // 'expired' is never stored: it depends on when one looks.
    status: row.status === 'pending' && row.expires_at <= now ? 'expired' : row.status,
    decidedBy: row.decided_by,
    note: row.note,
    decidedAt: row.decided_at,
  };
}

/**
 * Approvals in SQLite: they survive a restart, and several processes on one file agree on every decide and consume
 * (IMMEDIATE transactions). Pass a Database to share one connection (and one file) with other stores; that
 * connection then stays the caller's to configure and close. Decided requests are kept, not pruned.
 */
export class SqliteApprovalStore implements ApprovalStore {
  private readonly closeDb: () => void;
  private readonly key: unknown;
  /** This store's own subscriptions, dropped from the shared set when it closes. */
  private readonly subscriptions = new Set<Listener>();
  private readonly insert: Database.Statement<[string, string, string, string, string, string, string, string, string, number, number]>;
  private readonly byId: Database.Statement<[string], Row>;
  private readonly listAll: Database.Statement<[], Row>;
  private readonly decideTx: Database.Transaction<(id: string, status: 'approved' | 'denied', by: string, note: string | null, now: number) => Row | undefined>;
  private readonly consumeTx: Database.Transaction<(match: Match, now: number) => Row | undefined>;
  private closed = false;

  constructor(database: string | Database.Database, private readonly clock: Clock = systemClock) {
    const { db, close } = storeDatabase(database);
    this.closeDb = close;
    db.exec(`
      CREATE TABLE IF NOT EXISTS approvals (
        id TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        session TEXT NOT NULL,
        tool TEXT NOT NULL,
        args_hash TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        rule TEXT NOT NULL,
        reason TEXT NOT NULL,
        args TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
        decided_by TEXT,
        note TEXT,
        decided_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS approvals_match ON approvals (agent, tool, args_hash, policy_version, status);
      CREATE INDEX IF NOT EXISTS approvals_created ON approvals (created_at, id);`);
    this.insert = db.prepare(`INSERT INTO approvals (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL)`);
    // A shared connection may have safe integers on; times are well inside Number's range, so ask for numbers.
    this.byId = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM approvals WHERE id = ?`).safeIntegers(false);
    // Ordered by id in code point order (SQLite's default BINARY collation), as the other stores order.
    this.listAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM approvals ORDER BY created_at, id`).safeIntegers(false);
    const setDecision = db.prepare<[string, string, string | null, number, string, number]>(
      `UPDATE approvals SET status = ?, decided_by = ?, note = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?`,
    );
    const findApproved = db
      .prepare<[string, string, string, string, number], { id: string }>(
        `SELECT id FROM approvals WHERE agent = ? AND tool = ? AND args_hash = ? AND policy_version = ? AND status = 'approved' AND expires_at > ?
         ORDER BY created_at, id LIMIT 1`,
      )
      .safeIntegers(false);
    const markUsed = db.prepare<[string]>(`UPDATE approvals SET status = 'used' WHERE id = ? AND status = 'approved'`);
    this.decideTx = db.transaction((id, status, by, note, now) => {
      if (setDecision.run(status, by, note, now, id, now).changes === 0) return undefined;
      return this.byId.get(id);
    });
    this.consumeTx = db.transaction((match, now) => {
      const found = findApproved.get(match.agent, match.tool, match.argsHash, match.policyVersion, now);
      if (!found || markUsed.run(found.id).changes === 0) return undefined;
      return this.byId.get(found.id);
    });
    this.key = databaseKey(db);
  }

  async create(request: Omit<ApprovalRequest, 'status' | 'decidedBy' | 'note' | 'decidedAt'>): Promise<ApprovalRequest> {
    this.assertOpen();
    const r = request;
    this.insert.run(r.id, r.agent, r.session, r.tool, r.argsHash, r.policyVersion, r.rule, r.reason, JSON.stringify(r.args) ?? 'null', r.createdAt, r.expiresAt);
    const row = this.byId.get(r.id);
    if (!row) throw new Error(`approval ${r.id} vanished after insert`);
    return toRequest(row, this.clock.now());
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    this.assertOpen();
    const row = this.byId.get(id);
    return row && toRequest(row, this.clock.now());
  }

  async list(filter: { status?: ApprovalRequest['status'] } = {}): Promise<ApprovalRequest[]> {
    this.assertOpen();
    const now = this.clock.now();
    // Filtered after reading: 'expired' and 'pending' depend on the clock, not on the stored column alone.
    const all = this.listAll.all().map((row) => toRequest(row, now));
    return filter.status === undefined ? all : all.filter((r) => r.status === filter.status);
  }

  async decide(id: string, decision: ApprovalDecision, now: number): Promise<ApprovalRequest | undefined> {
    this.assertOpen();
    // IMMEDIATE takes the write lock before reading, so of two processes deciding at once exactly one sees 'pending'.
    const row = this.decideTx.immediate(id, decision.approve ? 'approved' : 'denied', decision.by, decision.note ?? null, now);
    if (!row) return undefined;
    for (const listener of [...(listenersByDatabase.get(this.key) ?? [])]) notify(listener, toRequest(row, now));
    return toRequest(row, now);
  }

  async consume(match: Match, now: number): Promise<ApprovalRequest | undefined> {
    this.assertOpen();
    const row = this.consumeTx.immediate(match, now);
    return row && toRequest(row, now);
  }

  onDecided(listener: Listener): () => void {
    // A wrapper per subscription, so subscribing the same function twice yields two independent subscriptions.
    const subscription: Listener = (request) => listener(request);
    let shared = listenersByDatabase.get(this.key);
    if (!shared) listenersByDatabase.set(this.key, (shared = new Set()));
    shared.add(subscription);
    this.subscriptions.add(subscription);
    return () => this.unsubscribe(subscription);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of [...this.subscriptions]) this.unsubscribe(subscription);
    this.closeDb();
  }

  private unsubscribe(subscription: Listener): void {
    this.subscriptions.delete(subscription);
    const shared = listenersByDatabase.get(this.key);
    if (!shared) return;
    shared.delete(subscription);
    // The map must not keep a closed database's connection (or an idle path) alive.
    if (shared.size === 0) listenersByDatabase.delete(this.key);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('approval store is closed');
  }
}

/** A listener that throws must not undo a decision already made, nor keep the other listeners from hearing of it. */
function notify(listener: Listener, request: ApprovalRequest): void {
  try {
    listener(request);
  } catch {
    // Deliberately ignored: see above. Listeners report their own failures.
  }
}
