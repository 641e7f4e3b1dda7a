import { buildLeaf, describeCondition, NO, UNKNOWN, whyUnknown, YES, type Tri } from './operators.js';
import { compilePath, parsePath, resolvePath, type CompiledPath } from './path.js';
import type { Condition, ConditionList, LeafCondition } from './schema.js';

/**
 * 'match'        every condition was checked and the list holds
 * 'no-match'     checked, and it does not hold
 * 'undetermined' some condition could not be checked (missing path, wrong type, over-long string) and the
 *                others do not settle the answer — callers treat this fail-closed (see `conditionFires`).
 */
export type Verdict = 'match' | 'no-match' | 'undetermined';

const VERDICTS: readonly Verdict[] = ['no-match', 'match', 'undetermined'];

type Test = (args: unknown) => Tri;

/** The tree the evaluator walks; kept beside the closures so that `explain` can say which leaf decided. */
type Node =
  | { readonly kind: 'leaf'; readonly cond: LeafCondition; readonly path: CompiledPath; readonly inputLimit: number | undefined; readonly test: Test }
  | { readonly kind: 'all' | 'any'; readonly cond: Condition; readonly children: readonly Node[]; readonly test: Test }
  | { readonly kind: 'not'; readonly cond: Condition; readonly child: Node; readonly test: Test };

export interface CompiledCondition {
  /** The normalised conditions this was compiled from. */
  readonly conditions: ConditionList;
  /** describeConditions(conditions), computed once for reasons. */
  readonly description: string;
  readonly root: Node;
}

/**
 * Kleene three-valued AND / OR: a definite NO settles an AND (and YES an OR) whatever else is unknown, so
 * `[{ path: "amount", op: "exists" }, { path: "amount", op: "gt", value: 10000 }]` is a clean 'no-match' when
 * amount is absent — the way to make a condition on an optional argument not fire.
 */
function allOf(tests: readonly Test[]): Test {
  if (tests.length === 1) return tests[0] as Test;
  return (args) => {
    let unknown = false;
    for (let i = 0; i < tests.length; i++) {
      const t = (tests[i] as Test)(args);
      if (t === NO) return NO;
      if (t === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : YES;
  };
}

function anyOf(tests: readonly Test[]): Test {
  if (tests.length === 1) return tests[0] as Test;
  return (args) => {
    let unknown = false;
    for (let i = 0; i < tests.length; i++) {
      const t = (tests[i] as Test)(args);
      if (t === YES) return YES;
      if (t === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : NO;
  };
}

function compileNode(c: Condition): Node {
  if ('all' in c || 'any' in c) {
    const children = ('all' in c ? c.all : c.any).map(compileNode);
    if (children.length === 0) throw new Error('a condition group cannot be empty');
    const tests = children.map((n) => n.test);
    return { kind: 'all' in c ? 'all' : 'any', cond: c, children, test: 'all' in c ? allOf(tests) : anyOf(tests) };
  }
  if ('not' in c) {
    const child = compileNode(c.not);
    const inner = child.test;
    return { kind: 'not', cond: c, child, test: (args) => { const t = inner(args); return t === UNKNOWN ? UNKNOWN : t === YES ? NO : YES; } };
  }
  const parsed = parsePath(c.path);
  if (!parsed.ok) throw new Error(`condition path "${c.path}": ${parsed.message}`);
  const path = compilePath(parsed.segments);
  const leaf = buildLeaf(c);
  const op = leaf.test;
  return { kind: 'leaf', cond: c, path, inputLimit: leaf.inputLimit, test: (args) => op(resolvePath(args, path)) };
}

export function describeConditions(list: ConditionList): string {
  return list.map(describeCondition).join(' and ');
}

/**
 * Compiles a list produced by `conditionListSchema` once per policy load: paths pre-split, regexes built and
 * sized, the tree turned into closures. Throws on input the schema would have rejected (a load-time error).
 */
export function compileConditions(list: ConditionList): CompiledCondition {
  if (list.length === 0) throw new Error('a list of conditions cannot be empty');
  const children = list.map(compileNode);
  const root: Node = children.length === 1 ? (children[0] as Node) : { kind: 'all', cond: { all: list }, children, test: allOf(children.map((n) => n.test)) };
  return { conditions: list, description: describeConditions(list), root };
}

/** Evaluates against one call's arguments. Never throws: a throwing getter or proxy in `args` is 'undetermined'. */
export function evaluate(compiled: CompiledCondition, args: unknown): Verdict {
  try {
    return VERDICTS[compiled.root.test(args)] ?? 'undetermined';
  } catch {
    return 'undetermined';
  }
}

export interface Explanation {
  readonly verdict: Verdict;
  /**
   * The condition that settled the verdict, in words: for 'match' the list (or the `any` branch that held), for
   * 'no-match' the first condition that failed, for 'undetermined' the first one that could not be checked,
   * followed by why ("amount > 10000 (could not check: amount is a string; \"gt\" needs a number)").
   */
  readonly because: string;
}

function trace(node: Node, args: unknown): { t: Tri; because: string } {
  const t = node.test(args);
  if (node.kind === 'leaf') {
    const text = describeCondition(node.cond);
    return { t, because: t === UNKNOWN ? `${text} (could not check: ${whyUnknown(node.cond, resolvePath(args, node.path), node.inputLimit)})` : text };
  }
  if (node.kind === 'not') {
    const inner = trace(node.child, args);
    return { t, because: t === UNKNOWN ? `not ${inner.because}` : describeCondition(node.cond) };
  }
  // The first child whose value equals the group's explains it (for a YES AND / NO OR, the whole group does).
  if ((node.kind === 'all' && t === YES) || (node.kind === 'any' && t === NO)) return { t, because: describeCondition(node.cond) };
  for (const child of node.children) {
    const sub = trace(child, args);
    if (sub.t === t) return sub;
  }
  return { t, because: describeCondition(node.cond) };
}

/** Like `evaluate`, plus which condition decided — for denial reasons, so not on the allow path. Never throws. */
export function explain(compiled: CompiledCondition, args: unknown): Explanation {
  try {
    const { t, because } = trace(compiled.root, args);
    const verdict = VERDICTS[t] ?? 'undetermined';
    return { verdict, because };
  } catch {
    return { verdict: 'undetermined', because: `${compiled.description} (could not check: the arguments could not be read)` };
  }
}
