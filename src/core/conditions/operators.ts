import { formatSegments, MISSING, parsePath } from './path.js';
import { checkRegex } from './safe-regex.js';
import type { Condition, LeafCondition, Scalar } from './schema.js';

/**
 * Operator semantics. Every operator answers with one of three values, because "the argument is not what the
 * condition talks about" must not collapse into "no": an agent that sends `"amount": "20000"` (a string) must not
 * slip past `amount > 10000`. So:
 *
 *   NO / YES   the argument was checked and the condition is false / true
 *   UNKNOWN    it could not be checked: the path is missing, the value has the wrong type for the operator, or
 *              a string is longer than the regex's input limit
 *
 * Per operator (v is the argument at the path):
 * - exists: never UNKNOWN. Present means the path resolves to a value other than null (JSON APIs use null for
 *   "not set", so `reason: null` does not satisfy `require: reason exists`); "" is present. `value: false`
 *   inverts.
 * - every other operator: a missing path (or null, except where null is the compared value) is UNKNOWN.
 * - eq / neq: v must have the same JSON type as the value (string, number, boolean), else UNKNOWN — `"10000"`
 *   neither equals nor differs from 10000 as far as a policy is concerned. Comparing with null is always decided.
 *   Strings compare exactly (case-sensitive, no normalisation).
 * - in / not_in: like eq against each listed value; UNKNOWN when v's type is none of the listed values' types
 *   (unless the list contains null).
 * - lt / lte / gt / gte: v must be a finite number; a numeric string is UNKNOWN, never parsed.
 * - regex: v must be a string no longer than the pattern's input limit (safe-regex.ts), else UNKNOWN.
 * - contains: a string v with a string value → substring test; an array v → some element === value (arrays
 *   longer than CONTAINS_ARRAY_LIMIT are UNKNOWN, bounding the cost); anything else UNKNOWN.
 * - neq and not_in are the exact negations of eq and in: YES ↔ NO, UNKNOWN stays UNKNOWN.
 */
export const NO = 0;
export const YES = 1;
export const UNKNOWN = 2;
export type Tri = typeof NO | typeof YES | typeof UNKNOWN;

export const CONTAINS_ARRAY_LIMIT = 10_000;

export type LeafTest = (v: unknown) => Tri;

// Bit flags for JSON value types, so `in` can test "is v's type among the listed values' types" with one AND.
const K_STRING = 1;
const K_NUMBER = 2;
const K_BOOLEAN = 4;
const K_NULL = 8;
const K_OTHER = 16;

function kindOf(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return K_STRING;
    case 'number':
      return K_NUMBER;
    case 'boolean':
      return K_BOOLEAN;
    default:
      return v === null ? K_NULL : K_OTHER;
  }
}

function negate(t: Tri): Tri {
  return t === UNKNOWN ? UNKNOWN : t === YES ? NO : YES;
}

function eqTest(expected: Scalar): LeafTest {
  if (expected === null) return (v) => (v === MISSING ? UNKNOWN : v === null ? YES : NO);
  const kind = kindOf(expected);
  return (v) => {
    if (v === MISSING || kindOf(v) !== kind) return UNKNOWN;
    return v === expected ? YES : NO;
  };
}

function inTest(values: readonly Scalar[]): LeafTest {
  let mask = 0;
  for (const x of values) mask |= kindOf(x);
  // With null in the list, any present value is decidable: it either is null or is not.
  const decidable = (mask & K_NULL) !== 0 ? ~0 : mask;
  if (values.length <= 8) {
    const list = values.slice();
    return (v) => {
      if (v === MISSING || (kindOf(v) & decidable) === 0) return UNKNOWN;
      for (let i = 0; i < list.length; i++) if (list[i] === v) return YES;
      return NO;
    };
  }
  const set = new Set<unknown>(values);
  return (v) => {
    if (v === MISSING || (kindOf(v) & decidable) === 0) return UNKNOWN;
    return set.has(v) ? YES : NO;
  };
}

function numberTest(op: 'lt' | 'lte' | 'gt' | 'gte', bound: number): LeafTest {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  switch (op) {
    case 'lt':
      return (v) => (ok(v) ? (v < bound ? YES : NO) : UNKNOWN);
    case 'lte':
      return (v) => (ok(v) ? (v <= bound ? YES : NO) : UNKNOWN);
    case 'gt':
      return (v) => (ok(v) ? (v > bound ? YES : NO) : UNKNOWN);
    case 'gte':
      return (v) => (ok(v) ? (v >= bound ? YES : NO) : UNKNOWN);
  }
}

function containsTest(needle: Scalar): LeafTest {
  return (v) => {
    if (typeof v === 'string') return typeof needle === 'string' ? (v.includes(needle) ? YES : NO) : UNKNOWN;
    if (Array.isArray(v)) {
      if (v.length > CONTAINS_ARRAY_LIMIT) return UNKNOWN;
      for (let i = 0; i < v.length; i++) if (v[i] === needle) return YES;
      return NO;
    }
    return UNKNOWN;
  };
}

export interface BuiltLeaf {
  readonly test: LeafTest;
  /** For regex: the longest string that is tested; longer strings are UNKNOWN. */
  readonly inputLimit?: number;
}

/** Builds the test for one validated leaf; throws (at load time) on anything the schema would have rejected. */
export function buildLeaf(c: LeafCondition): BuiltLeaf {
  switch (c.op) {
    case 'exists': {
      const want = c.value;
      return { test: (v) => ((v !== MISSING && v !== null) === want ? YES : NO) };
    }
    case 'eq':
      return { test: eqTest(c.value) };
    case 'neq': {
      const eq = eqTest(c.value);
      return { test: (v) => negate(eq(v)) };
    }
    case 'in':
      return { test: inTest(c.value) };
    case 'not_in': {
      const isIn = inTest(c.value);
      return { test: (v) => negate(isIn(v)) };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { test: numberTest(c.op, c.value) };
    case 'contains':
      return { test: containsTest(c.value) };
    case 'regex': {
      const checked = checkRegex(c.value, c.flags ?? '');
      if (!checked.ok) throw new Error(`condition on ${c.path}: ${checked.message}`);
      const { regex, inputLimit } = checked;
      return { test: (v) => (typeof v === 'string' && v.length <= inputLimit ? (regex.test(v) ? YES : NO) : UNKNOWN), inputLimit };
    }
  }
}

function displayPath(path: string): string {
  const parsed = parsePath(path);
  return parsed.ok ? formatSegments(parsed.segments) : path;
}

function show(v: Scalar): string {
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

const SYMBOL = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** Human text for reasons and logs: "amount > 10000", "reason is present", "(a or b)". */
export function describeCondition(c: Condition): string {
  if ('all' in c) return c.all.length === 1 ? describeCondition(c.all[0] as Condition) : `(${c.all.map(describeCondition).join(' and ')})`;
  if ('any' in c) return c.any.length === 1 ? describeCondition(c.any[0] as Condition) : `(${c.any.map(describeCondition).join(' or ')})`;
  if ('not' in c) return `not ${describeCondition(c.not)}`;
  const p = displayPath(c.path);
  switch (c.op) {
    case 'exists':
      return c.value ? `${p} is present` : `${p} is absent`;
    case 'eq':
      return `${p} = ${show(c.value)}`;
    case 'neq':
      return `${p} != ${show(c.value)}`;
    case 'in':
      return `${p} is one of [${c.value.map(show).join(', ')}]`;
    case 'not_in':
      return `${p} is not one of [${c.value.map(show).join(', ')}]`;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `${p} ${SYMBOL[c.op]} ${c.value}`;
    case 'contains':
      return `${p} contains ${show(c.value)}`;
    case 'regex':
      return `${p} matches /${c.value.length > 80 ? `${c.value.slice(0, 77)}…` : c.value}/${c.flags ?? ''}`;
  }
}

/** Why a leaf could not be checked against `v`, for the reason given with an undetermined verdict. */
export function whyUnknown(c: LeafCondition, v: unknown, inputLimit: number | undefined): string {
  const p = displayPath(c.path);
  if (v === MISSING) return `${p} is missing`;
  if (typeof v === 'string' && inputLimit !== undefined && v.length > inputLimit) return `${p} is longer than ${inputLimit} characters`;
  if (c.op === 'contains' && Array.isArray(v) && v.length > CONTAINS_ARRAY_LIMIT) return `${p} has more than ${CONTAINS_ARRAY_LIMIT} elements`;
  const kind = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  let needs: string;
  if (c.op === 'regex') needs = 'a string';
  else if (c.op === 'contains') needs = typeof c.value === 'string' ? 'a string or an array' : 'an array';
  else if (c.op === 'in' || c.op === 'not_in') needs = 'a value of a listed type';
  else if (c.op === 'exists') needs = 'anything';
  else needs = `a ${typeof c.value}`;
  return `${p} is ${kind}; "${c.op}" needs ${needs}`;
}
