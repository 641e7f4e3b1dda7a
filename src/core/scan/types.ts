/**
 * Vocabulary of the definition scanner: severities, findings and the tool shape it reads.
 * Kept free of any detector so that policy code can import it without pulling the regex tables.
 */

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Ascending: an index comparison is a severity comparison. */
export const SEVERITY_ORDER: readonly Severity[] = Object.freeze(['low', 'medium', 'high', 'critical'] as const);

const RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

/** True when `s` is at or above `threshold` (the `block_findings: 'high'` comparison). */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] >= RANK[threshold];
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

export type FindingId =
  | 'hidden-instruction-tag'
  | 'ignore-previous'
  | 'conceal-from-user'
  | 'sensitive-file-request'
  | 'invisible-unicode'
  | 'bidi-control'
  | 'unicode-tag-chars'
  | 'encoded-blob'
  | 'cross-tool-reference'
  | 'name-lookalike'
  | 'name-collision'
  | 'scan-truncated'
  | 'scan-error';

export interface Finding {
  /** Stable identifier, safe to match in policy and dashboards. */
  id: FindingId | (string & {});
  severity: Severity;
  /** Human-readable, stable per id (details belong in `evidence`). */
  title: string;
  /** The matched text, at most 120 characters, invisible characters shown as \u{...}. */
  evidence: string;
  /** Where in the definition: 'description', 'inputSchema.properties.path.description', 'name', … */
  location: string;
}

export interface ScannedTool {
  server: string;
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema?: unknown;
  annotations?: unknown;
}

export interface ToolRef {
  server: string;
  name: string;
}

export interface ScanContext {
  /** Tools of the whole catalog; those of `tool.server` itself are ignored by the cross-server checks. */
  otherTools: readonly ToolRef[];
}

export function highestSeverity(findings: readonly Finding[]): Severity | undefined {
  let best: Severity | undefined;
  for (const f of findings) {
    if (best === undefined || RANK[f.severity] > RANK[best]) best = f.severity;
  }
  return best;
}
