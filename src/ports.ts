import type { AuditEntry } from './core/audit/record.js';
import type { CompiledPolicy } from './core/policy/index.js';

export type { AuditSink, AuditQuery } from './core/audit/sink.js';
export type { AuditEntry, AuditRecord, AuditDecision } from './core/audit/record.js';

/** Time, injected so that core logic is testable without waiting. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Where the decision path gets the policy in force. `current()` returns undefined when no valid policy was
 * ever loaded; callers must then deny (fail closed).
 */
export interface PolicyProvider {
  current(): CompiledPolicy | undefined;
  onChange(listener: (policy: CompiledPolicy) => void): void;
}

/** One quota to charge a call against: at most `max` calls in any `windowMs` milliseconds under `key`. */
export interface LimitCheck {
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

export type LimitOutcome =
  | { readonly allowed: true }
  /** `key` is the quota that refused; `retryAfterMs` is when its oldest counted call leaves the window. */
  | { readonly allowed: false; readonly key: string; readonly retryAfterMs: number };

/**
 * Sliding-window counters. `consume` is atomic and all-or-nothing across its checks: either every quota has room
 * and one call is counted in each, or nothing is counted and the first full quota is named.
 */
export interface RateLimitStore {
  consume(checks: readonly LimitCheck[]): Promise<LimitOutcome>;
  /** For readiness: rejects when a remote store does not answer. In-process stores need not implement it. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** What the gateway last saw of one upstream tool, as kept across restarts. */
export interface CatalogToolRecord {
  readonly server: string;
  /** The tool's name on its server (not the prefixed name agents see). */
  readonly tool: string;
  readonly definitionHash: string;
  readonly definition: unknown;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly category: string;
  readonly level: string;
  readonly confidence: number;
  readonly rationale: string;
}

export interface ToolObservation {
  readonly tool: string;
  readonly definitionHash: string;
  readonly definition: unknown;
  readonly category: string;
  readonly level: string;
  readonly confidence: number;
  readonly rationale: string;
}

export interface CatalogChanges {
  readonly added: readonly string[];
  /** Tools whose definition hash differs from the one stored: a possible rug pull. */
  readonly changed: readonly { readonly tool: string; readonly previousHash: string; readonly previousDefinition: unknown }[];
}

/** Persistent catalog: tools seen per server, first seen, definition hash and classification. */
export interface CatalogStore {
  /**
   * Records one server's current tool list at `now`; returns what is new or changed since last seen. New tools are
   * pinned as seen. A changed tool's stored (pinned) definition is replaced, unless `keepChanged` is set: then the
   * change is reported every time until `approve` accepts the new definition (rug-pull defence).
   */
  observe(server: string, tools: readonly ToolObservation[], now: number, options?: { keepChanged?: boolean }): Promise<CatalogChanges>;
  /** Pins `definition` as the approved one for a tool already on record; false if there is no such tool. */
  approve(server: string, tool: string, definitionHash: string, definition: unknown, now: number): Promise<boolean>;
  list(server?: string): Promise<CatalogToolRecord[]>;
  close(): Promise<void>;
}


/** Where the decision path hands audit records: cheap and synchronous; `overflowing` means stop allowing calls. */
export interface AuditRecorder {
  record(entry: AuditEntry): void;
  readonly overflowing: boolean;
}

/** An agent API key as stored: only a hash of the secret is kept. */
export interface AgentKey {
  readonly id: string;
  readonly agent: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

/** Agent API keys (`gh_<id>_<secret>`), stored hashed; the full key is shown once, at creation. */
export interface AgentKeyStore {
  create(agent: string, now: number): Promise<{ key: AgentKey; secret: string }>;
  /** The key a presented secret belongs to, if it exists and is not revoked. Constant-time on the hash. */
  verify(presented: string, now: number): Promise<AgentKey | undefined>;
  list(): Promise<AgentKey[]>;
  /** True when a key was revoked by this call. */
  revoke(id: string, now: number): Promise<boolean>;
  close(): Promise<void>;
}

/** What the call path reports for metrics; the gateway knows nothing of Prometheus. */
export interface CallObserver {
  decided(server: string, tool: string, decision: 'allow' | 'deny' | 'limit' | 'hold', seconds: number): void;
  upstreamCalled(server: string, outcome: 'ok' | 'tool_error' | 'upstream_error' | 'cancelled', seconds: number): void;
}

/** A call held for a person's decision, bound to exactly the call that asked for it. */
export interface ApprovalRequest {
  readonly id: string;
  readonly agent: string;
  readonly session: string;
  readonly tool: string;
  /** Hash of the exact arguments: a changed argument needs a new approval. */
  readonly argsHash: string;
  /** The policy version that required it: a changed policy needs a new approval. */
  readonly policyVersion: string;
  readonly rule: string;
  readonly reason: string;
  /** Redacted arguments, for the approver to see. */
  readonly args: unknown;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'denied' | 'expired' | 'used';
  readonly decidedBy: string | null;
  readonly note: string | null;
  readonly decidedAt: number | null;
}

export type ApprovalDecision = { readonly approve: boolean; readonly by: string; readonly note?: string | undefined };

/**
 * Pending approvals, shared by every replica. An approval is single-use: `consume` atomically turns an approved
 * request matching (agent, tool, argsHash, policyVersion) into `used`, so a retried call passes exactly once.
 */
export interface ApprovalStore {
  create(request: Omit<ApprovalRequest, 'status' | 'decidedBy' | 'note' | 'decidedAt'>): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  list(filter?: { status?: ApprovalRequest['status'] }): Promise<ApprovalRequest[]>;
  /** Decides a pending, unexpired request; undefined if there is none (already decided, expired or unknown). */
  decide(id: string, decision: ApprovalDecision, now: number): Promise<ApprovalRequest | undefined>;
  /** Finds an approved, unexpired, unused request for exactly this call and marks it used. */
  consume(match: { agent: string; tool: string; argsHash: string; policyVersion: string }, now: number): Promise<ApprovalRequest | undefined>;
  /** Calls `listener` when a request is decided (on any replica); returns an unsubscribe function. */
  onDecided(listener: (request: ApprovalRequest) => void): () => void;
  /**
   * Calls `listener` for each request filed on any replica, this one included (for live approval queues). Stores
   * that only one process uses need not implement it: the gateway announces its own requests.
   */
  onRequested?(listener: (request: ApprovalRequest) => void): () => void;
  close(): Promise<void>;
}

/**
 * Told when this process files or decides an approval (a webhook, a chat bot). Called after the store has the
 * change; must return at once and never throw, since it runs beside the held call, not inside its decision.
 */
export interface ApprovalEvents {
  requested(request: ApprovalRequest): void;
  decided(request: ApprovalRequest): void;
}

/** A server registered through the admin API or console (servers in the config file are not stored here). */
export interface RegisteredServer {
  readonly name: string;
  /** The server's config exactly as `ServerConfigSchema` accepted it (before `${VAR}` expansion). */
  readonly config: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Upstream servers added at run time, kept across restarts and shared by replicas (SQLite or PostgreSQL). `put`
 * inserts or replaces; `remove` is true when there was such a server.
 */
export interface ServerRegistry {
  list(): Promise<RegisteredServer[]>;
  get(name: string): Promise<RegisteredServer | undefined>;
  put(name: string, config: Record<string, unknown>, now: number): Promise<RegisteredServer>;
  remove(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** One saved version of the policy document, as text, with who saved it and why. */
export interface PolicyRevision {
  /** 1, 2, 3, … in the order saved. */
  readonly id: number;
  /** The policy's content version (the hash `compilePolicy` gives it). */
  readonly version: string;
  readonly text: string;
  readonly savedAt: number;
  readonly savedBy: string;
  readonly note: string | null;
}

/** Every policy saved through the admin API (and the one found at start-up), for history, diff and rollback. */
export interface PolicyHistory {
  append(revision: Omit<PolicyRevision, 'id'>): Promise<PolicyRevision>;
  /** Newest first, at most `limit` (default 100). */
  list(limit?: number): Promise<PolicyRevision[]>;
  get(id: number): Promise<PolicyRevision | undefined>;
  /** The newest revision, if any. */
  latest(): Promise<PolicyRevision | undefined>;
  close(): Promise<void>;
}
