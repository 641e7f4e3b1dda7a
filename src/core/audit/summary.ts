import { AUDIT_DECISIONS, type AuditDecision, type AuditEntry } from './record.js';

export type DecisionCounts = Record<AuditDecision, number>;

export interface AuditSummary {
  readonly totals: DecisionCounts;
  /** One bucket per `bucketMs`, oldest first, covering the whole window (empty buckets included). */
  readonly series: readonly ({ readonly t: number } & Pick<DecisionCounts, 'allow' | 'deny' | 'limit' | 'hold'>)[];
  /** Tools by calls (every decision counts), most called first. */
  readonly topTools: readonly { readonly tool: string; readonly calls: number; readonly denied: number }[];
}

const zeroCounts = (): DecisionCounts => Object.fromEntries(AUDIT_DECISIONS.map((d) => [d, 0])) as DecisionCounts;

/**
 * What the console's overview draws, from the audit trail of one window ending at `now`: the trail is the one
 * record every replica shares, so the chart survives restarts and covers the whole deployment.
 */
export function summarizeAudit(records: Iterable<Pick<AuditEntry, 'time' | 'tool' | 'decision'>>, window: { now: number; windowMs: number; bucketMs: number; top: number }): AuditSummary {
  const buckets = Math.ceil(window.windowMs / window.bucketMs);
  // Buckets end at the next bucket boundary after `now`, so the newest bucket is the current one.
  const end = Math.floor(window.now / window.bucketMs) * window.bucketMs + window.bucketMs;
  const start = end - buckets * window.bucketMs;
  const series = Array.from({ length: buckets }, (_, i) => ({ t: start + i * window.bucketMs, allow: 0, deny: 0, limit: 0, hold: 0 }));
  const totals = zeroCounts();
  const tools = new Map<string, { tool: string; calls: number; denied: number }>();
  for (const record of records) {
    if (record.time < start || record.time >= end) continue;
    totals[record.decision]++;
    const bucket = series[Math.floor((record.time - start) / window.bucketMs)];
    if (bucket && (record.decision === 'allow' || record.decision === 'deny' || record.decision === 'limit' || record.decision === 'hold')) bucket[record.decision]++;
    let tool = tools.get(record.tool);
    if (!tool) tools.set(record.tool, (tool = { tool: record.tool, calls: 0, denied: 0 }));
    tool.calls++;
    if (record.decision === 'deny' || record.decision === 'limit' || record.decision === 'rejected') tool.denied++;
  }
  const topTools = [...tools.values()].sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool)).slice(0, window.top);
  return { totals, series, topTools };
}
