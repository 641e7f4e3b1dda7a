import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRegex, compileConditions, evaluate, MIN_REGEX_INPUT_LIMIT, parseConditionList, REGEX_INPUT_LIMIT, REGEX_STEP_BUDGET } from '../../src/core/conditions/index.js';
import { inputLimitFor } from '../../src/core/conditions/safe-regex.js';

function accepted(pattern: string, flags = ''): number {
  const r = checkRegex(pattern, flags);
  if (!r.ok) return assert.fail(`expected /${pattern}/${flags} to be accepted, got ${r.message}`);
  return r.inputLimit;
}

function rejected(pattern: string, flags = ''): string {
  const r = checkRegex(pattern, flags);
  if (r.ok) return assert.fail(`expected /${pattern}/${flags} to be rejected`);
  return r.message;
}

describe('safe regex: static check', () => {
  test('(a+)+$ and other nested repetitions are rejected', () => {
    for (const p of ['(a+)+$', '(a+)+', '(.*)*', '(a*)*b', '(?:a+)+', '(a?){20}', '((a+)b)+', '(?=(a+))+', '([a-z]+\\d*)+$', '(\\w+\\s?)*$']) assert.match(rejected(p), /nested repetition/, p);
  });
  test('repeated alternations are rejected', () => {
    for (const p of ['(a|a)*', '(a|ab)+', '(?:x|y){2,}', '((a|b)c)+']) assert.match(rejected(p), /alternation/, p);
  });
  test('backreferences are rejected', () => {
    assert.match(rejected('(a)\\1'), /backreference/);
    assert.match(rejected('(?<q>[\'"]).*\\k<q>'), /backreference/);
  });
  test('polynomial blow-ups are rejected or given a smaller input limit', () => {
    assert.match(rejected('.*a.*b.*c'), /length\^4/);
    assert.match(rejected('^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$'), /bound repetitions/);
    assert.match(rejected('a?'.repeat(30) + 'a'.repeat(30)), /unsafe/, 'many optionals multiply');
    assert.equal(accepted('^prod-'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('@evil\\.com$'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('^[A-Z]{3}-\\d{4}$'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('^[^@\\s]{1,64}@[^@\\s]{1,255}$'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('drop\\s{1,10}table', 'i'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('drop\\s+table', 'i'), 1024);
    assert.equal(accepted('^https?://'), REGEX_INPUT_LIMIT);
    assert.equal(accepted('^a|b+'), 1024, 'a top-level alternation is not anchored');
    assert.equal(accepted('^a+', 'm'), 1024, 'with m, ^ matches at every line');
  });
  test('harmless constructs are accepted', () => {
    for (const p of ['(foo|bar)?x', '(ab)+', '[(+*]+', '^\\(a+\\)+', 'a{2}', '(?:ab){3}', '(?<name>x)y', '(?<=a)b', '(?!a)b', 'a+?b', '\\u{1F600}+', '\\p{L}+', '[\\]+]+']) {
      accepted(p, p.includes('\\u{') || p.includes('\\p{') ? 'u' : '');
    }
  });
  test('flags and syntax', () => {
    assert.match(rejected('x', 'g'), /"g"/);
    assert.match(rejected('x', 'y'), /"y"/);
    assert.match(rejected('(', ''), /invalid regex/);
    assert.match(rejected('x'.repeat(2000)), /at most 1024/);
  });
  test('inputLimitFor keeps L^d · P within the budget', () => {
    for (let d = 0; d <= 4; d++) {
      for (const p of [1, 2, 10, 1000]) {
        const n = inputLimitFor(d, p);
        assert.ok(n <= REGEX_INPUT_LIMIT);
        if (d > 0 && n > 0) assert.ok(n ** d * p <= REGEX_STEP_BUDGET, `d=${d} p=${p} n=${n}`);
        if (d > 0 && n < REGEX_INPUT_LIMIT) assert.ok((n + 1) ** d * p > REGEX_STEP_BUDGET, 'largest such n');
      }
    }
    assert.equal(inputLimitFor(3, 1) < MIN_REGEX_INPUT_LIMIT, true);
  });
});

describe('safe regex: evaluation on long input', () => {
  test('a 1 MB string is undetermined (never tested on a prefix), and returns at once', () => {
    const r = parseConditionList([{ path: 'body', op: 'regex', value: '^[a-z]+$' }]);
    assert.ok(r.ok);
    if (!r.ok) return;
    const c = compileConditions(r.value);
    const big = 'a'.repeat(1024 * 1024);
    assert.equal(evaluate(c, { body: big }), 'undetermined', 'a prefix match must not count: padding would dodge a deny_if');
    assert.equal(evaluate(c, { body: big.slice(0, REGEX_INPUT_LIMIT) }), 'match', 'at the limit it is tested');
    assert.equal(evaluate(c, { body: big.slice(0, REGEX_INPUT_LIMIT) + '!' }), 'undetermined');
  });
  test('a polynomial pattern at its own input limit stays cheap', () => {
    const r = parseConditionList([{ path: 'q', op: 'regex', value: '\\s*x' }]);
    assert.ok(r.ok);
    if (!r.ok) return;
    const c = compileConditions(r.value);
    assert.equal(evaluate(c, { q: ' '.repeat(1024) }), 'no-match', 'worst case at L = 1024: ~1M steps');
    assert.equal(evaluate(c, { q: ' '.repeat(1025) }), 'undetermined');
  });
});
