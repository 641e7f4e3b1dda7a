import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePolicy,
  parsePolicy,
  parsePolicyText,
  type CompiledPolicy,
  type Decision,
  type Policy,
} from '../../src/core/policy/index.js';

const SEED = '{ "version": "1", "default": "deny", "tools": { "get_dicom_import_job": {} } }';

function policyOf(doc: unknown): Policy {
  const result = parsePolicy(doc);
  if (!result.ok) return assert.fail(`invalid test policy: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function compile(doc: unknown, hideDefaultDenied = true): CompiledPolicy {
  return compilePolicy(policyOf(doc), { hideDefaultDenied });
}

function denial(decision: Decision): { rule: string; reason: string } {
  if (decision.kind !== 'deny') return assert.fail(`expected deny, got ${JSON.stringify(decision)}`);
  assert.equal(typeof decision.reason, 'string');
  assert.ok(decision.reason.length > 0, 'a denial always carries a reason');
  return { rule: decision.rule, reason: decision.reason };
}

describe('compilePolicy: the seed policy', () => {
  const parsed = parsePolicyText(SEED);
  if (!parsed.ok) throw new Error('seed must parse');
  const seed = compilePolicy(parsed.value, { hideDefaultDenied: true });

  test('get_dicom_import_job is allowed by its own rule', () => {
    assert.deepEqual(seed.decide('get_dicom_import_job'), { kind: 'allow', rule: 'tools.get_dicom_import_job', quotas: [] });
    assert.equal(seed.visibility('get_dicom_import_job'), 'listed');
  });

  test('any other tool is denied by the default rule', () => {
    for (const tool of ['delete_dicom_import_job', 'get_dicom_import_jobs', 'get_dicom_import_jo', 'GET_DICOM_IMPORT_JOB', '', ' get_dicom_import_job']) {
      const d = denial(seed.decide(tool));
      assert.equal(d.rule, 'default', `tool ${JSON.stringify(tool)}`);
    }
  });

  test('the default-deny reason names the tool', () => {
    const d = denial(seed.decide('drop_everything'));
    assert.match(d.reason, /drop_everything/);
  });

  test('default-denied tools are unlisted when hideDefaultDenied is true', () => {
    assert.equal(seed.visibility('delete_dicom_import_job'), 'unlisted');
  });

  test('default-denied tools are listed when hideDefaultDenied is false', () => {
    const shown = compilePolicy(parsed.value, { hideDefaultDenied: false });
    assert.equal(shown.visibility('delete_dicom_import_job'), 'listed');
    assert.equal(shown.visibility('get_dicom_import_job'), 'listed');
    assert.equal(shown.decide('delete_dicom_import_job').kind, 'deny', 'listing does not change the decision');
  });

  test('compiledPolicy.source is the parsed policy', () => {
    assert.deepEqual(seed.source, parsed.value);
  });
});

describe('compilePolicy: rules and actions', () => {
  test('an empty rule {} allows', () => {
    const p = compile({ version: '1', default: 'deny', tools: { read_file: {} } });
    assert.deepEqual(p.decide('read_file'), { kind: 'allow', rule: 'tools.read_file', quotas: [] });
  });

  test('action allow allows, even with a reason', () => {
    const p = compile({ version: '1', default: 'deny', tools: { read_file: { action: 'allow', reason: 'fine' } } });
    assert.deepEqual(p.decide('read_file'), { kind: 'allow', rule: 'tools.read_file', quotas: [] });
  });

  test('default allow allows tools with no rule via rule "default" and lists them', () => {
    const p = compile({ version: '1', default: 'allow', tools: { rm: { action: 'deny' } } });
    assert.deepEqual(p.decide('anything'), { kind: 'allow', rule: 'default', quotas: [] });
    assert.equal(p.visibility('anything'), 'listed');
    assert.equal(p.decide('rm').kind, 'deny');
  });

  test('action deny with a reason carries the reason text', () => {
    const p = compile({ version: '1', default: 'allow', tools: { drop_table: { action: 'deny', reason: 'Ask the DBA team instead.' } } });
    const d = denial(p.decide('drop_table'));
    assert.equal(d.rule, 'tools.drop_table');
    assert.ok(d.reason.includes('Ask the DBA team instead.'), d.reason);
  });

  test('action deny without a reason still gives a reason naming the rule key', () => {
    const p = compile({ version: '1', default: 'allow', tools: { drop_table: { action: 'deny' } } });
    const d = denial(p.decide('drop_table'));
    assert.equal(d.rule, 'tools.drop_table');
    assert.match(d.reason, /drop_table/);
  });

  test('an explicitly denied tool stays listed (only default-denied tools are unlisted)', () => {
    for (const hideDefaultDenied of [true, false]) {
      const p = compile({ version: '1', default: 'deny', tools: { drop_table: { action: 'deny' }, 'delete_*': { action: 'deny', reason: 'no' } } }, hideDefaultDenied);
      assert.equal(p.visibility('drop_table'), 'listed');
      assert.equal(p.visibility('delete_user'), 'listed');
      assert.equal(p.visibility('other'), hideDefaultDenied ? 'unlisted' : 'listed');
    }
  });

  test('rule paths use bracket notation for glob and non-identifier keys', () => {
    const p = compile({ version: '1', default: 'deny', tools: { 'delete_*': { action: 'deny' }, 'get_*': {}, 'a.b': {}, 'x-y': {} } });
    assert.equal(p.decide('delete_x').rule, 'tools["delete_*"]');
    assert.deepEqual(p.decide('get_x'), { kind: 'allow', rule: 'tools["get_*"]', quotas: [] });
    assert.deepEqual(p.decide('a.b'), { kind: 'allow', rule: 'tools["a.b"]', quotas: [] });
    assert.deepEqual(p.decide('x-y'), { kind: 'allow', rule: 'tools["x-y"]', quotas: [] });
  });

  test('decisions are stable across repeated calls', () => {
    const p = compile({ version: '1', default: 'deny', tools: { a: {}, 'b*': { action: 'deny', reason: 'r' } } });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(p.decide('a'), { kind: 'allow', rule: 'tools.a', quotas: [] });
      assert.deepEqual(p.decide('bx'), { kind: 'deny', rule: 'tools["b*"]', reason: 'r' });
      assert.equal(p.decide('c').rule, 'default');
    }
  });

  test('decisions stay correct after more distinct tool names than the memo holds', () => {
    const p = compile({ version: '1', default: 'deny', tools: { keep: {}, 'x_*': { action: 'deny', reason: 'xr' } } });
    for (let i = 0; i < 10_050; i++) assert.equal(p.decide(`made_up_${i}`).kind, 'deny');
    assert.deepEqual(p.decide('keep'), { kind: 'allow', rule: 'tools.keep', quotas: [] });
    assert.deepEqual(p.decide('x_new'), { kind: 'deny', rule: 'tools["x_*"]', reason: 'xr' });
    assert.equal(p.decide('never_seen').rule, 'default');
  });

  test('tool names that look like Object.prototype members get no inherited rule', () => {
    const p = compile({ version: '1', default: 'deny', tools: { get_x: {} } });
    for (const tool of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const d = denial(p.decide(tool));
      assert.equal(d.rule, 'default', tool);
      assert.equal(p.visibility(tool), 'unlisted', tool);
    }
  });

  test('a rule keyed "constructor" is honoured like any other name', () => {
    const p = compile({ version: '1', default: 'allow', tools: { constructor: { action: 'deny', reason: 'c' } } });
    assert.deepEqual(p.decide('constructor'), { kind: 'deny', rule: 'tools.constructor', reason: 'c' });
  });

  test('compiling does not mutate the policy', () => {
    const policy = policyOf({ version: '1', default: 'deny', tools: { 'b*': {}, a: {} }, hide: ['z*', 'y'] });
    const before = JSON.stringify(policy);
    compilePolicy(policy, { hideDefaultDenied: true }).decide('a');
    assert.equal(JSON.stringify(policy), before);
  });
});

describe('compilePolicy: argument conditions and approvals', () => {
  const p = compile({
    version: '1',
    default: 'deny',
    tools: {
      charge: { deny_if: [{ path: 'amount', op: 'gt', value: 10000 }], reason: 'charges over 10000 need finance' },
      refund: { require: [{ path: 'args.reason', op: 'exists' }], rate_limit: { max: 5, window: 60 } },
      'wire_*': { require_approval_if: [{ path: 'amount', op: 'gte', value: 1000 }] },
      approve_me: { action: 'require_approval', reason: 'always ask' },
      read: {},
    },
  });

  test('deny_if denies when it matches, naming the rule, the reason and what it found; allows otherwise', () => {
    const big = denial(p.decide('charge', undefined, { amount: 20000 }));
    assert.equal(big.rule, 'tools.charge.deny_if');
    assert.match(big.reason, /^charges over 10000 need finance \(.*amount/);
    assert.equal(p.decide('charge', undefined, { amount: 50 }).kind, 'allow');
  });

  test('a value that cannot be checked fails closed: a string amount or a missing one denies', () => {
    assert.equal(p.decide('charge', undefined, { amount: '20000' }).kind, 'deny');
    assert.equal(p.decide('charge', undefined, {}).kind, 'deny');
    assert.equal(p.decide('charge').kind, 'deny', 'no arguments at all');
  });

  test('require allows only when the condition clearly holds, and keeps the rule quotas', () => {
    const ok = p.decide('refund', undefined, { reason: 'damaged' });
    assert.equal(ok.kind, 'allow');
    assert.deepEqual(ok.kind === 'allow' && ok.quotas.map((q) => q.id), ['tools.refund.rate_limit']);
    const missing = denial(p.decide('refund', undefined, { amount: 3 }));
    assert.equal(missing.rule, 'tools.refund.require');
    assert.match(missing.reason, /required condition does not hold.*reason/);
  });

  test('require_approval_if and action require_approval hold the call, with the default 120 s wait', () => {
    assert.equal(p.decide('wire_eur', undefined, { amount: 10 }).kind, 'allow');
    const held = p.decide('wire_eur', undefined, { amount: 5000 });
    assert.equal(held.kind, 'hold');
    assert.equal(held.rule, 'tools["wire_*"].require_approval_if');
    assert.ok(held.kind === 'hold' && held.timeoutMs === 120_000 && held.wait);
    assert.match(held.kind === 'hold' ? held.reason : '', /approval.*amount/);
    const always = p.decide('approve_me', undefined, {});
    assert.deepEqual(always.kind === 'hold' && [always.rule, always.reason], ['tools.approve_me', 'always ask']);
  });

  test('approval settings: timeout and wait per rule; quotas still apply once approved', () => {
    const q = compile({ version: '1', default: 'deny', tools: { pay: { action: 'require_approval', approval: { timeout: '30s', wait: false }, rate_limit: { max: 2, window: 60 } } } });
    const held = q.decide('pay', undefined, {});
    assert.ok(held.kind === 'hold');
    assert.deepEqual([held.timeoutMs, held.wait, held.quotas.map((x) => x.id)], [30_000, false, ['tools.pay.rate_limit']]);
  });

  test('approval.ask_client is carried on the hold only when the rule says, so the gateway setting applies otherwise', () => {
    const q = compile({
      version: '1',
      default: 'deny',
      tools: {
        ask: { action: 'require_approval', approval: { ask_client: true } },
        never: { action: 'require_approval', approval: { ask_client: false } },
        unsaid: { action: 'require_approval', approval: { timeout: '30s' } },
        big: { require_approval_if: [{ path: 'n', op: 'gt', value: 1 }], approval: { ask_client: true } },
      },
    });
    const askOf = (tool: string, args: unknown = {}) => {
      const held = q.decide(tool, undefined, args);
      assert.ok(held.kind === 'hold', `${tool} is held`);
      return held.askClient;
    };
    assert.deepEqual([askOf('ask'), askOf('never'), askOf('unsaid'), askOf('big', { n: 2 })], [true, false, undefined, true]);
    assert.ok(!('askClient' in q.decide('unsaid', undefined, {})), 'absent, not undefined');
  });

  test('conditional tools stay listed, and their effect says conditional or approval', () => {
    assert.equal(p.visibility('charge'), 'listed');
    assert.equal(p.effect('charge'), 'conditional');
    assert.equal(p.effect('refund'), 'conditional');
    assert.equal(p.effect('wire_x'), 'approval');
    assert.equal(p.effect('read'), 'allow');
  });

  test('bad conditions are load errors with their path: empty lists, null, unknown operators, unsafe regexes', () => {
    const issues = (tools: unknown) => {
      const parsed = parsePolicyText(JSON.stringify({ version: '1', default: 'deny', tools }));
      return parsed.ok ? [] : parsed.issues.map((i) => i.path);
    };
    assert.ok(issues({ x: { deny_if: [] } }).some((path) => path.startsWith('$.tools.x.deny_if')));
    assert.ok(issues({ x: { require: null } }).some((path) => path.startsWith('$.tools.x.require')));
    assert.ok(issues({ x: { deny_if: [{ path: 'a', op: 'resembles', value: 1 }] } }).includes('$.tools.x.deny_if[0].op'));
    assert.ok(issues({ x: { deny_if: [{ path: 'a', op: 'regex', value: '(a+)+$' }] } }).includes('$.tools.x.deny_if[0].value'));
  });
});

describe('compilePolicy: quotas (rate_limit, limits, all_tools)', () => {
  test('rate_limit allows and carries its quota, per tool and per session by default', () => {
    const p = compile({ version: '1', default: 'deny', tools: { create_x: { rate_limit: { max: 10, window: 60 } } } });
    assert.deepEqual(p.decide('create_x'), {
      kind: 'allow',
      rule: 'tools.create_x',
      quotas: [{ id: 'tools.create_x.rate_limit', max: 10, windowMs: 60_000, scope: 'session', perTool: true }],
    });
    assert.equal(p.effect('create_x'), 'limit');
  });

  test('windows accept duration strings, and limits lists several quotas with scopes', () => {
    const p = compile({ version: '1', default: 'deny', tools: { 'send_*': { limits: [{ max: 30, window: '1m' }, { max: 500, window: '1d', scope: 'agent' }, { max: 2, window: '250ms', scope: 'global' }] } } });
    const d = p.decide('send_mail');
    assert.equal(d.kind, 'allow');
    if (d.kind !== 'allow') return;
    assert.deepEqual(d.quotas.map((q) => [q.id, q.max, q.windowMs, q.scope]), [
      ['tools["send_*"].limits[0]', 30, 60_000, 'session'],
      ['tools["send_*"].limits[1]', 500, 86_400_000, 'agent'],
      ['tools["send_*"].limits[2]', 2, 250, 'global'],
    ]);
  });

  test('all_tools.limits apply to every allowed call, counted across tools, and never to denied ones', () => {
    const p = compile({ version: '1', default: 'deny', all_tools: { limits: [{ max: 100, window: 60 }] }, tools: { read: {}, write: { rate_limit: { max: 5, window: 60 } }, rm: { action: 'deny' } } });
    const read = p.decide('read');
    const write = p.decide('write');
    assert.ok(read.kind === 'allow' && write.kind === 'allow');
    assert.deepEqual(read.quotas, [{ id: 'all_tools.limits[0]', max: 100, windowMs: 60_000, scope: 'session', perTool: false }]);
    assert.deepEqual(write.quotas.map((q) => q.id), ['tools.write.rate_limit', 'all_tools.limits[0]']);
    assert.equal(p.decide('rm').kind, 'deny');
    assert.equal(p.decide('unknown').kind, 'deny');
    assert.equal(p.effect('read'), 'limit');
  });

  test('bad windows are load errors with their path', () => {
    const bad = parsePolicyText(JSON.stringify({ version: '1', default: 'deny', tools: { x: { limits: [{ max: 1, window: '5 fortnights' }] } } }));
    assert.ok(!bad.ok);
    assert.deepEqual(bad.issues.map((i) => i.path), ['$.tools.x.limits[0].window']);
  });
});

describe('compilePolicy: hide', () => {
  test('an exact name in hide is hidden even when it has an exact tools rule', () => {
    const p = compile({ version: '1', default: 'deny', tools: { secret: {} }, hide: ['secret'] });
    assert.equal(p.visibility('secret'), 'hidden');
  });

  test('an exact name in hide is hidden when the default is allow', () => {
    const p = compile({ version: '1', default: 'allow', hide: ['secret'] });
    assert.equal(p.visibility('secret'), 'hidden');
    assert.equal(p.visibility('secret2'), 'listed');
    assert.equal(p.visibility('secre'), 'listed');
  });

  test('hide "*" hides everything except tools with an exact tools entry', () => {
    for (const hideDefaultDenied of [true, false]) {
      const p = compile({ version: '1', default: 'deny', hide: ['*'], tools: { get_x: {}, drop: { action: 'deny' }, 'list_*': {} } }, hideDefaultDenied);
      assert.equal(p.visibility('get_x'), 'listed');
      assert.equal(p.visibility('drop'), 'listed');
      assert.equal(p.visibility('list_things'), 'hidden', 'a glob tools entry does not escape a hide glob');
      assert.equal(p.visibility('other'), 'hidden');
      assert.equal(p.visibility(''), 'hidden');
    }
  });

  test('hide "*" with default allow hides tools that have no exact rule', () => {
    const p = compile({ version: '1', default: 'allow', hide: ['*'], tools: { read: {} } });
    assert.equal(p.visibility('read'), 'listed');
    assert.equal(p.visibility('write'), 'hidden');
  });

  test('a hide glob "delete_*" hides matching tools except those with an exact tools entry', () => {
    const p = compile({ version: '1', default: 'allow', hide: ['delete_*'], tools: { delete_draft: {}, 'delete_t*': { action: 'deny' } } });
    assert.equal(p.visibility('delete_user'), 'hidden');
    assert.equal(p.visibility('delete_'), 'hidden');
    assert.equal(p.visibility('delete_temp'), 'hidden');
    assert.equal(p.visibility('delete_draft'), 'listed');
    assert.equal(p.visibility('undelete_user'), 'listed');
    assert.equal(p.visibility('delete'), 'listed');
  });

  test('a hide glob with ? matches exactly one character', () => {
    const p = compile({ version: '1', default: 'allow', hide: ['tmp?'] });
    assert.equal(p.visibility('tmp1'), 'hidden');
    assert.equal(p.visibility('tmp'), 'listed');
    assert.equal(p.visibility('tmp12'), 'listed');
  });

  test('an exact hide entry wins over an exact tools entry while a hide glob does not', () => {
    const p = compile({ version: '1', default: 'deny', hide: ['a', 'b*'], tools: { a: {}, bb: {} } });
    assert.equal(p.visibility('a'), 'hidden');
    assert.equal(p.visibility('bb'), 'listed');
    assert.equal(p.visibility('bc'), 'hidden');
  });

  test('hide entries are literal apart from * and ?', () => {
    const p = compile({ version: '1', default: 'allow', hide: ['a.b', 'v1.*', 'x+'] });
    assert.equal(p.visibility('a.b'), 'hidden');
    assert.equal(p.visibility('axb'), 'listed');
    assert.equal(p.visibility('v1.get'), 'hidden');
    assert.equal(p.visibility('v1xget'), 'listed');
    assert.equal(p.visibility('x+'), 'hidden');
    assert.equal(p.visibility('xx'), 'listed');
  });

  test('an empty hide list hides nothing', () => {
    const p = compile({ version: '1', default: 'allow', hide: [] });
    assert.equal(p.visibility('anything'), 'listed');
  });
});

describe('compilePolicy: version is a stable content hash', () => {
  const doc = { version: '1', default: 'deny', tools: { a: {}, 'b*': { action: 'deny', reason: 'r' } }, hide: ['z'] };

  test('the version is a non-empty string', () => {
    const v = compile(doc).version;
    assert.equal(typeof v, 'string');
    assert.ok(v.length > 0);
  });

  test('the same policy compiled twice has the same version', () => {
    assert.equal(compile(doc).version, compile(structuredClone(doc)).version);
  });

  test('whitespace and top-level key order in the file do not change the version', () => {
    const a = parsePolicyText(JSON.stringify(doc));
    const b = parsePolicyText(
      `{\n  "hide": ["z"],\n  "tools": {"a": {}, "b*": {"reason": "r", "action": "deny"}},\n  "default": "deny",\n  "version": "1"\n}\n`,
    );
    if (!a.ok || !b.ok) return assert.fail('test policies must parse');
    assert.equal(compilePolicy(a.value, { hideDefaultDenied: true }).version, compilePolicy(b.value, { hideDefaultDenied: true }).version);
  });

  test('reordering the entries inside tools does not change the version (no spurious reload)', () => {
    const reordered = { version: '1', default: 'deny', hide: ['z'], tools: { 'b*': { reason: 'r', action: 'deny' }, a: {} } };
    assert.equal(compile(doc).version, compile(reordered).version);
  });

  test('the seed policy has the same version on every load', () => {
    const a = parsePolicyText(SEED);
    const b = parsePolicyText(SEED);
    if (!a.ok || !b.ok) return assert.fail('seed must parse');
    assert.equal(compilePolicy(a.value, { hideDefaultDenied: true }).version, compilePolicy(b.value, { hideDefaultDenied: false }).version);
  });

  test('any change to the policy changes the version', () => {
    const v = compile(doc).version;
    const variants: unknown[] = [
      { ...doc, default: 'allow' },
      { ...doc, tools: { ...doc.tools, c: {} } },
      { ...doc, tools: { a: {}, 'b*': { action: 'deny', reason: 'r2' } } },
      { ...doc, tools: { a: { action: 'deny' }, 'b*': { action: 'deny', reason: 'r' } } },
      { ...doc, hide: ['z', 'y'] },
      { ...doc, hide: [] },
      { ...doc, all_tools: { limits: [] } },
    ];
    const versions = new Set([v]);
    for (const variant of variants) {
      const other = compile(variant).version;
      assert.notEqual(other, v, JSON.stringify(variant));
      versions.add(other);
    }
    assert.equal(versions.size, variants.length + 1, 'every variant has its own version');
  });
});
