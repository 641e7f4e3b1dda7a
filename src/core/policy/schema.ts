import { z } from 'zod';
import { conditionListSchema } from '../conditions/index.js';

/**
 * The policy file format (product.md §2). Objects are strict so that a typo such as `"acton"` is a load
 * error with a path rather than a silently ignored key — an ignored key in a security policy fails open.
 */
export const RuleActionSchema = z.enum(['allow', 'deny', 'require_approval']);

/** Seconds as a number, or a duration string such as "30s", "1m", "1h", "1d". */
export const WindowSchema = z.union([
  z.number().positive('a window must be more than 0 seconds'),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'expected seconds as a number or a duration like "30s", "1m", "1h", "1d"'),
]);

export const LimitScopeSchema = z.enum(['session', 'agent', 'global']);

/** At most `max` calls in any `window`, counted per agent session unless `scope` says otherwise. */
export const RateLimitSchema = z.strictObject({
  max: z.int().positive(),
  window: WindowSchema,
  scope: LimitScopeSchema.optional(),
});


export const ToolRuleSchema = z.strictObject({
  action: RuleActionSchema.optional(),
  reason: z.string().max(2000).optional(),
  rate_limit: RateLimitSchema.optional(),
  limits: z.array(RateLimitSchema).optional(),
  /**
   * How a held call waits: `timeout` (default 120 s), whether the agent's request stays open (`wait`), and whether
   * the agent's own user is asked through MCP elicitation (`ask_client`; unset follows `approvals.ask_client`).
   */
  approval: z
    .strictObject({
      timeout: WindowSchema.default(120),
      wait: z.boolean().default(true),
      ask_client: z.boolean().optional(),
    })
    .optional(),
  /** Conditions on the arguments that must hold (PolicyLayer's `require`), else the call is denied. */
  require: conditionListSchema.optional(),
  /** Conditions on the arguments that deny the call when they match (or cannot be checked). */
  deny_if: conditionListSchema.optional(),
  /** Conditions that hold the call for a person's approval when they match (or cannot be checked). */
  require_approval_if: conditionListSchema.optional(),
});

const AgentNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/, 'agent names use letters, digits and _ . @ -');

/** Rules for one agent, layered over the global ones: its own rules and default win where they say something. */
export const AgentPolicySchema = z.strictObject({
  default: z.enum(['allow', 'deny']).optional(),
  tools: z.record(z.string().min(1, 'a tool key cannot be empty'), ToolRuleSchema).default({}),
  hide: z.array(z.string().min(1)).default([]),
  all_tools: z.strictObject({ limits: z.array(RateLimitSchema).default([]) }).optional(),
});

export const PolicySchema = z.strictObject({
  version: z.literal('1', { error: 'expected "1", the only policy format version' }),
  default: z.enum(['allow', 'deny']),
  tools: z.record(z.string().min(1, 'a tool key cannot be empty'), ToolRuleSchema).default({}),
  hide: z.array(z.string().min(1)).default([]),
  /** Quotas over every tool together (PolicyLayer's `all_tools.limits`). */
  all_tools: z.strictObject({ limits: z.array(RateLimitSchema).default([]) }).optional(),
  /** Hold back tools whose definitions carry a poisoning/shadowing finding at or above this severity. */
  block_findings: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  /** Per-agent sections (see docs/policy.md): an agent's own rules and default win, global rules fill the gaps. */
  agents: z.record(AgentNameSchema, AgentPolicySchema).default({}),
});

export type RuleAction = z.infer<typeof RuleActionSchema>;
export type RateLimit = z.infer<typeof RateLimitSchema>;
export type LimitScope = z.infer<typeof LimitScopeSchema>;
export type ToolRule = z.infer<typeof ToolRuleSchema>;
export type Policy = z.infer<typeof PolicySchema>;
export type AgentPolicy = z.infer<typeof AgentPolicySchema>;
