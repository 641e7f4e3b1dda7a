import { createHash } from 'node:crypto';
import type { Decision, Quota, Visibility } from './decision.js';
import { compareGlobSpecificity, globToRegExp, isGlob } from './glob.js';
import type { Policy, RateLimit, ToolRule } from './schema.js';
import { canonicalJson } from '../canonical-json.js';
import { formatPath } from '../validation.js';

export interface CompileOptions {
  /** product.md §2: tools denied only by `default: "deny"` are left out of tools/list unless this is false. */
  readonly hideDefaultDenied: boolean;
}

/** What a policy does with a tool, for people reading a catalog (independent of any one call's arguments). */
export type PolicyEffect = 'allow' | 'deny' | 'limit' | 'approval' | 'conditional' | 'hidden';

export interface CompiledPolicy {
  /** A content hash: two loads of the same policy have the same version. */
  readonly version: string;
  readonly source: Policy;
  decide(tool: string): Decision;
  visibility(tool: string): Visibility;
  effect(tool: string): PolicyEffect;
}

interface CompiledRule {
  readonly path: string;
  readonly decision: Decision;
  readonly effect: PolicyEffect;
}

interface GlobRule<T> {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly value: T;
}

/** Rule fields the gateway accepts but does not enforce yet; a rule using one denies rather than pass unchecked. */
const DEFERRED_FIELDS = ['require', 'deny_if', 'require_approval_if'] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function windowMs(window: RateLimit['window']): number {
  if (typeof window === 'number') return window * 1000;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(window);
  return match ? Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000) : Number.NaN;
}

function quota(id: string, limit: RateLimit, perTool: boolean): Quota {
  return { id, max: limit.max, windowMs: windowMs(limit.window), scope: limit.scope ?? 'session', perTool };
}

function ruleQuotas(rule: ToolRule, path: string): Quota[] {
  return [
    ...(rule.rate_limit ? [quota(`${path}.rate_limit`, rule.rate_limit, true)] : []),
    ...(rule.limits ?? []).map((limit, i) => quota(`${path}.limits[${i}]`, limit, true)),
  ];
}

function unenforcedFeatures(rule: ToolRule): string[] {
  const features: string[] = DEFERRED_FIELDS.filter((field) => rule[field] !== undefined);
  if (rule.action === 'require_approval') features.push('action "require_approval"');
  return features;
}

function ruleDecision(key: string, rule: ToolRule, path: string): Decision {
  const deferred = unenforcedFeatures(rule);
  if (deferred.length > 0) {
    return {
      kind: 'deny',
      rule: path,
      reason: `the rule uses ${deferred.join(', ')}, which this gateway version cannot enforce yet, so the call is denied rather than let through unchecked`,
    };
  }
  if (rule.action === 'deny') {
    return { kind: 'deny', rule: path, reason: rule.reason ?? `the policy denies '${key}'` };
  }
  return { kind: 'allow', rule: path, quotas: ruleQuotas(rule, path) };
}

function ruleEffect(rule: ToolRule): PolicyEffect {
  if (rule.action === 'deny') return 'deny';
  if (rule.action === 'require_approval' || rule.require_approval_if !== undefined) return 'approval';
  if (rule.deny_if !== undefined || rule.require !== undefined) return 'conditional';
  if (rule.rate_limit !== undefined || rule.limits !== undefined) return 'limit';
  return 'allow';
}

function compileGlobs<T>(entries: Iterable<[string, T]>): GlobRule<T>[] {
  return [...entries]
    .filter(([pattern]) => isGlob(pattern))
    .sort(([a], [b]) => compareGlobSpecificity(a, b))
    .map(([pattern, value]) => ({ pattern, regex: globToRegExp(pattern), value }));
}

/** Decisions depend only on the tool name, so they are memoised; the cap bounds memory against made-up names. */
const MEMO_LIMIT = 10_000;

export function compilePolicy(policy: Policy, options: CompileOptions): CompiledPolicy {
  const version = createHash('sha256').update(canonicalJson(policy)).digest('hex').slice(0, 16);
  const exact = new Map<string, CompiledRule>();
  const globEntries: [string, CompiledRule][] = [];
  for (const [key, rule] of Object.entries(policy.tools)) {
    const path = formatPath(['tools', key]).slice(2);
    const compiled = { path, decision: ruleDecision(key, rule, path), effect: ruleEffect(rule) };
    if (isGlob(key)) globEntries.push([key, compiled]);
    else exact.set(key, compiled);
  }
  const globs = compileGlobs(globEntries);
  const hiddenExact = new Set(policy.hide.filter((p) => !isGlob(p)));
  const hiddenGlobs = compileGlobs(policy.hide.map((p, i) => [p, i] as [string, number]));
  const sharedQuotas = (policy.all_tools?.limits ?? []).map((limit, i) => quota(`all_tools.limits[${i}]`, limit, false));

  const findRule = (tool: string): CompiledRule | undefined => exact.get(tool) ?? globs.find((g) => g.regex.test(tool))?.value;
  const resolveRule = (tool: string): Decision => {
    const rule = findRule(tool);
    if (rule) return rule.decision;
    return policy.default === 'allow'
      ? { kind: 'allow', rule: 'default', quotas: [] }
      : { kind: 'deny', rule: 'default', reason: `'${tool}' has no rule in the policy and the default is deny` };
  };
  // Quotas across every tool apply to every allowed call, on top of the rule's own.
  const resolve = (tool: string): Decision => {
    const decision = resolveRule(tool);
    return decision.kind === 'allow' && sharedQuotas.length > 0 ? { ...decision, quotas: [...decision.quotas, ...sharedQuotas] } : decision;
  };
  const memo = new Map<string, Decision>();
  const decide = (tool: string): Decision => {
    let decision = memo.get(tool);
    if (decision === undefined) {
      decision = resolve(tool);
      if (memo.size < MEMO_LIMIT) memo.set(tool, decision);
    }
    return decision;
  };
  // An exact `tools` entry is an explicit choice about that tool, so it outranks a hide glob such as `"*"`
  // (PolicyLayer's "hide everything not named"); an exact `hide` entry always hides.
  const isHidden = (tool: string): boolean =>
    hiddenExact.has(tool) || (!exact.has(tool) && hiddenGlobs.some((g) => g.regex.test(tool)));

  return {
    version,
    source: policy,
    decide,
    visibility(tool) {
      if (isHidden(tool)) return 'hidden';
      const decision = resolveRule(tool);
      return decision.kind === 'deny' && decision.rule === 'default' && options.hideDefaultDenied ? 'unlisted' : 'listed';
    },
    effect(tool) {
      if (isHidden(tool)) return 'hidden';
      const effect = findRule(tool)?.effect ?? (policy.default === 'allow' ? 'allow' : 'deny');
      return effect === 'allow' && sharedQuotas.length > 0 ? 'limit' : effect;
    },
  };
}
