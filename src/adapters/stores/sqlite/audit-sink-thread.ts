import { Worker } from 'node:worker_threads';
import type { ChainVerification } from '../../../core/audit/chain.js';
import type { AuditEntry, AuditRecord } from '../../../core/audit/record.js';
import type { AuditQuery, AuditSink } from '../../../core/audit/sink.js';
import type { SqliteAuditSinkOptions } from './audit-sink.js';
import type { AuditWorkerCall, AuditWorkerData, AuditWorkerReply, AuditWorkerRequest, WireError } from './audit-sink-worker.js';

// Resolved next to this file, so it works from dist/ where both are compiled.
const WORKER_URL = new URL('./audit-sink-worker.js', import.meta.url);

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function fromWireError(wire: WireError): Error {
  // TypeError is kept: it is how a store says an entry is malformed (assertAuditEntry), not that it is unavailable.
  const error = wire.name === 'TypeError' ? new TypeError(wire.message) : new Error(wire.message);
  error.name = wire.name;
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  return error;
}

/**
 * One worker thread and the requests waiting on it. Once the thread has exited, for whatever reason, every waiting
 * request has been rejected and the object is never used again.
 *
 * The thread holds the process open only while something waits on it: an idle sink someone forgot to close must not
 * keep a CLI command or a test run from ending (shutdown is close()'s job, as for the AuditWriter's timers).
 */
class AuditThread {
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private lastId = 0;
  private starting: Waiter | undefined;
  private crash: Error | undefined;
  private stopped: Error | undefined;

  constructor(data: AuditWorkerData) {
    this.worker = new Worker(WORKER_URL, { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.starting = { resolve: () => resolve(), reject };
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.onExit(code);
        resolve();
      });
    });
    this.worker.on('message', (reply: AuditWorkerReply) => this.onReply(reply));
    // Without a listener an uncaught error in the thread would be rethrown here and crash the gateway.
    this.worker.on('error', (error) => {
      this.crash = error;
    });
  }

  request(call: AuditWorkerCall): Promise<unknown> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped);
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...call, id } satisfies AuditWorkerRequest);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
    });
  }

  /** Closes the database, then waits for the thread to end; the thread ends even if closing failed. */
  async close(): Promise<void> {
    if (this.stopped !== undefined) return;
    try {
      await this.request({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  private onReply(reply: AuditWorkerReply): void {
    if (reply.kind === 'ready' || reply.kind === 'open-failed') {
      if (reply.kind === 'ready') this.starting?.resolve(undefined);
      else this.starting?.reject(fromWireError(reply.error));
      this.starting = undefined;
    } else {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.kind === 'done') waiter?.resolve(reply.value);
      else waiter?.reject(fromWireError(reply.error));
    }
    if (this.starting === undefined && this.waiting.size === 0) this.worker.unref();
  }

  private onExit(code: number): void {
    const why = this.crash === undefined ? '' : `: ${this.crash.message}`;
    const error = new Error(`the audit worker thread stopped (exit code ${code})${why}`);
    this.stopped = error;
    this.starting?.reject(error);
    this.starting = undefined;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/**
 * The SQLite audit sink on a worker thread of its own. better-sqlite3 is synchronous, so on the gateway's main
 * thread every batch cost its inserts, the chain hashing and the synchronous=FULL fsync, with the event loop stopped
 * for milliseconds; here the main thread only copies each batch into a message, and a spare core does the rest.
 * The worker runs the unchanged SqliteAuditSink, so the chain and the file are exactly the same.
 *
 * Fail closed, nothing lost: an operation the worker fails rejects with the worker's error; if the thread dies,
 * every operation waiting on it rejects, and the next operation starts a fresh thread on the same file, which
 * continues the chain from the database. The AuditWriter's retry then writes the failed batch again; if that batch
 * had in fact been committed before the thread died, it is written twice, as AuditSink's at-least-once allows.
 */
export class ThreadedSqliteAuditSink implements AuditSink {
  private current: Promise<AuditThread> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly data: AuditWorkerData) {}

  /** Resolves once the worker has opened the database: a bad path or table name fails here, at startup. */
  static async create(path: string, options: SqliteAuditSinkOptions = {}): Promise<ThreadedSqliteAuditSink> {
    // A fresh thread would open an empty database and silently start a new chain.
    if (path === ':memory:') throw new Error('an in-memory audit database dies with its worker thread: use SqliteAuditSink for ":memory:"');
    const sink = new ThreadedSqliteAuditSink({ path, options });
    await sink.thread();
    return sink;
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await (await this.thread()).request({ op: 'append', entries });
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    return (await (await this.thread()).request({ op: 'query', query: q })) as AuditRecord[];
  }

  async verify(): Promise<ChainVerification> {
    return (await (await this.thread()).request({ op: 'verify' })) as ChainVerification;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const thread = await this.current?.catch(() => undefined);
      this.current = undefined;
      await thread?.close();
    })();
    return this.closing;
  }

  /** The running thread, or a new one when there is none (never started, failed to start, or died). */
  private thread(): Promise<AuditThread> {
    if (this.closing !== undefined) return Promise.reject(new Error('the audit sink is closed'));
    if (this.current === undefined) {
      const thread = new AuditThread(this.data);
      const started = thread.ready.then(() => thread);
      this.current = started;
      void thread.exited.then(() => {
        if (this.current === started) this.current = undefined;
      });
    }
    return this.current;
  }
}
