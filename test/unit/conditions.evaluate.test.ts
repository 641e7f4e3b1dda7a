import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileConditions,
  conditionFires,
  describeCondition,
  describeConditions,
  evaluate,
  explain,
  parseConditionList,
  type CompiledCondition,
  type Verdict,
} from '../../src/core/conditions/index.js';

function compile(input: unknown): CompiledCondition {
  const r = parseConditionList(input);
  if (!r.ok) return assert.fail(`expected valid conditions, got ${JSON.stringify(r.issues)}`);
  return compileConditions(r.value);
}

function check(input: unknown, cases: ReadonlyArray<readonly [unknown, Verdict]>): void {
  const c = compile(input);
  for (const [args, want] of cases) assert.equal(evaluate(c, args), want, `${JSON.stringify(input)} on ${JSON.stringify(args)}`);
}

const one = (op: string, value?: unknown, path = 'v'): unknown => (value === undefined ? [{ path, op }] : [{ path, op, value }]);

describe('operators: match, no-match, undetermined', () => {
  test('eq', () => {
    check(one('eq', 'prod'), [[{ v: 'prod' }, 'match'], [{ v: 'Prod' }, 'no-match'], [{ v: 5 }, 'undetermined'], [{ v: ['prod'] }, 'undetermined'], [{ v: null }, 'undetermined'], [{}, 'undetermined']]);
    check(one('eq', 10000), [[{ v: 10000 }, 'match'], [{ v: 10000.5 }, 'no-match'], [{ v: '10000' }, 'undetermined']]);
    check(one('eq', true), [[{ v: true }, 'match'], [{ v: false }, 'no-match'], [{ v: 'true' }, 'undetermined']]);
    check(one('eq', null), [[{ v: null }, 'match'], [{ v: 'x' }, 'no-match'], [{ v: {} }, 'no-match'], [{}, 'undetermined']]);
  });

  test('neq is the exact negation of eq', () => {
    check(one('neq', 'prod'), [[{ v: 'prod' }, 'no-match'], [{ v: 'dev' }, 'match'], [{ v: 1 }, 'undetermined'], [{}, 'undetermined']]);
    check(one('neq', null), [[{ v: null }, 'no-match'], [{ v: 0 }, 'match']]);
  });

  test('in / not_in', () => {
    check(one('in', ['usd', 'eur']), [[{ v: 'eur' }, 'match'], [{ v: 'gbp' }, 'no-match'], [{ v: 1 }, 'undetermined'], [{ v: ['usd'] }, 'undetermined'], [{}, 'undetermined']]);
    check(one('in', [1, 'a']), [[{ v: 1 }, 'match'], [{ v: 'a' }, 'match'], [{ v: 2 }, 'no-match'], [{ v: true }, 'undetermined']]);
    check(one('in', [null, 'a']), [[{ v: null }, 'match'], [{ v: 7 }, 'no-match']]);
    check(one('not_in', ['usd', 'eur']), [[{ v: 'eur' }, 'no-match'], [{ v: 'gbp' }, 'match'], [{ v: false }, 'undetermined']]);
    const many = Array.from({ length: 50 }, (_, i) => `c${i}`);
    check(one('in', many), [[{ v: 'c49' }, 'match'], [{ v: 'c50' }, 'no-match'], [{ v: 49 }, 'undetermined']]);
    check(one('not_in', many), [[{ v: 'c0' }, 'no-match'], [{ v: 'x' }, 'match']]);
  });

  test('lt / lte / gt / gte compare numbers only', () => {
    const mismatches: ReadonlyArray<readonly [unknown, Verdict]> = [[{ v: '20000' }, 'undetermined'], [{ v: true }, 'undetermined'], [{ v: null }, 'undetermined'], [{ v: [20000] }, 'undetermined'], [{}, 'undetermined']];
    check(one('lt', 10), [[{ v: 9 }, 'match'], [{ v: 10 }, 'no-match'], ...mismatches]);
    check(one('lte', 10), [[{ v: 10 }, 'match'], [{ v: 10.01 }, 'no-match'], ...mismatches]);
    check(one('gt', 10), [[{ v: 11 }, 'match'], [{ v: 10 }, 'no-match'], [{ v: -1e9 }, 'no-match'], ...mismatches]);
    check(one('gte', 10), [[{ v: 10 }, 'match'], [{ v: 9.99 }, 'no-match'], ...mismatches]);
    check(one('gt', 0), [[{ v: Number.NaN }, 'undetermined'], [{ v: Number.POSITIVE_INFINITY }, 'undetermined']]);
  });

  test('regex', () => {
    check(one('regex', '^prod-'), [[{ v: 'prod-db' }, 'match'], [{ v: 'dev-db' }, 'no-match'], [{ v: 5 }, 'undetermined'], [{ v: ['prod-x'] }, 'undetermined'], [{}, 'undetermined']]);
    check([{ path: 'q', op: 'regex', value: 'drop\\s+table', flags: 'i' }], [[{ q: 'DROP  TABLE users' }, 'match'], [{ q: 'select 1' }, 'no-match']]);
    // No g/y flag, so a compiled regex carries no lastIndex state between calls.
    const c = compile(one('regex', 'a'));
    for (let i = 0; i < 5; i++) assert.equal(evaluate(c, { v: 'a' }), 'match');
  });

  test('contains: substring for strings, element equality for arrays', () => {
    check(one('contains', 'admin'), [[{ v: 'superadmin' }, 'match'], [{ v: 'user' }, 'no-match'], [{ v: ['admin'] }, 'match'], [{ v: ['ADMIN', 'x'] }, 'no-match'], [{ v: [['admin']] }, 'no-match'], [{ v: 5 }, 'undetermined'], [{ v: { admin: 1 } }, 'undetermined'], [{}, 'undetermined']]);
    check(one('contains', 3), [[{ v: [1, 2, 3] }, 'match'], [{ v: ['3'] }, 'no-match'], [{ v: '123' }, 'undetermined']]);
    check(one('contains', 'x'), [[{ v: new Array(20_000).fill('y') }, 'undetermined']]);
  });

  test('exists: null and missing are absent, empty string is present', () => {
    check(one('exists'), [[{ v: 'x' }, 'match'], [{ v: '' }, 'match'], [{ v: 0 }, 'match'], [{ v: false }, 'match'], [{ v: null }, 'no-match'], [{}, 'no-match'], [null, 'no-match'], ['str', 'no-match']]);
    check(one('exists', false), [[{}, 'match'], [{ v: null }, 'match'], [{ v: 1 }, 'no-match']]);
  });
});

describe('paths in evaluation', () => {
  const args = { items: [{ price: 12 }, { price: 300 }], metadata: { 'x-y': 'on' }, customer: { address: { country: 'FR' } } };
  test('nested paths, array indexes, quoted keys, args. prefix', () => {
    check([{ path: 'items[1].price', op: 'gt', value: 100 }], [[args, 'match']]);
    check([{ path: 'args.items[0].price', op: 'gt', value: 100 }], [[args, 'no-match']]);
    check([{ path: 'metadata["x-y"]', op: 'eq', value: 'on' }], [[args, 'match']]);
    check([{ path: 'customer.address.country', op: 'in', value: ['FR', 'DE'] }], [[args, 'match']]);
  });
  test('missing paths: exists false matches, everything else is undetermined', () => {
    check([{ path: 'items[5].price', op: 'exists', value: false }], [[args, 'match']]);
    check([{ path: 'customer.phone', op: 'exists' }], [[args, 'no-match']]);
    check([{ path: 'items[5].price', op: 'gt', value: 1 }], [[args, 'undetermined']]);
  });
});

describe('groups: all / any / not with three-valued logic', () => {
  const gt = { path: 'amount', op: 'gt', value: 100 };
  const usd = { path: 'currency', op: 'eq', value: 'usd' };
  test('a list is all', () => {
    check([gt, usd], [[{ amount: 200, currency: 'usd' }, 'match'], [{ amount: 200, currency: 'eur' }, 'no-match'], [{ amount: '200', currency: 'eur' }, 'no-match'], [{ amount: '200', currency: 'usd' }, 'undetermined']]);
    check([{ all: [gt, usd] }], [[{ amount: 200, currency: 'usd' }, 'match'], [{ amount: 1, currency: 'usd' }, 'no-match']]);
  });
  test('any', () => {
    check([{ any: [gt, usd] }], [[{ amount: 1, currency: 'usd' }, 'match'], [{ amount: 1, currency: 'eur' }, 'no-match'], [{ amount: '1', currency: 'usd' }, 'match'], [{ amount: '1', currency: 'eur' }, 'undetermined']]);
  });
  test('not', () => {
    check([{ not: gt }], [[{ amount: 1 }, 'match'], [{ amount: 200 }, 'no-match'], [{ amount: 'x' }, 'undetermined']]);
    check([{ not: { not: gt } }], [[{ amount: 200 }, 'match']]);
  });
  test('an exists guard makes a condition on an optional argument settle cleanly', () => {
    check([{ path: 'amount', op: 'exists' }, gt], [[{}, 'no-match'], [{ amount: 200 }, 'match'], [{ amount: '200' }, 'undetermined']]);
  });
});

describe('PolicyLayer examples and the fail-closed mapping', () => {
  test('refunds: require args.reason present', () => {
    const c = compile([{ path: 'args.reason', op: 'exists' }]);
    assert.equal(conditionFires('require', evaluate(c, { amount: 5, reason: 'damaged' })), false, 'allowed');
    assert.equal(conditionFires('require', evaluate(c, { amount: 5 })), true, 'denied: no reason');
    assert.equal(conditionFires('require', evaluate(c, { amount: 5, reason: null })), true, 'denied: null reason');
    assert.equal(describeConditions(c.conditions), 'reason is present');
  });

  test('charges: deny_if amount > 10000, with a string amount denied too', () => {
    const c = compile([{ field: 'args.amount', operator: 'gt', value: 10000 }]);
    assert.equal(conditionFires('deny_if', evaluate(c, { amount: 20000 })), true);
    assert.equal(conditionFires('deny_if', evaluate(c, { amount: 500 })), false);
    assert.equal(conditionFires('deny_if', evaluate(c, { amount: '20000' })), true, 'a string cannot dodge the limit');
    assert.equal(conditionFires('deny_if', evaluate(c, {})), true, 'nor can leaving the amount out');
    assert.equal(c.description, 'amount > 10000');
  });

  test('the mapping table', () => {
    const table: ReadonlyArray<readonly ['require' | 'deny_if' | 'require_approval_if', Verdict, boolean]> = [
      ['require', 'match', false], ['require', 'no-match', true], ['require', 'undetermined', true],
      ['deny_if', 'match', true], ['deny_if', 'no-match', false], ['deny_if', 'undetermined', true],
      ['require_approval_if', 'match', true], ['require_approval_if', 'no-match', false], ['require_approval_if', 'undetermined', true],
    ];
    for (const [field, verdict, fires] of table) assert.equal(conditionFires(field, verdict), fires, `${field} ${verdict}`);
  });
});

describe('descriptions and explanations', () => {
  test('describeCondition', () => {
    assert.equal(describeCondition({ path: 'amount', op: 'gt', value: 10000 }), 'amount > 10000');
    assert.equal(describeCondition({ path: 'args.reason', op: 'exists', value: true }), 'reason is present');
    assert.equal(describeCondition({ path: 'x', op: 'exists', value: false }), 'x is absent');
    assert.equal(describeCondition({ path: 'a', op: 'lte', value: 1 }), 'a <= 1');
    assert.equal(describeCondition({ path: 'env', op: 'neq', value: 'prod' }), 'env != "prod"');
    assert.equal(describeCondition({ path: 'c', op: 'in', value: ['usd', 1] }), 'c is one of ["usd", 1]');
    assert.equal(describeCondition({ path: 'q', op: 'regex', value: '^a', flags: 'i' }), 'q matches /^a/i');
    assert.equal(describeCondition({ path: 'items[0]["x-y"]', op: 'contains', value: 'z' }), 'items[0]["x-y"] contains "z"');
    assert.equal(describeCondition({ any: [{ path: 'a', op: 'eq', value: 1 }, { not: { path: 'b', op: 'exists', value: true } }] }), '(a = 1 or not b is present)');
  });

  test('explain names the deciding condition', () => {
    const c = compile([{ path: 'amount', op: 'gt', value: 10000 }, { path: 'currency', op: 'eq', value: 'usd' }]);
    assert.deepEqual(explain(c, { amount: 20000, currency: 'usd' }), { verdict: 'match', because: '(amount > 10000 and currency = "usd")' });
    assert.deepEqual(explain(c, { amount: 20000, currency: 'eur' }), { verdict: 'no-match', because: 'currency = "usd"' });
    const u = explain(c, { amount: '20000', currency: 'usd' });
    assert.equal(u.verdict, 'undetermined');
    assert.match(u.because, /amount > 10000 \(could not check: amount is a string; "gt" needs a number\)/);
    const any = compile([{ any: [{ path: 'a', op: 'eq', value: 1 }, { path: 'b', op: 'eq', value: 2 }] }]);
    assert.deepEqual(explain(any, { a: 0, b: 2 }), { verdict: 'match', because: 'b = 2' });
    assert.match(explain(compile(one('regex', 'x')), { v: 'y'.repeat(5000) }).because, /longer than 4096/);
  });
});

describe('evaluate never throws', () => {
  const c = compile([
    { path: 'a.b[0]', op: 'eq', value: 1 },
    { any: [{ path: 'constructor', op: 'exists' }, { path: '__proto__.x', op: 'regex', value: 'x' }] },
    { not: { path: 'toString', op: 'contains', value: 'x' } },
  ]);
  const cyclic: Record<string, unknown> = { a: { b: [1] } };
  cyclic.self = cyclic;
  (cyclic.a as Record<string, unknown>).back = cyclic;
  const throwing = { get a(): unknown { throw new Error('boom'); } };
  const proxy = new Proxy({}, { has: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); }, getOwnPropertyDescriptor: () => { throw new Error('trap'); } });
  const weird: unknown[] = [null, undefined, 0, '', 'str', [], [1, 2], {}, cyclic, throwing, proxy, Object.create(null), JSON.parse('{"__proto__": {"x": "x"}, "constructor": {"a": 1}}'), new Map([['a', 1]]), Symbol('s'), () => 1, 10n];
  test('on weird arguments it returns a verdict', () => {
    for (const args of weird) {
      const v = evaluate(c, args);
      assert.ok(v === 'match' || v === 'no-match' || v === 'undetermined');
      const e = explain(c, args);
      assert.ok(typeof e.because === 'string');
    }
    assert.equal(evaluate(c, throwing), 'undetermined');
    assert.equal(evaluate(c, proxy), 'undetermined');
  });
  test('inherited names do not count as present', () => {
    const ex = compile([{ path: 'constructor', op: 'exists' }]);
    assert.equal(evaluate(ex, {}), 'no-match');
    assert.equal(evaluate(compile([{ path: '__proto__', op: 'exists' }]), {}), 'no-match');
    assert.equal(evaluate(compile([{ path: 'toString', op: 'exists' }]), []), 'no-match');
    assert.equal(evaluate(compile([{ path: '["__proto__"].x', op: 'eq', value: 'x' }]), JSON.parse('{"__proto__": {"x": "x"}}')), 'match');
  });
  test('a garbage compiled object is undetermined, not an exception', () => {
    assert.equal(evaluate({} as CompiledCondition, {}), 'undetermined');
    assert.equal(explain({} as CompiledCondition, {}).verdict, 'undetermined');
  });
});
