import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { conditionListSchema, parseConditionList, type ConditionList } from '../../src/core/conditions/index.js';
import { parseWith, type ValidationIssue } from '../../src/core/validation.js';

function ok(input: unknown): ConditionList {
  const r = parseConditionList(input);
  if (!r.ok) return assert.fail(`expected valid conditions, got ${JSON.stringify(r.issues)}`);
  return r.value;
}

function issues(input: unknown): readonly ValidationIssue[] {
  const r = parseConditionList(input);
  if (r.ok) return assert.fail(`expected issues, got ${JSON.stringify(r.value)}`);
  for (const i of r.issues) {
    assert.ok(i.path.startsWith('$'));
    assert.ok(i.message.length > 0);
  }
  return r.issues;
}

function issueAt(input: unknown, path: string, message?: RegExp): ValidationIssue {
  const list = issues(input);
  const found = list.find((i) => i.path === path);
  if (!found) return assert.fail(`expected an issue at ${path}, got ${JSON.stringify(list)}`);
  if (message) assert.match(found.message, message);
  return found;
}

describe('conditionListSchema: valid input', () => {
  test('every operator in its canonical form', () => {
    const list = ok([
      { path: 'a', op: 'eq', value: 'x' },
      { path: 'a', op: 'neq', value: null },
      { path: 'a', op: 'in', value: ['x', 1, true, null] },
      { path: 'a', op: 'not_in', value: [1] },
      { path: 'a', op: 'lt', value: 1 },
      { path: 'a', op: 'lte', value: -1.5 },
      { path: 'a', op: 'gt', value: 0 },
      { path: 'a', op: 'gte', value: 1e6 },
      { path: 'a', op: 'regex', value: '^prod-' },
      { path: 'a', op: 'regex', value: 'drop\\s+table', flags: 'is' },
      { path: 'a', op: 'contains', value: 'x' },
      { path: 'a', op: 'exists' },
      { path: 'a', op: 'exists', value: false },
    ]);
    assert.equal(list.length, 13);
    assert.deepEqual(list[11], { path: 'a', op: 'exists', value: true }, 'exists defaults to true');
    assert.deepEqual(list[10], { path: 'a', op: 'contains', value: 'x' });
  });

  test('PolicyLayer spelling field/operator is normalised to path/op', () => {
    assert.deepEqual(ok([{ field: 'args.amount', operator: 'gt', value: 10000 }]), [{ path: 'args.amount', op: 'gt', value: 10000 }]);
  });

  test('groups, and a single condition object as a one-element list', () => {
    assert.deepEqual(ok({ path: 'reason', op: 'exists' }), [{ path: 'reason', op: 'exists', value: true }]);
    const list = ok([{ any: [{ path: 'a', op: 'eq', value: 1 }, { not: { all: [{ path: 'b', op: 'exists' }] } }] }]);
    assert.deepEqual(list, [{ any: [{ path: 'a', op: 'eq', value: 1 }, { not: { all: [{ path: 'b', op: 'exists', value: true }] } }] }]);
  });

  test('nesting up to depth 8 is accepted', () => {
    let c: unknown = { path: 'a', op: 'exists' };
    for (let i = 0; i < 7; i++) c = { not: c };
    ok([c]);
  });

  test('mounted in another schema, issue paths continue from the mount point', () => {
    const rule = z.strictObject({ tools: z.record(z.string(), z.strictObject({ deny_if: conditionListSchema.optional() })) });
    const r = parseWith(rule, { tools: { 'create_*': { deny_if: [{ path: 'amount', op: 'gt', value: 1 }, { path: 'amount', op: 'greater' }] } } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.issues.map((i) => i.path), ['$.tools["create_*"].deny_if[1].op']);
    const fine = parseWith(rule, { tools: { t: {} } });
    assert.equal(fine.ok, true);
  });
});

describe('conditionListSchema: errors at exact paths', () => {
  test('unknown operator lists the valid ones', () => {
    const i = issueAt([{ path: 'a', op: 'eq', value: 1 }, { path: 'a', op: 'greater_than', value: 1 }], '$[1].op', /unknown operator "greater_than"/);
    for (const op of ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists']) assert.ok(i.message.includes(op), op);
    issueAt([{ field: 'a', operator: 'like', value: 'x' }], '$[0].operator', /unknown operator/);
    issueAt([{ path: 'a', op: 7 }], '$[0].op', /unknown operator 7/);
    issueAt([{ path: 'a' }], '$[0].op', /required/);
  });

  test('a regex that does not compile is reported at value', () => {
    issueAt([{ path: 'a', op: 'regex', value: '[' }], '$[0].value', /invalid regex/);
    issueAt([{ path: 'a', op: 'regex', value: '(?i)abc' }], '$[0].value', /invalid regex/);
    issueAt([{ path: 'a', op: 'regex', value: 'a{', flags: 'u' }], '$[0].value', /invalid regex/);
  });

  test('unsafe regexes are rejected at load', () => {
    issueAt([{ path: 'a', op: 'regex', value: '(a+)+$' }], '$[0].value', /unsafe regex.*nested/);
    issueAt([{ path: 'a', op: 'regex', value: '(.*)*' }], '$[0].value', /unsafe/);
    issueAt([{ path: 'a', op: 'regex', value: '(a|aa)+' }], '$[0].value', /alternation/);
    issueAt([{ path: 'a', op: 'regex', value: '(x)\\1' }], '$[0].value', /backreference/);
    issueAt([{ path: 'a', op: 'regex', value: '.*a.*b.*c' }], '$[0].value', /unsafe/);
  });

  test('regex flags: only imsu, once each, only on regex', () => {
    issueAt([{ path: 'a', op: 'regex', value: 'x', flags: 'g' }], '$[0].flags', /unsupported regex flag "g"/);
    issueAt([{ path: 'a', op: 'regex', value: 'x', flags: 'ii' }], '$[0].flags', /twice/);
    issueAt([{ path: 'a', op: 'regex', value: 'x', flags: 1 }], '$[0].flags');
    issueAt([{ path: 'a', op: 'eq', value: 'x', flags: 'i' }], '$[0].flags', /only to op "regex"/);
  });

  test('bad path syntax is reported at path (or field)', () => {
    issueAt([{ path: 'a..b', op: 'exists' }], '$[0].path', /expected a name/);
    issueAt([{ field: 'items[x]', operator: 'exists' }], '$[0].field', /array index/);
    issueAt([{ path: '', op: 'exists' }], '$[0].path', /empty/);
    issueAt([{ path: 5, op: 'exists' }], '$[0].path', /string/);
    issueAt([{ op: 'exists' }], '$[0].path', /required/);
    issueAt([{ path: 'a', field: 'a', op: 'exists' }], '$[0].field', /not both/);
    issueAt([{ path: 'a', op: 'exists', operator: 'exists' }], '$[0].operator', /not both/);
  });

  test('wrong value types for the operator', () => {
    issueAt([{ path: 'a', op: 'gt', value: '10000' }], '$[0].value', /number/);
    issueAt([{ path: 'a', op: 'lte', value: null }], '$[0].value', /number/);
    issueAt([{ path: 'a', op: 'gt' }], '$[0].value', /required/);
    issueAt([{ path: 'a', op: 'in', value: 'x' }], '$[0].value', /list/);
    issueAt([{ path: 'a', op: 'not_in', value: [] }], '$[0].value', /at least one/);
    issueAt([{ path: 'a', op: 'in', value: ['x', ['y']] }], '$[0].value[1]');
    issueAt([{ path: 'a', op: 'eq', value: { x: 1 } }], '$[0].value', /string, number, boolean or null/);
    issueAt([{ path: 'a', op: 'contains', value: [1] }], '$[0].value');
    issueAt([{ path: 'a', op: 'regex', value: 5 }], '$[0].value', /pattern string/);
    issueAt([{ path: 'a', op: 'exists', value: 'yes' }], '$[0].value', /true|false/);
  });

  test('unknown keys, non-objects, empty lists, bad groups', () => {
    issueAt([{ path: 'a', op: 'exists', vale: 1 }], '$[0].vale', /unknown field/);
    issueAt([{ all: [{ path: 'a', op: 'exists' }], path: 'a' }], '$[0].path', /unknown field/);
    issueAt([], '$', /empty/);
    issueAt('amount > 10', '$', /list of conditions/);
    issueAt([null], '$[0]', /expected a condition/);
    issueAt([{ any: [] }], '$[0].any', /empty/);
    issueAt([{ all: { path: 'a', op: 'exists' } }], '$[0].all', /list/);
    issueAt([{ not: [{ path: 'a', op: 'exists' }] }], '$[0].not', /expected a condition/);
    issueAt([{ any: [{ path: 'a', op: 'exists' }, { path: 'b', op: 'nope' }] }], '$[0].any[1].op');
    issueAt(Array.from({ length: 65 }, () => ({ path: 'a', op: 'exists' })), '$', /at most 64/);
  });

  test('nesting deeper than 8 is rejected at the level that overflows', () => {
    let c: unknown = { path: 'a', op: 'exists' };
    for (let i = 0; i < 8; i++) c = { not: c };
    issueAt([c], '$[0].not.not.not.not.not.not.not.not', /nest too deeply/);
    let g: unknown = { path: 'a', op: 'exists' };
    for (let i = 0; i < 8; i++) g = { any: [g] };
    issueAt([g], `$[0]${'.any[0]'.repeat(8)}`, /nest too deeply/);
  });

  test('all problems are reported at once', () => {
    const list = issues([{ path: 'a..b', op: 'gtt' }, { path: 'x', op: 'regex', value: '(a+)+' }, { path: 'y', op: 'in', value: 3 }]);
    assert.deepEqual(list.map((i) => i.path), ['$[0].path', '$[0].op', '$[1].value', '$[2].value']);
  });

  test('a __proto__ key is reported, not silently dropped', () => {
    issues(JSON.parse('[{"path": "a", "op": "exists", "__proto__": {}}]'));
  });
});
