/** Shapes of the admin API's answers, as docs/admin-api.md describes them. */

export type Decision = 'allow' | 'deny' | 'limit' | 'hold' | 'approved' | 'rejected' | 'error';
export type PolicyEffect = 'allow' | 'deny' | 'limit' | 'approval' | 'conditional' | 'hidden';
export type RiskLevel = 'Low' | 'Medium' | 'High' | 'Critical';

export interface UpstreamHealth {
  name: string;
  status: string;
  error?: string;
  tools?: number;
}

export interface SeriesPoint {
  t: number;
  allow: number;
  deny: number;
  limit: number;
  hold: number;
}

export interface Overview {
  policyVersion: string | null;
  sessions: number;
  upstreams: UpstreamHealth[];
  totals: Record<Decision, number>;
  series: SeriesPoint[];
  topTools: { tool: string; calls: number; denied: number }[];
  pendingApprovals: number;
  /** The window held more records than were summed. */
  truncated?: boolean;
}

export interface ServerInfo {
  name: string;
  source: 'config' | 'api';
  transport: 'stdio' | 'streamable-http' | 'sse';
  command?: string;
  args: string[];
  url?: string;
  envKeys: string[];
  headerKeys: string[];
  enabled: boolean;
  status: 'connecting' | 'ready' | 'down' | 'closed' | 'disabled' | 'invalid';
  error?: string;
  tools: number | string[];
}

export interface CatalogTool {
  server: string;
  name: string;
  upstreamName: string;
  category: string;
  level: RiskLevel;
  confidence: number;
  rationale: string | string[];
  policy: PolicyEffect;
  rule: string;
  findings: { title?: string; severity?: string; detail?: string }[];
  pin: string;
  definitionHash: string;
}

export interface AttackPattern {
  id: string;
  title: string;
  summary: string;
  reference: { title: string; url: string };
}

export interface CatalogToolDetail extends CatalogTool {
  definition: Record<string, unknown>;
  signals: { source: string; category: string; weight: number; evidence: string }[];
  attackPatterns: AttackPattern[];
  recommendedRule: Record<string, unknown>;
}

export interface PolicyDocument {
  version: string;
  text: string;
  policy: Record<string, unknown>;
  revision: number | null;
}

export interface ValidationProblem {
  path: string;
  message: string;
}

export type Validation =
  | { valid: true; version: string; tools: { tool: string; server?: string; effect: string; rule: string }[]; warnings?: string[] }
  | { valid: false; errors: ValidationProblem[] };

export interface RevisionSummary {
  id: number;
  version: string;
  savedAt: number;
  savedBy: string;
  note: string | null;
  current: boolean;
}

export interface Revision extends Omit<RevisionSummary, 'current'> {
  text: string;
}

export interface Approval {
  id: string;
  agent: string;
  session: string;
  tool: string;
  argsHash: string;
  policyVersion: string;
  rule: string;
  reason: string;
  args: unknown;
  createdAt: number;
  expiresAt: number;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'used';
  decidedBy: string | null;
  note: string | null;
  decidedAt: number | null;
  risk?: { category: string; level: RiskLevel };
}

export interface AuditRecord {
  seq: number;
  time: number;
  agent: string;
  session: string;
  server: string | null;
  tool: string;
  decision: Decision;
  rule: string | null;
  reason: string | null;
  args: unknown;
  latencyMs: number | null;
  outcome: string | null;
  policyVersion: string | null;
}

export type AuditVerify = { ok: true; count: number } | { ok: false; seq: number; problem: string; detail?: string };
