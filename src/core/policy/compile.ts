import { createHash } from 'node:crypto';
import type { Decision, Quota, Visibility } from './decision.js';
import { compareGlobSpecificity, globToRegExp, isGlob } from './glob.js';
import type { Policy, RateLimit, ToolRule } from './schema.js';
import { compileConditions, conditionFires, explain, type CompiledCondition, type ConditionField } from '../conditions/index.js';
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
  /**
   * `agent` selects that agent's section of the policy, if it has one; `args` are the call's arguments, checked
   * against the rule's conditions (without them, a conditional rule cannot be satisfied and denies).
   */
  decide(tool: string, agent?: string, args?: unknown): Decision;
  visibility(tool: string, agent?: string): Visibility;
  effect(tool: string, agent?: string): PolicyEffect;
}

interface ConditionCheck {
  readonly field: ConditionField;
  readonly condition: CompiledCondition;
}

interface CompiledRule {
  readonly path: string;
  /** The decision when every argument condition lets the call through. */
  readonly decision: Decision;
  readonly effect: PolicyEffect;
  /** In order: `require`, `deny_if`, `require_approval_if`; the first that fires decides. */
  readonly checks: readonly ConditionCheck[];
  readonly reason: string | undefined;
  readonly source: ToolRule;
}

interface GlobRule<T> {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly value: T;
}

const CONDITION_FIELDS: readonly ConditionField[] = ['require', 'deny_if', 'require_approval_if'];

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

function holdFor(rule: ToolRule, path: string, reason: string): Extract<Decision, { kind: 'hold' }> {
  const askClient = rule.approval?.ask_client;
  return {
    kind: 'hold',
    rule: path,
    reason,
    timeoutMs: windowMs(rule.approval?.timeout ?? 120),
    wait: rule.approval?.wait ?? true,
    ...(askClient !== undefined ? { askClient } : {}),
    quotas: ruleQuotas(rule, path.replace(/\.require_approval_if$/, '')),
  };
}

function ruleDecision(key: string, rule: ToolRule, path: string): Decision {
  if (rule.action === 'require_approval') return holdFor(rule, path, rule.reason ?? `'${key}' needs a person's approval`);
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

/** The rules of one level: the global policy, or one agent's section layered over it. */
interface Scope {
  readonly exact: Map<string, CompiledRule>;
  readonly globs: readonly GlobRule<CompiledRule>[];
  readonly hiddenExact: ReadonlySet<string>;
  readonly hiddenGlobs: readonly GlobRule<number>[];
  readonly default: { readonly value: 'allow' | 'deny'; readonly path: string } | undefined;
  readonly sharedQuotas: readonly Quota[];
}

function compileScope(section: Pick<Policy, 'tools' | 'hide' | 'all_tools'> & { default?: 'allow' | 'deny' | undefined }, prefix: readonly string[]): Scope {
  const exact = new Map<string, CompiledRule>();
  const globEntries: [string, CompiledRule][] = [];
  for (const [key, rule] of Object.entries(section.tools)) {
    const path = formatPath([...prefix, 'tools', key]).slice(2);
    const checks = CONDITION_FIELDS.flatMap((field) => {
      const list = rule[field];
      return list === undefined ? [] : [{ field, condition: compileConditions(list) }];
    });
    const compiled = { path, decision: ruleDecision(key, rule, path), effect: ruleEffect(rule), checks, reason: rule.reason, source: rule };
    if (isGlob(key)) globEntries.push([key, compiled]);
    else exact.set(key, compiled);
  }
  const limitsPath = formatPath([...prefix, 'all_tools', 'limits']).slice(2);
  return {
    exact,
    globs: compileGlobs(globEntries),
    hiddenExact: new Set(section.hide.filter((p) => !isGlob(p))),
    hiddenGlobs: compileGlobs(section.hide.map((p, i) => [p, i] as [string, number])),
    default: section.default === undefined ? undefined : { value: section.default, path: formatPath([...prefix, 'default']).slice(2) },
    sharedQuotas: (section.all_tools?.limits ?? []).map((limit, i) => quota(`${limitsPath}[${i}]`, limit, false)),
  };
}

/** Everything about a tool that does not depend on one call's arguments, worked out once per (agent, tool). */
interface Resolution {
  readonly hidden: boolean;
  readonly decision: Decision;
  readonly effect: PolicyEffect;
  readonly byDefault: boolean;
  /** The rule's argument conditions, checked per call; empty for most rules. */
  readonly checks: readonly ConditionCheck[];
  readonly reason: string | undefined;
  readonly rule: ToolRule;
}

const FIRED: Record<ConditionField, string> = {
  require: 'a required condition does not hold',
  deny_if: 'a deny_if condition matched',
  require_approval_if: "the call needs a person's approval",
};

/** A rule's conditions against one call's arguments: the first that fires denies, naming what it found. */
function checkArguments(resolution: Resolution, args: unknown): Decision {
  const { decision } = resolution;
  if (decision.kind !== 'allow') return decision;
  for (const { field, condition } of resolution.checks) {
    const { verdict, because } = explain(condition, args);
    if (!conditionFires(field, verdict)) continue;
    const what = resolution.reason ?? FIRED[field];
    if (field === 'require_approval_if') return { ...holdFor(resolution.rule, `${decision.rule}.${field}`, `${what} (${because})`), quotas: decision.quotas };
    return { kind: 'deny', rule: `${decision.rule}.${field}`, reason: `${what} (${because})` };
  }
  return decision;
}

/** Resolutions are memoised; the cap bounds memory against made-up tool and agent names. */
const MEMO_LIMIT = 10_000;

function withQuotas(decision: Decision, quotas: readonly Quota[]): Decision {
  return (decision.kind === 'allow' || decision.kind === 'hold') && quotas.length > 0 ? { ...decision, quotas: [...decision.quotas, ...quotas] } : decision;
}

export function compilePolicy(policy: Policy, options: CompileOptions): CompiledPolicy {
  const version = createHash('sha256').update(canonicalJson(policy)).digest('hex').slice(0, 16);
  const global = compileScope(policy, []);
  const agents = new Map(Object.entries(policy.agents).map(([name, section]) => [name, compileScope(section, ['agents', name])]));

  const resolve = (tool: string, agent: string | undefined): Resolution => {
    const own = agent === undefined ? undefined : agents.get(agent);
    const scopes = own ? [own, global] : [global];
    // An exact `tools` entry is an explicit choice about that tool, so it outranks a hide glob such as `"*"`
    // (PolicyLayer's "hide everything not named"); an exact `hide` entry always hides.
    const named = scopes.some((s) => s.exact.has(tool));
    const hidden = scopes.some((s) => s.hiddenExact.has(tool) || (!named && s.hiddenGlobs.some((g) => g.regex.test(tool))));
    const shared = scopes.flatMap((s) => s.sharedQuotas);
    for (const scope of scopes) {
      const rule = scope.exact.get(tool) ?? scope.globs.find((g) => g.regex.test(tool))?.value;
      if (rule) {
        const effect = rule.effect === 'allow' && shared.length > 0 ? 'limit' : rule.effect;
        return { hidden, decision: withQuotas(rule.decision, shared), effect: hidden ? 'hidden' : effect, byDefault: false, checks: rule.checks, reason: rule.reason, rule: rule.source };
      }
    }
    const fallback = own?.default ?? { value: policy.default, path: 'default' };
    const decision: Decision =
      fallback.value === 'allow'
        ? withQuotas({ kind: 'allow', rule: fallback.path, quotas: [] }, shared)
        : { kind: 'deny', rule: fallback.path, reason: `'${tool}' has no rule in the policy and the default is deny` };
    const effect: PolicyEffect = hidden ? 'hidden' : decision.kind === 'deny' ? 'deny' : shared.length > 0 ? 'limit' : 'allow';
    return { hidden, decision, effect, byDefault: true, checks: [], reason: undefined, rule: {} };
  };
  const memo = new Map<string, Resolution>();
  const resolution = (tool: string, agent: string | undefined): Resolution => {
    const key = agent === undefined ? tool : `${agent}\u0000${tool}`;
    let found = memo.get(key);
    if (found === undefined) {
      found = resolve(tool, agent);
      if (memo.size < MEMO_LIMIT) memo.set(key, found);
    }
    return found;
  };

  return {
    version,
    source: policy,
    decide(tool, agent, args) {
      const r = resolution(tool, agent);
      return r.checks.length === 0 ? r.decision : checkArguments(r, args);
    },
    visibility(tool, agent) {
      const r = resolution(tool, agent);
      if (r.hidden) return 'hidden';
      return r.byDefault && r.decision.kind === 'deny' && options.hideDefaultDenied ? 'unlisted' : 'listed';
    },
    effect: (tool, agent) => resolution(tool, agent).effect,
  };
}
