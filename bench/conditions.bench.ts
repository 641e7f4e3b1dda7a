/**
 * Cost of one `evaluate` for a rule with five argument conditions, one of them a regex, against a hand-written
 * if-chain doing the same checks with the same three-valued (fail-closed) semantics, in the same run. Also the
 * cost of parse + compile (paid once per policy load). Prints; never asserts.
 * Run: npx tsc -p tsconfig.json && node dist/bench/conditions.bench.js
 */
import { compileConditions, evaluate, parseConditionList, type Verdict } from '../src/core/conditions/index.js';

const RULE = [
  { path: 'args.amount', op: 'gt', value: 10000 },
  { path: 'currency', op: 'in', value: ['usd', 'eur', 'gbp'] },
  { path: 'reason', op: 'exists' },
  { path: 'customer.email', op: 'regex', value: '@example\\.com$', flags: 'i' },
  { path: 'items[0].sku', op: 'neq', value: 'BLOCKED' },
];

const ARGS: unknown[] = [
  { amount: 20000, currency: 'usd', reason: 'bulk', customer: { email: 'ops@example.com' }, items: [{ sku: 'A1' }] }, // match
  { amount: 500, currency: 'usd', reason: 'small', customer: { email: 'ops@example.com' }, items: [{ sku: 'A1' }] }, // no-match at 1st
  { amount: 20000, currency: 'eur', reason: 'x', customer: { email: 'someone@elsewhere.org' }, items: [{ sku: 'A2' }] }, // no-match at 4th
  { amount: '20000', currency: 'gbp', reason: 'x', customer: { email: 'a@EXAMPLE.com' }, items: [{ sku: 'A3' }] }, // undetermined
  { amount: 99999, currency: 'gbp', customer: { email: 'a@example.com' }, items: [] }, // no-match at 3rd
];

const NO = 0;
const YES = 1;
const UNKNOWN = 2;
const VERDICTS: readonly Verdict[] = ['no-match', 'match', 'undetermined'];
const EMAIL = /@example\.com$/i;
const hasOwn = Object.prototype.hasOwnProperty;

function get(o: unknown, k: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o) && hasOwn.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

/** What a careful person would write by hand for this one rule: same checks, same fail-closed answers. */
function baseline(args: unknown): Verdict {
  let unknown = false;
  const amount = get(args, 'amount');
  if (typeof amount !== 'number' || !Number.isFinite(amount)) unknown = true;
  else if (!(amount > 10000)) return VERDICTS[NO] as Verdict;
  const currency = get(args, 'currency');
  if (typeof currency !== 'string') unknown = true;
  else if (currency !== 'usd' && currency !== 'eur' && currency !== 'gbp') return VERDICTS[NO] as Verdict;
  const reason = get(args, 'reason');
  if (reason === undefined || reason === null) return VERDICTS[NO] as Verdict;
  const email = get(get(args, 'customer'), 'email');
  if (typeof email !== 'string' || email.length > 4096) unknown = true;
  else if (!EMAIL.test(email)) return VERDICTS[NO] as Verdict;
  const items = get(args, 'items');
  const first = Array.isArray(items) ? (items[0] as unknown) : undefined;
  const sku = get(first, 'sku');
  if (typeof sku !== 'string') unknown = true;
  else if (sku === 'BLOCKED') return VERDICTS[NO] as Verdict;
  return VERDICTS[unknown ? UNKNOWN : YES] as Verdict;
}

const parsed = parseConditionList(RULE);
if (!parsed.ok) throw new Error(`bench rule is invalid: ${JSON.stringify(parsed.issues)}`);
const compiled = compileConditions(parsed.value);

// The two must agree, or the comparison means nothing.
for (const a of ARGS) {
  if (evaluate(compiled, a) !== baseline(a)) throw new Error(`engine and baseline disagree on ${JSON.stringify(a)}: ${evaluate(compiled, a)} vs ${baseline(a)}`);
}

const N = 2_000_000;
const ROUNDS = 7;

function time(fn: (a: unknown) => Verdict): { ns: number; sink: number } {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (fn(ARGS[i % ARGS.length]) === 'match') sink++;
    const ns = Number(process.hrtime.bigint() - start) / N;
    if (ns < best) best = ns;
  }
  return { ns: best, sink };
}

const empty = (_a: unknown): Verdict => 'no-match';
// Warm both up before measuring.
time(empty);
time(baseline);
time((a) => evaluate(compiled, a));

const loop = time(empty);
const hand = time(baseline);
const engine = time((a) => evaluate(compiled, a));

let compileNs = Number.POSITIVE_INFINITY;
for (let r = 0; r < ROUNDS; r++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) {
    const p = parseConditionList(RULE);
    if (p.ok) compileConditions(p.value);
  }
  compileNs = Math.min(compileNs, Number(process.hrtime.bigint() - start) / 10_000);
}

const us = (ns: number): string => `${(ns / 1000).toFixed(3)} µs`;
const lines = [
  `conditions.bench: rule of 5 conditions (gt, in, exists, regex, neq), ${ARGS.length} argument shapes, best of ${ROUNDS} × ${N.toLocaleString('en')} calls`,
  `  empty loop                 ${us(loop.ns)} per call`,
  `  hand-written if-chain      ${us(hand.ns)} per call`,
  `  evaluate (engine)          ${us(engine.ns)} per call   ${(engine.ns / hand.ns).toFixed(2)}× the if-chain; target < 2 µs: ${engine.ns < 2000 ? 'yes' : 'NO'}`,
  `  parse + compile (per load) ${us(compileNs)}`,
  `  (sinks: ${loop.sink} ${hand.sink} ${engine.sink})`,
];
process.stdout.write(`${lines.join('\n')}\n`);
