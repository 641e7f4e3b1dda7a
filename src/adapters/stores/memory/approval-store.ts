import { systemClock, type ApprovalDecision, type ApprovalRequest, type ApprovalStore, type Clock } from '../../../ports.js';

type Listener = (request: ApprovalRequest) => void;

/** What is kept per request: the stored status never says 'expired', that is derived from the clock when read. */
interface Entry {
  readonly request: Omit<ApprovalRequest, 'args' | 'status'>;
  /** JSON text, so a caller mutating the object it passed (or got back) cannot change what the approver sees. */
  readonly args: string;
  readonly status: 'pending' | 'approved' | 'denied' | 'used';
}

export interface MemoryApprovalStoreOptions {
  /**
   * How long a request stays listed after it expires (or, once decided, after its original expiry). Requests are
   * forgotten after that, so a long-running gateway does not keep every approval it ever held. Default 24 h, the
   * same margin the Redis store gives its keys.
   */
  readonly retentionMs?: number;
}

const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Approvals held in this process: for a single gateway, not shared between replicas (use the Redis store for that)
 * and lost on restart (use SQLite to keep them). Every operation is synchronous underneath, so decide and consume are
 * atomic with respect to each other without locks.
 */
export class MemoryApprovalStore implements ApprovalStore {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<Listener>();
  private readonly retentionMs: number;
  private closed = false;

  constructor(private readonly clock: Clock = systemClock, options: MemoryApprovalStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  create(request: Omit<ApprovalRequest, 'status' | 'decidedBy' | 'note' | 'decidedAt'>): Promise<ApprovalRequest> {
    return this.guard(() => {
      this.prune();
      if (this.entries.has(request.id)) throw new Error(`approval ${request.id} already exists`);
      const { args, ...rest } = request;
      const entry: Entry = {
        request: { ...rest, decidedBy: null, note: null, decidedAt: null },
        args: JSON.stringify(args) ?? 'null',
        status: 'pending',
      };
      this.entries.set(request.id, entry);
      return this.view(entry, this.clock.now());
    });
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return this.guard(() => {
      const entry = this.entries.get(id);
      return entry && this.view(entry, this.clock.now());
    });
  }

  list(filter: { status?: ApprovalRequest['status'] } = {}): Promise<ApprovalRequest[]> {
    return this.guard(() => {
      const now = this.clock.now();
      const all = [...this.entries.values()].map((e) => this.view(e, now));
      all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return filter.status === undefined ? all : all.filter((r) => r.status === filter.status);
    });
  }

  decide(id: string, decision: ApprovalDecision, now: number): Promise<ApprovalRequest | undefined> {
    return this.guard(() => {
      const entry = this.entries.get(id);
      if (!entry || entry.status !== 'pending' || entry.request.expiresAt <= now) return undefined;
      const decided: Entry = {
        request: { ...entry.request, decidedBy: decision.by, note: decision.note ?? null, decidedAt: now },
        args: entry.args,
        status: decision.approve ? 'approved' : 'denied',
      };
      this.entries.set(id, decided);
      // Each listener gets its own copy: one that mutates what it was given cannot affect the others.
      for (const listener of [...this.listeners]) notify(listener, this.view(decided, now));
      return this.view(decided, now);
    });
  }

  consume(match: { agent: string; tool: string; argsHash: string; policyVersion: string }, now: number): Promise<ApprovalRequest | undefined> {
    return this.guard(() => {
      let found: Entry | undefined;
      for (const entry of this.entries.values()) {
        const r = entry.request;
        if (entry.status !== 'approved' || r.expiresAt <= now) continue;
        if (r.agent !== match.agent || r.tool !== match.tool || r.argsHash !== match.argsHash || r.policyVersion !== match.policyVersion) continue;
        // The oldest approval goes first, as in the other stores, so which one a retry uses does not depend on the store.
        if (!found || r.createdAt < found.request.createdAt || (r.createdAt === found.request.createdAt && r.id < found.request.id)) found = entry;
      }
      if (!found) return undefined;
      const used: Entry = { ...found, status: 'used' };
      this.entries.set(found.request.id, used);
      return this.view(used, now);
    });
  }

  onDecided(listener: Listener): () => void {
    // A wrapper per subscription, so subscribing the same function twice yields two independent subscriptions.
    const subscription: Listener = (request) => listener(request);
    this.listeners.add(subscription);
    return () => {
      this.listeners.delete(subscription);
    };
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.entries.clear();
    return Promise.resolve();
  }

  private view(entry: Entry, now: number): ApprovalRequest {
    const status = entry.status === 'pending' && entry.request.expiresAt <= now ? 'expired' : entry.status;
    return { ...entry.request, args: JSON.parse(entry.args) as unknown, status };
  }

  /** Forgets requests past their expiry plus the retention margin; called on create, where the map grows. */
  private prune(): void {
    const cutoff = this.clock.now() - this.retentionMs;
    for (const [id, entry] of this.entries) if (entry.request.expiresAt <= cutoff) this.entries.delete(id);
  }

  private guard<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('approval store is closed'));
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
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
