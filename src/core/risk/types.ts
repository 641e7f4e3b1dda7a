export type RiskCategory = 'Read' | 'Write' | 'Execute' | 'Destructive' | 'Financial' | 'Other';
export type RiskLevel = 'Low' | 'Medium' | 'High' | 'Critical';

/** A tool definition as a server advertises it; every field except the name may be missing or malformed. */
export interface ToolDefinitionInput {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema?: unknown;
  annotations?: unknown;
  server?: string | undefined;
}

export type RiskSignalSource = 'name' | 'description' | 'schema' | 'annotation' | 'override';

export interface RiskSignal {
  source: RiskSignalSource;
  category: RiskCategory;
  weight: number;
  evidence: string;
}

export interface RiskAssessment {
  category: RiskCategory;
  level: RiskLevel;
  confidence: number;
  rationale: string;
  signals: RiskSignal[];
}

export interface ClassifyOptions {
  /** Prefixes a gateway adds when it namespaces tools, e.g. `github__`; stripped before tokenising. */
  serverPrefixes?: readonly string[];
  override?: { category?: RiskCategory; level?: RiskLevel } | undefined;
}

export interface AttackPatternReference {
  title: string;
  url: string;
}

export interface AttackPattern {
  id: string;
  title: string;
  summary: string;
  reference: AttackPatternReference;
}

export const RISK_CATEGORIES: readonly RiskCategory[] = ['Read', 'Write', 'Execute', 'Destructive', 'Financial', 'Other'];
export const RISK_LEVELS: readonly RiskLevel[] = ['Low', 'Medium', 'High', 'Critical'];

export const DEFAULT_LEVEL: Record<RiskCategory, RiskLevel> = {
  Read: 'Low',
  Write: 'Medium',
  Execute: 'High',
  Destructive: 'Critical',
  Financial: 'Critical',
  Other: 'Medium',
};
