import { windowMs } from '../policy/index.js';
import { AUDIT_DECISIONS, type AuditDecision, type AuditRecord } from './record.js';
import type { AuditQuery, AuditSink } from './sink.js';

/** Filters as people type them (CLI flags, API query strings); times are ISO dates, durations back from now, or ms. */
export interface AuditFilterText {
  agent?: string | undefined;
  tool?: string | undefined;
  decision?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** `2026-11-25T10:00:00Z`, a duration back from now such as `15m`, `2h`, `7d`, or milliseconds since the epoch. */
export function parseTime(text: string, now: number): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const ago = windowMs(text);
  if (Number.isFinite(ago)) return now - ago;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`cannot read the time ${JSON.stringify(text)}: use an ISO date or a duration like 15m, 2h, 7d`);
  return at;
}

export function auditFilter(opts: AuditFilterText, now: number): AuditQuery {
  if (opts.decision !== undefined && !AUDIT_DECISIONS.includes(opts.decision as AuditDecision)) {
    throw new Error(`decision must be one of ${AUDIT_DECISIONS.join(', ')}`);
  }
  return {
    ...(opts.agent ? { agent: opts.agent } : {}),
    ...(opts.tool ? { tool: opts.tool } : {}),
    ...(opts.decision ? { decision: opts.decision as AuditDecision } : {}),
    ...(opts.since ? { since: parseTime(opts.since, now) } : {}),
    ...(opts.until ? { until: parseTime(opts.until, now) } : {}),
  };
}

/** Every matching record, page by page, so exports are not capped by the query limit. */
export async function* allRecords(sink: AuditSink, filter: AuditQuery): AsyncGenerator<AuditRecord> {
  let afterSeq = filter.afterSeq ?? 0;
  for (;;) {
    const page = await sink.query({ ...filter, afterSeq, limit: 5000 });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < 5000) return;
    afterSeq = last.seq;
  }
}

const CSV_COLUMNS = ['seq', 'time', 'agent', 'session', 'server', 'tool', 'decision', 'rule', 'reason', 'argsHash', 'args', 'latencyMs', 'outcome', 'policyVersion', 'hash'] as const;

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(record: AuditRecord): string {
  return CSV_COLUMNS.map((column) => csvField(column === 'time' ? new Date(record.time).toISOString() : record[column])).join(',');
}

export const CSV_HEADER = CSV_COLUMNS.join(',');

export function jsonLine(record: AuditRecord): string {
  return JSON.stringify({ ...record, time: new Date(record.time).toISOString() });
}

