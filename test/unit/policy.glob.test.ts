import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../../src/core/policy/index.js';
import { compareGlobSpecificity, globToRegExp, isGlob } from '../../src/core/policy/glob.js';

type Rules = Record<string, Record<string, unknown>>;

function compile(tools: Rules, def: 'allow' | 'deny' = 'deny', hide: string[] = []): CompiledPolicy {
  const result = parsePolicy({ version: '1', default: def, tools, hide });
  if (!result.ok) return assert.fail(`invalid test policy: ${JSON.stringify(result.issues)}`);
  return compilePolicy(result.value, { hideDefaultDenied: true });
}

/** The same rules with the keys in reverse order and in a rotated order. */
function reorderings(tools: Rules): Rules[] {
  const entries = Object.entries(tools);
  const rotated = [...entries.slice(1), ...entries.slice(0, 1)];
  return [tools, Object.fromEntries([...entries].reverse()), Object.fromEntries(rotated)];
}

/** Asserts which rule decides `tool` whatever the order of keys in the file. */
function assertRule(tools: Rules, tool: string, rule: string, def: 'allow' | 'deny' = 'deny'): void {
  for (const ordering of reorderings(tools)) {
    assert.equal(compile(ordering, def).decide(tool).rule, rule, `tool ${tool} with keys ${JSON.stringify(Object.keys(ordering))}`);
  }
}

describe('glob helpers', () => {
  test('isGlob is true only for keys containing * or ?', () => {
    assert.equal(isGlob('delete_*'), true);
    assert.equal(isGlob('tmp?'), true);
    assert.equal(isGlob('*'), true);
    assert.equal(isGlob('get_x'), false);
    assert.equal(isGlob('a.b'), false);
    assert.equal(isGlob('x+y'), false);
    assert.equal(isGlob('[ab]'), false);
  });

  test('globToRegExp anchors the whole name', () => {
    const re = globToRegExp('get_*');
    assert.equal(re.test('get_x'), true);
    assert.equal(re.test('get_'), true);
    assert.equal(re.test('xget_x'), false);
    assert.equal(re.test('Get_x'), false, 'matching is case-sensitive');
  });

  test('globToRegExp: ? is exactly one character, * is any run including none', () => {
    const q = globToRegExp('a?c');
    assert.equal(q.test('abc'), true);
    assert.equal(q.test('ac'), false);
    assert.equal(q.test('abbc'), false);
    const s = globToRegExp('a*c');
    assert.equal(s.test('ac'), true);
    assert.equal(s.test('abbbc'), true);
    assert.equal(s.test('abbbd'), false);
  });

  test('globToRegExp treats regex metacharacters literally', () => {
    const cases: [string, string[], string[]][] = [
      ['a.b*', ['a.b', 'a.bc'], ['axb', 'axbc']],
      ['x+y*', ['x+y', 'x+yz'], ['xxy', 'xy']],
      ['(a|b)*', ['(a|b)', '(a|b)z'], ['a', 'b', 'az']],
      ['[ab]?', ['[ab]c'], ['a', 'ac', 'b']],
      ['^x$*', ['^x$', '^x$1'], ['x']],
      ['\\d*', ['\\d', '\\d9'], ['9', 'd9']],
      ['a{2}*', ['a{2}', 'a{2}b'], ['aa', 'aab']],
      ['p/q-r*', ['p/q-r', 'p/q-rs'], ['pq-r']],
    ];
    for (const [pattern, matches, misses] of cases) {
      const re = globToRegExp(pattern);
      for (const m of matches) assert.equal(re.test(m), true, `${pattern} should match ${m}`);
      for (const m of misses) assert.equal(re.test(m), false, `${pattern} should not match ${m}`);
    }
  });

  test('compareGlobSpecificity: more literal characters first', () => {
    assert.ok(compareGlobSpecificity('get_user_*', 'get_*') < 0);
    assert.ok(compareGlobSpecificity('get_*', 'get_user_*') > 0);
  });

  test('compareGlobSpecificity: same literals, fewer * first', () => {
    assert.ok(compareGlobSpecificity('a?b', 'a*b*') < 0);
    assert.ok(compareGlobSpecificity('a*b*', 'a?b') > 0);
  });

  test('compareGlobSpecificity: then plain string order, and 0 only for identical patterns', () => {
    assert.ok(compareGlobSpecificity('*ac', 'a*c') < 0);
    assert.ok(compareGlobSpecificity('a*c', '*ac') > 0);
    assert.equal(compareGlobSpecificity('a*c', 'a*c'), 0);
  });

  test('compareGlobSpecificity gives one total order whatever the input order', () => {
    const patterns = ['*', 'get_*', 'get_user_*', 'get_?ser_*', '*_user_*', 'get_*_*', '?et_*', 'get*'];
    const sorted = [...patterns].sort(compareGlobSpecificity);
    assert.deepEqual([...patterns].reverse().sort(compareGlobSpecificity), sorted);
    assert.equal(sorted[sorted.length - 1], '*');
    assert.equal(sorted[0], 'get_user_*');
  });
});

describe('glob rules in a policy', () => {
  test('* matches any run of characters, including none', () => {
    const p = compile({ 'delete_*': { action: 'deny', reason: 'no deletes' } }, 'allow');
    for (const tool of ['delete_user', 'delete_', 'delete_a_b_c']) {
      assert.deepEqual(p.decide(tool), { kind: 'deny', rule: 'tools["delete_*"]', reason: 'no deletes' }, tool);
    }
    for (const tool of ['delete', 'undelete_user', 'Delete_user']) {
      assert.deepEqual(p.decide(tool), { kind: 'allow', rule: 'default', quotas: [] }, tool);
    }
  });

  test('? matches exactly one character', () => {
    const p = compile({ 'get_v?': {} });
    assert.equal(p.decide('get_v1').kind, 'allow');
    assert.equal(p.decide('get_vX').kind, 'allow');
    assert.equal(p.decide('get_v').rule, 'default');
    assert.equal(p.decide('get_v12').rule, 'default');
  });

  test('a glob in the middle of a key', () => {
    const p = compile({ 'get_*_by_id': {} });
    assert.equal(p.decide('get_user_by_id').kind, 'allow');
    assert.equal(p.decide('get__by_id').kind, 'allow');
    assert.equal(p.decide('get_user_by_name').rule, 'default');
  });

  test('the catch-all "*" rule matches every tool, including the empty name', () => {
    const p = compile({ '*': { action: 'deny', reason: 'all' } }, 'allow');
    for (const tool of ['x', '', 'a.b', 'line\nbreak']) assert.equal(p.decide(tool).rule, 'tools["*"]', JSON.stringify(tool));
  });

  test('exact beats glob', () => {
    const tools: Rules = { 'delete_*': { action: 'deny', reason: 'no' }, delete_draft: {}, '*': { action: 'deny' } };
    assertRule(tools, 'delete_draft', 'tools.delete_draft');
    assertRule(tools, 'delete_user', 'tools["delete_*"]');
    for (const ordering of reorderings(tools)) {
      assert.deepEqual(compile(ordering).decide('delete_draft'), { kind: 'allow', rule: 'tools.delete_draft', quotas: [] });
    }
  });

  test('exact beats even a more literal glob that matches', () => {
    const tools: Rules = { 'get_user_profile_*': { action: 'deny' }, get_user_profile_: {} };
    assertRule(tools, 'get_user_profile_', 'tools.get_user_profile_');
  });

  test('a more specific glob (more literal characters) beats a less specific one', () => {
    const tools: Rules = { 'get_*': {}, 'get_user_*': { action: 'deny', reason: 'pii' }, '*': { action: 'deny' } };
    assertRule(tools, 'get_user_email', 'tools["get_user_*"]');
    assertRule(tools, 'get_order', 'tools["get_*"]');
    assertRule(tools, 'put_order', 'tools["*"]');
  });

  test('literal count wins even when the more literal glob has more wildcards', () => {
    // get_*_by_id has 10 literal characters, get_user* has 8.
    const tools: Rules = { 'get_user*': { action: 'deny' }, 'get_*_by_id': {} };
    assertRule(tools, 'get_user_by_id', 'tools["get_*_by_id"]');
    assertRule(tools, 'get_user_by_name', 'tools["get_user*"]');
  });

  test('? counts as a wildcard, not a literal', () => {
    // "get_??" has 4 literals, "get_*" has 4 literals: tie on literals, fewer * wins.
    const tools: Rules = { 'get_*': { action: 'deny' }, 'get_??': {} };
    assertRule(tools, 'get_ab', 'tools["get_??"]');
    assertRule(tools, 'get_abc', 'tools["get_*"]');
    // "g???_x" has 2 literals and loses to "get_*" with 4.
    assertRule({ 'g???_x': {}, 'get_*': { action: 'deny' } }, 'get__x', 'tools["get_*"]');
  });

  test('on a tie in literal characters, fewer * wins', () => {
    const tools: Rules = { 'a*b*': { action: 'deny', reason: 'stars' }, 'a?b': {} };
    assertRule(tools, 'axb', 'tools["a?b"]');
    const tools2: Rules = { 'ab**': { action: 'deny' }, 'ab*': {} };
    assertRule(tools2, 'abc', 'tools["ab*"]');
  });

  test('on a tie in literals and stars, the key that sorts first wins', () => {
    const tools: Rules = { 'a*c': { action: 'deny', reason: 'a*c' }, '*ac': {} };
    // "*ac" < "a*c" in string order ("*" is U+002A).
    assertRule(tools, 'aac', 'tools["*ac"]');
    const tools2: Rules = { 'x_*_b': { action: 'deny' }, 'x_a_*': {} };
    assertRule(tools2, 'x_a_b', 'tools["x_*_b"]');
  });

  test('decisions do not depend on key order in the file (many rules, many tools)', () => {
    const tools: Rules = {
      '*': { action: 'deny', reason: 'catch-all' },
      'get_*': {},
      'get_user_*': { action: 'deny', reason: 'pii' },
      'get_user_public_*': {},
      get_user_public_name: { action: 'deny', reason: 'exact' },
      '*_admin': { action: 'deny', reason: 'admin' },
      'get_*_admin': {},
      'list_?': {},
      'list_*': { action: 'deny' },
      'a*c': { action: 'deny', reason: 'ac' },
      '*ac': {},
    };
    const names = [
      'get_x', 'get_user_x', 'get_user_public_x', 'get_user_public_name', 'get_admin', 'get_x_admin', 'set_admin',
      'list_a', 'list_ab', 'aac', 'abc', 'zzz', '', 'get_', 'list_',
    ];
    const reference = compile(tools);
    const expected = names.map((n) => reference.decide(n));
    const keys = Object.keys(tools);
    // a handful of deterministic permutations
    const permutations: string[][] = [
      [...keys].reverse(),
      [...keys].sort(),
      [...keys].sort().reverse(),
      keys.filter((_, i) => i % 2 === 0).concat(keys.filter((_, i) => i % 2 === 1)),
      keys.filter((_, i) => i % 3 === 2).concat(keys.filter((_, i) => i % 3 !== 2).reverse()),
    ];
    for (const order of permutations) {
      const reordered: Rules = {};
      for (const key of order) reordered[key] = tools[key] ?? {};
      const p = compile(reordered);
      assert.deepEqual(names.map((n) => p.decide(n)), expected, `order ${JSON.stringify(order)}`);
    }
    // spot-check the reference itself
    assert.equal(reference.decide('get_user_public_name').rule, 'tools.get_user_public_name');
    assert.equal(reference.decide('get_user_public_x').rule, 'tools["get_user_public_*"]');
    assert.equal(reference.decide('get_user_x').rule, 'tools["get_user_*"]');
    assert.equal(reference.decide('get_x_admin').rule, 'tools["get_*_admin"]');
    assert.equal(reference.decide('set_admin').rule, 'tools["*_admin"]');
    assert.equal(reference.decide('list_a').rule, 'tools["list_?"]');
    assert.equal(reference.decide('list_ab').rule, 'tools["list_*"]');
    assert.equal(reference.decide('zzz').rule, 'tools["*"]');
  });

  test('hide visibility does not depend on key order either', () => {
    const tools: Rules = { keep_me: {}, 'drop_*': {} };
    const hideA = ['*', 'drop_x', 'k*'];
    const hideB = ['k*', 'drop_x', '*'];
    const a = compile(tools, 'deny', hideA);
    const b = compile(Object.fromEntries(Object.entries(tools).reverse()), 'deny', hideB);
    for (const n of ['keep_me', 'drop_x', 'drop_y', 'kite', 'other']) assert.equal(a.visibility(n), b.visibility(n), n);
    assert.equal(a.visibility('keep_me'), 'listed');
    assert.equal(a.visibility('drop_x'), 'hidden');
  });
});

describe('regex metacharacters in tool keys are literal', () => {
  test('exact keys with . and + match only themselves', () => {
    const p = compile({ 'a.b': { action: 'deny', reason: 'dot' }, 'x+y': { action: 'deny', reason: 'plus' } }, 'allow');
    assert.deepEqual(p.decide('a.b'), { kind: 'deny', rule: 'tools["a.b"]', reason: 'dot' });
    assert.deepEqual(p.decide('axb'), { kind: 'allow', rule: 'default', quotas: [] });
    assert.deepEqual(p.decide('x+y'), { kind: 'deny', rule: 'tools["x+y"]', reason: 'plus' });
    assert.deepEqual(p.decide('xxy'), { kind: 'allow', rule: 'default', quotas: [] });
    assert.deepEqual(p.decide('xy'), { kind: 'allow', rule: 'default', quotas: [] });
  });

  test('glob keys with metacharacters treat them literally', () => {
    const p = compile(
      { 'v1.*': {}, '(a|b)*': {}, '[ab]?': {}, 'a^b$*': {}, 'x\\d*': {}, 'q{2}*': {} },
      'deny',
    );
    for (const tool of ['v1.get', '(a|b)z', '[ab]c', 'a^b$', 'x\\d', 'q{2}x']) assert.equal(p.decide(tool).kind, 'allow', tool);
    for (const tool of ['v1xget', 'az', 'bz', 'a', 'ac', 'ab', 'x9', 'qq', 'qqx']) assert.equal(p.decide(tool).rule, 'default', tool);
  });
});
