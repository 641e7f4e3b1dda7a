import { z } from 'zod';
import { ClientConfigSchema } from '../../../config/client-config.js';
import { SERVER_NAME, SERVER_NAME_RULE, ServerConfigSchema } from '../../../config/schema.js';
import { AUDIT_DECISIONS, AUDIT_OUTCOMES } from '../../../core/audit/record.js';

/** Request and response shapes of the admin API: they validate requests and generate docs/openapi.json. */

export const ErrorSchema = z.object({
  error: z.object({ message: z.string(), path: z.string().optional(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }),
});

const Name = z.string().regex(SERVER_NAME, SERVER_NAME_RULE);
const Millis = z.number().int().describe('milliseconds since the epoch');
const Note = z.string().max(2000);
const By = z.string().min(1).max(200);

export const ServerNameParams = z.object({ name: Name });
export const ToolParams = z.object({ tool: z.string().min(1) });
export const IdParams = z.object({ id: z.string().min(1).max(200) });
export const RevisionParams = z.object({ id: z.coerce.number().int().positive() });

/** A server's config is validated in full by the server admin (env expansion included); here it need only be an object. */
const ServerConfigBody = z.record(z.string(), z.unknown()).describe('as a `servers.<name>` entry of gatehouse.yaml');
export const ServerConfigDoc = ServerConfigSchema;

export const RegisterServerBody = z.strictObject({ name: Name, config: ServerConfigBody });
export const UpdateServerBody = z.strictObject({ config: ServerConfigBody });
export const TestServerBody = z.strictObject({ config: ServerConfigBody });
export const ImportServersBody = ClientConfigSchema;

export const ServerViewSchema = z.object({
  name: z.string(),
  source: z.enum(['config', 'api']),
  transport: z.enum(['stdio', 'streamable-http', 'sse']),
  command: z.string().optional(),
  args: z.array(z.string()),
  url: z.string().optional(),
  envKeys: z.array(z.string()),
  headerKeys: z.array(z.string()),
  enabled: z.boolean(),
  status: z.enum(['connecting', 'ready', 'down', 'closed', 'disabled', 'invalid']),
  error: z.string().optional(),
  tools: z.number().int(),
});

export const TestResultSchema = z.union([
  z.object({ ok: z.literal(true), tools: z.array(z.string()), ms: z.number() }),
  z.object({ ok: z.literal(false), error: z.string(), ms: z.number() }),
]);

export const CatalogQuery = z.object({ server: z.string().optional(), risk: z.string().optional(), decision: z.string().optional() });

export const CatalogToolSchema = z.object({
  server: z.string(),
  name: z.string(),
  upstreamName: z.string(),
  category: z.enum(['Read', 'Write', 'Execute', 'Destructive', 'Financial', 'Other']),
  level: z.enum(['Low', 'Medium', 'High', 'Critical']),
  confidence: z.number(),
  rationale: z.string(),
  policy: z.enum(['allow', 'deny', 'limit', 'approval', 'conditional', 'hidden']),
  rule: z.string(),
  findings: z.array(z.unknown()),
  pin: z.string(),
  definitionHash: z.string(),
});

const PolicyDocument = z.record(z.string(), z.unknown()).describe('a policy.json document (see docs/policy.md)');
export const PolicyBody = z.strictObject({ policy: PolicyDocument });
export const PutPolicyBody = z.strictObject({ policy: PolicyDocument, note: Note.optional(), by: By.optional() });
export const RollbackBody = z.strictObject({ revision: z.number().int().positive(), by: By.optional() });
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

export const PolicyCheckSchema = z.union([
  z.object({
    valid: z.literal(true),
    version: z.string(),
    tools: z.array(z.object({ tool: z.string(), server: z.string(), effect: z.string(), rule: z.string() })),
    warnings: z.array(z.string()),
  }),
  z.object({ valid: z.literal(false), errors: z.array(z.object({ path: z.string(), message: z.string() })) }),
]);

export const RevisionSchema = z.object({ id: z.number().int(), version: z.string(), savedAt: Millis, savedBy: z.string(), note: z.string().nullable() });

export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'expired', 'used']);
export const ApprovalsQuery = z.object({ status: ApprovalStatus.optional() });
export const DecideBody = z.strictObject({ note: Note.optional(), by: By.optional() });
export const DecideParams = z.object({ id: z.string().min(1).max(200), verdict: z.enum(['approve', 'deny']) });

export const ApprovalSchema = z.object({
  id: z.string(),
  agent: z.string(),
  session: z.string(),
  tool: z.string(),
  argsHash: z.string(),
  policyVersion: z.string(),
  rule: z.string(),
  reason: z.string(),
  args: z.unknown(),
  createdAt: Millis,
  expiresAt: Millis,
  status: ApprovalStatus,
  decidedBy: z.string().nullable(),
  note: z.string().nullable(),
  decidedAt: Millis.nullable(),
  risk: z.object({ category: z.string(), level: z.string() }).optional(),
});

const TimeText = z.string().describe('an ISO date, a duration back from now (15m, 2h, 7d), or milliseconds since the epoch');
export const AuditQuerySchema = z.object({
  agent: z.string().optional(),
  tool: z.string().optional(),
  decision: z.enum(AUDIT_DECISIONS as [string, ...string[]]).optional(),
  since: TimeText.optional(),
  until: TimeText.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
});
export const AuditExportQuery = AuditQuerySchema.omit({ limit: true, afterSeq: true }).extend({ format: z.enum(['csv', 'jsonl']).default('jsonl') });

export const AuditRecordSchema = z.object({
  seq: z.number().int(),
  time: Millis,
  agent: z.string(),
  session: z.string(),
  server: z.string().nullable(),
  tool: z.string(),
  decision: z.enum(AUDIT_DECISIONS as [string, ...string[]]),
  rule: z.string().nullable(),
  reason: z.string().nullable(),
  argsHash: z.string(),
  args: z.unknown(),
  latencyMs: z.number().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES as [string, ...string[]]).nullable(),
  policyVersion: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});

export const AgentKeySchema = z.object({ id: z.string(), agent: z.string(), createdAt: Millis, revokedAt: Millis.nullable(), lastUsedAt: Millis.nullable() });
export const CreateKeyBody = z.strictObject({ agent: z.string().min(1).max(200) });

export const OverviewQuery = z.object({ window: z.enum(['1h', '24h']).default('1h') });
const Counts = z.object({ allow: z.number(), deny: z.number(), limit: z.number(), hold: z.number() });
export const OverviewSchema = z.object({
  policyVersion: z.string().nullable(),
  sessions: z.number().int(),
  upstreams: z.array(z.object({ name: z.string(), status: z.string(), error: z.string().optional(), tools: z.number().int() })),
  totals: Counts.extend({ approved: z.number(), rejected: z.number(), error: z.number() }),
  series: z.array(Counts.extend({ t: Millis })),
  topTools: z.array(z.object({ tool: z.string(), calls: z.number(), denied: z.number() })),
  pendingApprovals: z.number().int(),
  /** True when the window held more records than the overview reads; counts are then a lower bound. */
  truncated: z.boolean(),
});
