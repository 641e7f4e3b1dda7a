import { z } from 'zod';
import { parseWith, type Parsed } from '../validation.js';
import { parsePath } from './path.js';
import { checkRegex } from './safe-regex.js';

/**
 * Argument conditions as written in a policy (`require`, `deny_if`, `require_approval_if`):
 *
 *   { "path": "amount", "op": "gt", "value": 10000 }
 *   { "field": "args.amount", "operator": "gt", "value": 10000 }      (PolicyLayer spelling, same meaning)
 *   { "all": [ … ] }  { "any": [ … ] }  { "not": { … } }
 *
 * Validation is hand-written inside one zod transform rather than built from z.union, because a union reports
 * "no branch matched" where a policy author needs "unknown operator at deny_if[2].op". Every problem is reported
 * at its exact path, relative to wherever the schema is mounted.
 */

export const CONDITION_OPERATORS = ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export type Scalar = string | number | boolean | null;

export type LeafCondition =
  | { readonly path: string; readonly op: 'eq' | 'neq' | 'contains'; readonly value: Scalar }
  | { readonly path: string; readonly op: 'in' | 'not_in'; readonly value: readonly Scalar[] }
  | { readonly path: string; readonly op: 'lt' | 'lte' | 'gt' | 'gte'; readonly value: number }
  | { readonly path: string; readonly op: 'regex'; readonly value: string; readonly flags?: string }
  | { readonly path: string; readonly op: 'exists'; readonly value: boolean };

export type Condition =
  | LeafCondition
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition };

/** A list means every condition must hold (an implicit `all`). */
export type ConditionList = readonly Condition[];

/** `{ all: [{ not: … }] }` is depth 3; a top-level list entry is depth 1. */
export const MAX_CONDITION_DEPTH = 8;
export const MAX_CONDITIONS_PER_LIST = 64;
export const MAX_IN_VALUES = 1000;

interface Issue {
  readonly path: PropertyKey[];
  readonly message: string;
}

const LEAF_KEYS = new Set(['path', 'field', 'op', 'operator', 'value', 'flags']);
const GROUP_KEYS = ['all', 'any', 'not'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function checkList(input: unknown, at: PropertyKey[], depth: number, issues: Issue[]): Condition[] | undefined {
  if (!Array.isArray(input)) {
    issues.push({ path: at, message: 'expected a list of conditions, e.g. [{ "path": "amount", "op": "gt", "value": 10000 }]' });
    return undefined;
  }
  if (input.length === 0) {
    // An empty list would be vacuously true: `deny_if: []` denying every call is never what was meant.
    issues.push({ path: at, message: 'a list of conditions cannot be empty' });
    return undefined;
  }
  if (input.length > MAX_CONDITIONS_PER_LIST) {
    issues.push({ path: at, message: `a list holds at most ${MAX_CONDITIONS_PER_LIST} conditions` });
    return undefined;
  }
  const out: Condition[] = [];
  input.forEach((item: unknown, i) => {
    const c = checkCondition(item, [...at, i], depth, issues);
    if (c !== undefined) out.push(c);
  });
  return out.length === input.length ? out : undefined;
}

function checkCondition(input: unknown, at: PropertyKey[], depth: number, issues: Issue[]): Condition | undefined {
  if (depth > MAX_CONDITION_DEPTH) {
    issues.push({ path: at, message: `conditions nest too deeply (at most ${MAX_CONDITION_DEPTH} levels of all/any/not)` });
    return undefined;
  }
  if (!isRecord(input)) {
    issues.push({ path: at, message: 'expected a condition such as { "path": "amount", "op": "gt", "value": 10000 } or a group { "all" | "any" | "not": … }' });
    return undefined;
  }
  const group = GROUP_KEYS.find((k) => hasOwn(input, k));
  if (group !== undefined) {
    const extra = Object.keys(input).filter((k) => k !== group);
    if (extra.length > 0) {
      issues.push({ path: [...at, extra[0] as string], message: `unknown field (${extra.map((k) => `"${k}"`).join(', ')}): a group has exactly one of "all", "any", "not"` });
      return undefined;
    }
    if (group === 'not') {
      const inner = checkCondition(input.not, [...at, 'not'], depth + 1, issues);
      return inner === undefined ? undefined : { not: inner };
    }
    const list = checkList(input[group], [...at, group], depth + 1, issues);
    if (list === undefined) return undefined;
    return group === 'all' ? { all: list } : { any: list };
  }
  return checkLeaf(input, at, issues);
}

function alias(input: Record<string, unknown>, at: PropertyKey[], main: string, alt: string, issues: Issue[]): { key: string; value: unknown } | undefined {
  const hasMain = hasOwn(input, main);
  const hasAlt = hasOwn(input, alt);
  if (hasMain && hasAlt) {
    issues.push({ path: [...at, alt], message: `give either "${main}" or "${alt}", not both` });
    return undefined;
  }
  if (!hasMain && !hasAlt) return { key: main, value: undefined };
  return hasMain ? { key: main, value: input[main] } : { key: alt, value: input[alt] };
}

function checkLeaf(input: Record<string, unknown>, at: PropertyKey[], issues: Issue[]): LeafCondition | undefined {
  const before = issues.length;
  const unknown = Object.keys(input).filter((k) => !LEAF_KEYS.has(k));
  if (unknown.length > 0) {
    issues.push({ path: [...at, unknown[0] as string], message: `unknown field (${unknown.map((k) => `"${k}"`).join(', ')}); a condition has path, op, value (and flags for regex), or is a group all/any/not` });
  }

  const pathField = alias(input, at, 'path', 'field', issues);
  let path: string | undefined;
  if (pathField !== undefined) {
    if (pathField.value === undefined) issues.push({ path: [...at, 'path'], message: 'required: a path into the arguments, e.g. "amount" or "args.items[0].price"' });
    else if (typeof pathField.value !== 'string') issues.push({ path: [...at, pathField.key], message: 'expected a string path, e.g. "amount" or "args.items[0].price"' });
    else {
      const parsed = parsePath(pathField.value);
      if (parsed.ok) path = pathField.value;
      else issues.push({ path: [...at, pathField.key], message: parsed.message });
    }
  }

  const opField = alias(input, at, 'op', 'operator', issues);
  if (opField === undefined) return undefined;
  const expected = `expected one of ${CONDITION_OPERATORS.join(', ')}`;
  if (opField.value === undefined) {
    issues.push({ path: [...at, 'op'], message: `required: an operator; ${expected}` });
    return undefined;
  }
  if (typeof opField.value !== 'string' || !(CONDITION_OPERATORS as readonly string[]).includes(opField.value)) {
    issues.push({ path: [...at, opField.key], message: `unknown operator ${JSON.stringify(opField.value)}; ${expected}` });
    return undefined;
  }
  const op = opField.value as ConditionOperator;
  const valueAt = [...at, 'value'];
  const has = hasOwn(input, 'value');
  const value = input.value;
  if (hasOwn(input, 'flags') && op !== 'regex') issues.push({ path: [...at, 'flags'], message: 'flags apply only to op "regex"' });

  let leaf: LeafCondition | undefined;
  if (op === 'exists') {
    if (has && typeof value !== 'boolean') issues.push({ path: valueAt, message: 'op "exists" takes true (must be present, the default) or false (must be absent)' });
    else if (path !== undefined) leaf = { path, op, value: has ? (value as boolean) : true };
  } else if (!has) {
    issues.push({ path: valueAt, message: `required: a value for op "${op}"` });
  } else if (op === 'eq' || op === 'neq' || op === 'contains') {
    if (!isScalar(value)) issues.push({ path: valueAt, message: `op "${op}" takes a string, number, boolean or null` });
    else if (path !== undefined) leaf = { path, op, value };
  } else if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) issues.push({ path: valueAt, message: `op "${op}" takes a list of values, e.g. ["a", "b"]` });
    else if (value.length === 0) issues.push({ path: valueAt, message: `op "${op}" needs at least one value` });
    else if (value.length > MAX_IN_VALUES) issues.push({ path: valueAt, message: `op "${op}" takes at most ${MAX_IN_VALUES} values` });
    else {
      const bad = value.findIndex((v: unknown) => !isScalar(v));
      if (bad >= 0) issues.push({ path: [...valueAt, bad], message: 'expected a string, number, boolean or null' });
      else if (path !== undefined) leaf = { path, op, value: value as Scalar[] };
    }
  } else if (op === 'lt' || op === 'lte' || op === 'gt' || op === 'gte') {
    if (typeof value !== 'number' || !Number.isFinite(value)) issues.push({ path: valueAt, message: `op "${op}" compares numbers; expected a number, got ${JSON.stringify(value) ?? typeof value}` });
    else if (path !== undefined) leaf = { path, op, value };
  } else {
    // regex
    const flags = input.flags;
    if (flags !== undefined && typeof flags !== 'string') issues.push({ path: [...at, 'flags'], message: 'expected a string of regex flags from "imsu"' });
    else if (typeof value !== 'string') issues.push({ path: valueAt, message: 'op "regex" takes a pattern string' });
    else {
      const checked = checkRegex(value, flags ?? '');
      if (!checked.ok) issues.push({ path: checked.field === 'flags' ? [...at, 'flags'] : valueAt, message: checked.message });
      else if (path !== undefined) leaf = flags === undefined || flags === '' ? { path, op: 'regex', value } : { path, op: 'regex', value, flags };
    }
  }
  return issues.length === before ? leaf : undefined;
}

/**
 * Validates a condition list (a single condition or group is accepted too and becomes a one-element list) and
 * yields the normalised form: `path`/`op` spelled canonically, `exists` with an explicit value.
 */
export const conditionListSchema = z.unknown().transform((input, ctx): ConditionList => {
  const issues: Issue[] = [];
  let list: Condition[] | undefined;
  if (isRecord(input)) {
    const one = checkCondition(input, [], 1, issues);
    list = one === undefined ? undefined : [one];
  } else {
    list = checkList(input, [], 1, issues);
  }
  if (list === undefined || issues.length > 0) {
    for (const issue of issues) ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input });
    if (issues.length === 0) ctx.issues.push({ code: 'custom', message: 'invalid conditions', input });
    return z.NEVER;
  }
  return list;
});

/** Standalone validation (paths start at `$`), e.g. for tests and `policy validate`. */
export function parseConditionList(input: unknown): Parsed<ConditionList> {
  return parseWith(conditionListSchema, input);
}
