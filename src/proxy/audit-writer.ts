import type { Logger } from 'pino';
import { assertAuditEntry } from '../core/audit/chain.js';
import type { AuditEntry } from '../core/audit/record.js';
import type { AuditSink } from '../core/audit/sink.js';

export interface AuditWriterOptions {
  sink: AuditSink;
  logger: Logger;
  /** How long a record may wait for company before a partial batch is written. Default 50 ms. */
  flushIntervalMs?: number;
  /** Entries per append (one transaction). Default 500. */
  maxBatch?: number;
  /** Pending records at which `overflowing` turns true and the gateway must deny calls. Default 100 000. */
  maxBuffer?: number;
  /** Backoff between retries while the sink fails: doubles from the first to the cap. Defaults 100 ms and 5000 ms. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Append attempts `close()` makes for what is still buffered before giving up. Default 5. */
  closeAttempts?: number;
}

/** Thrown by `record()` when even the hard ceiling is reached; see AuditWriter. */
export class AuditOverflowError extends Error {
  constructor(readonly pending: number) {
    super(`audit buffer full (${pending} records pending): the audit database has been unavailable too long`);
    this.name = 'AuditOverflowError';
  }
}

/** Thrown by `close()` when records could not be written before shutdown. */
export class AuditFlushError extends Error {
  constructor(readonly pending: number, options?: { cause: unknown }) {
    super(`${pending} audit records could not be written before shutdown`, options);
    this.name = 'AuditFlushError';
  }
}

function describeError(err: unknown): { message: string; code?: string } {
  // Only message and code: a driver error object can carry connection parameters, and nothing secret is logged.
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}

/**
 * Takes audit entries off the hot path: `record()` only validates and appends to an in-memory queue; batches go to
 * the sink on a timer or as soon as a batch is full.
 *
 * Nothing is lost while the database is briefly away: a failed batch stays at the head of the queue and is retried
 * with backoff; the outage is logged once when it starts and once when it ends; `healthy` and `pending` report it.
 *
 * Fail closed: when `pending` reaches `maxBuffer`, `overflowing` turns true and the gateway must deny every call
 * until it clears — a call that cannot be audited is not forwarded. Denials are still recorded, so the queue may
 * grow past `maxBuffer`, but only by the records of refused calls. As a last line against running out of memory
 * (which would lose the whole queue), `record()` throws AuditOverflowError at twice `maxBuffer`; that is loud — the
 * caller's catch denies — never a silent drop.
 *
 * On shutdown `close()` writes everything still queued (a bounded number of attempts) before closing the sink.
 */
export class AuditWriter {
  private readonly sink: AuditSink;
  private readonly log: Logger;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffer: number;
  private readonly hardLimit: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly closeAttempts: number;

  /** queue[head..] is pending; the written prefix is dropped lazily so removal is O(1). */
  private queue: AuditEntry[] = [];
  private head = 0;
  private enqueued = 0;
  private written = 0;

  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private kickScheduled = false;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  private outageStartedAt: number | undefined;
  private overflowLogged = false;
  private closing = false;

  constructor(options: AuditWriterOptions) {
    this.sink = options.sink;
    this.log = options.logger;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.maxBuffer = Math.max(1, options.maxBuffer ?? 100_000);
    this.hardLimit = this.maxBuffer * 2;
    this.retryInitialMs = options.retryInitialMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.closeAttempts = Math.max(1, options.closeAttempts ?? 5);
  }

  /** Records not yet confirmed written (including a batch in flight). */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** False from a failed append until the next one succeeds. */
  get healthy(): boolean {
    return this.outageStartedAt === undefined;
  }

  /** True while the gateway must refuse calls: too much is waiting to be audited. */
  get overflowing(): boolean {
    return this.pending >= this.maxBuffer;
  }

  /**
   * Queues one entry. Synchronous and cheap: no I/O happens here. Throws TypeError for a malformed entry,
   * AuditOverflowError at the hard ceiling, and Error after `close()`.
   */
  record(entry: AuditEntry): void {
    if (this.closing) throw new Error('audit writer is closed');
    assertAuditEntry(entry);
    if (this.pending >= this.hardLimit) throw new AuditOverflowError(this.pending);
    this.queue.push(entry);
    this.enqueued++;
    if (this.pending >= this.maxBuffer && !this.overflowLogged) {
      this.overflowLogged = true;
      this.log.error({ pending: this.pending, maxBuffer: this.maxBuffer }, 'audit buffer overflowing: calls are denied until it drains');
    }
    this.schedule();
  }

  /**
   * Writes everything queued so far. Rejects if the sink fails (the records stay queued and retries continue),
   * so a caller is never left waiting on an outage.
   */
  async flush(): Promise<void> {
    const target = this.enqueued;
    this.clearTimers();
    while (this.written < target) await this.drain();
  }

  /** Writes what is queued (up to `closeAttempts` tries), then closes the sink. Rejects with AuditFlushError if records remain. */
  async close(): Promise<void> {
    this.closing = true;
    let lastError: unknown;
    for (let attempt = 0; attempt < this.closeAttempts && this.pending > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt - 1)));
      try {
        await this.flush();
      } catch (err) {
        lastError = err;
      }
    }
    this.clearTimers();
    const remaining = this.pending;
    if (remaining > 0) this.log.error({ pending: remaining, err: describeError(lastError) }, 'audit records could not be written before shutdown');
    await this.sink.close();
    if (remaining > 0) throw new AuditFlushError(remaining, { cause: lastError });
  }

  private schedule(): void {
    if (this.inflight !== undefined || this.retryTimer !== undefined || this.closing) return;
    if (this.pending >= this.maxBatch) {
      if (this.kickScheduled) return;
      this.kickScheduled = true;
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      // Deferred, not inline: a synchronous driver (better-sqlite3) would otherwise write inside record().
      setImmediate(() => {
        this.kickScheduled = false;
        this.background();
      }).unref();
    } else if (this.timer === undefined && !this.kickScheduled) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.background();
      }, this.flushIntervalMs);
      // Timers never keep the process alive: shutdown is close()'s job.
      this.timer.unref();
    }
  }

  private background(): void {
    this.drain().catch(() => {
      // Already logged and a retry scheduled by drain().
    });
  }

  /** One drain at a time; callers share the one in flight. */
  private drain(): Promise<void> {
    this.inflight ??= this.writeAll().finally(() => {
      this.inflight = undefined;
      if (this.pending > 0 && this.healthy) this.schedule();
    });
    return this.inflight;
  }

  private async writeAll(): Promise<void> {
    while (this.pending > 0) {
      const batch = this.queue.slice(this.head, this.head + this.maxBatch);
      try {
        await this.sink.append(batch);
      } catch (err) {
        this.onFailure(err);
        throw err;
      }
      this.head += batch.length;
      this.written += batch.length;
      if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.onSuccess();
    }
  }

  private onFailure(err: unknown): void {
    this.failures++;
    if (this.outageStartedAt === undefined) {
      this.outageStartedAt = Date.now();
      this.log.error({ err: describeError(err), pending: this.pending }, 'audit sink unavailable: buffering records and retrying');
    } else {
      this.log.debug({ err: describeError(err), pending: this.pending, failures: this.failures }, 'audit sink still unavailable');
    }
    if (this.closing || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.background();
    }, this.backoff(this.failures - 1));
    this.retryTimer.unref();
  }

  private onSuccess(): void {
    if (this.outageStartedAt !== undefined) {
      this.log.info({ outageMs: Date.now() - this.outageStartedAt, pending: this.pending }, 'audit sink recovered');
      this.outageStartedAt = undefined;
    }
    this.failures = 0;
    if (this.overflowLogged && this.pending < this.maxBuffer) this.overflowLogged = false;
  }

  private backoff(failuresSoFar: number): number {
    return Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(failuresSoFar, 30));
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
  }
}
