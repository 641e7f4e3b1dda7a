/**
 * The worker-thread side of ThreadedSqliteAuditSink: one SqliteAuditSink on this thread, answering the main
 * thread's requests one at a time. Started only by audit-sink-thread.ts, never imported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditEntry } from '../../../core/audit/record.js';
import type { AuditQuery } from '../../../core/audit/sink.js';
import { SqliteAuditSink, type SqliteAuditSinkOptions } from './audit-sink.js';

export interface AuditWorkerData {
  path: string;
  options: SqliteAuditSinkOptions;
}

/** What the main thread asks for: one AuditSink method and its argument. */
export type AuditWorkerCall = { op: 'append'; entries: readonly AuditEntry[] } | { op: 'query'; query: AuditQuery } | { op: 'verify' } | { op: 'close' };

export type AuditWorkerRequest = AuditWorkerCall & { id: number };

/** An error as it crosses threads: structured clone keeps only message and the built-in types, not name or code. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type AuditWorkerReply =
  | { kind: 'ready' }
  | { kind: 'open-failed'; error: WireError }
  | { kind: 'done'; id: number; value: unknown }
  | { kind: 'threw'; id: number; error: WireError };

function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, message: error.message, code } : { name: error.name, message: error.message };
}

function perform(sink: SqliteAuditSink, request: AuditWorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'append':
      return sink.append(request.entries);
    case 'query':
      return sink.query(request.query);
    case 'verify':
      return sink.verify();
    case 'close':
      return sink.close();
  }
}

function serve(port: NonNullable<typeof parentPort>, data: AuditWorkerData): void {
  let sink: SqliteAuditSink;
  try {
    sink = new SqliteAuditSink(data.path, data.options);
  } catch (error) {
    // No message listener is attached, so the thread ends by itself once this reply is out.
    port.postMessage({ kind: 'open-failed', error: toWireError(error) } satisfies AuditWorkerReply);
    return;
  }
  // One request at a time, in arrival order: close must never overtake an append still being written.
  let previous: Promise<unknown> = Promise.resolve();
  port.on('message', (request: AuditWorkerRequest) => {
    previous = previous.then(async () => {
      let reply: AuditWorkerReply;
      try {
        reply = { kind: 'done', id: request.id, value: await perform(sink, request) };
      } catch (error) {
        reply = { kind: 'threw', id: request.id, error: toWireError(error) };
      }
      try {
        port.postMessage(reply);
      } catch (error) {
        // A value that cannot be cloned still gets its request an answer, or the caller would wait forever.
        port.postMessage({ kind: 'threw', id: request.id, error: toWireError(error) } satisfies AuditWorkerReply);
      }
    });
  });
  port.postMessage({ kind: 'ready' } satisfies AuditWorkerReply);
}

if (parentPort === null) throw new Error('audit-sink-worker.js runs only as a worker thread');
serve(parentPort, workerData as AuditWorkerData);
