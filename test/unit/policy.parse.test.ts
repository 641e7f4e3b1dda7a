import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, parsePolicy, parsePolicyText, type Policy } from '../../src/core/policy/index.js';
import type { Parsed, ValidationIssue } from '../../src/core/validation.js';
import { issueAt, paths } from '../helpers/issues.js';

const SEED = '{ "version": "1", "default": "deny", "tools": { "get_dicom_import_job": {} } }';

function ok(result: Parsed<Policy>): Policy {
  if (!result.ok) return assert.fail(`expected a valid policy, got issues: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function issues(result: Parsed<Policy>): readonly ValidationIssue[] {
  if (result.ok) return assert.fail(`expected issues, got a valid policy: ${JSON.stringify(result.value)}`);
  assert.ok(result.issues.length > 0, 'a failed parse reports at least one issue');
  for (const issue of result.issues) {
    assert.equal(typeof issue.path, 'string');
    assert.ok(issue.path.startsWith('$'), `path ${issue.path} is a JSON path starting at $`);
    assert.equal(typeof issue.message, 'string');
    assert.ok(issue.message.length > 0, 'every issue has a message');
  }
  return result.issues;
}


const base = { version: '1', default: 'deny' } as const;

describe('parsePolicyText: the seed policy', () => {
  test('the seed policy parses exactly as written', () => {
    const policy = ok(parsePolicyText(SEED));
    assert.equal(policy.version, '1');
    assert.equal(policy.default, 'deny');
    assert.deepEqual(Object.keys(policy.tools), ['get_dicom_import_job']);
    assert.deepEqual(policy.tools['get_dicom_import_job'], {});
  });

  test('hide defaults to an empty list and tools to an empty map', () => {
    const policy = ok(parsePolicy({ version: '1', default: 'allow' }));
    assert.deepEqual(policy.hide, []);
    assert.deepEqual(policy.tools, {});
    assert.equal(policy.all_tools, undefined);
  });

  test('parsePolicyText and parsePolicy agree on the same document', () => {
    const doc = { version: '1', default: 'deny', tools: { 'delete_*': { action: 'deny', reason: 'no' } }, hide: ['x'] };
    assert.deepEqual(ok(parsePolicyText(JSON.stringify(doc))), ok(parsePolicy(doc)));
  });

  test('a full PolicyLayer-shaped file is accepted', () => {
    const doc = {
      version: '1',
      default: 'deny',
      hide: ['*'],
      all_tools: { limits: [{ max: 100, window: 3600 }] },
      tools: {
        refund: { require: [{ path: 'args.reason', op: 'exists' }] },
        charge: { deny_if: [{ path: 'args.amount', op: 'gt', value: 10000 }], limits: [{ max: 30, window: 60 }] },
        transfer: { require_approval_if: [{ path: 'args.amount', op: 'gt', value: 5 }] },
        approve_me: { action: 'require_approval', reason: 'a human must look' },
        list_things: { rate_limit: { max: 10, window: 60, scope: 'global' } },
        'delete_*': { action: 'deny', reason: 'never delete' },
        read: { action: 'allow' },
      },
    };
    const policy = ok(parsePolicy(doc));
    assert.deepEqual(policy.tools['list_things']?.rate_limit, { max: 10, window: 60, scope: 'global' });
    assert.equal(policy.tools['approve_me']?.action, 'require_approval');
    assert.deepEqual(policy.hide, ['*']);
    assert.deepEqual(policy.all_tools, { limits: [{ max: 100, window: 3600 }] });
  });

  test('rate_limit scope values session, agent and global are all accepted', () => {
    for (const scope of ['session', 'agent', 'global']) {
      ok(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 1, window: 1, scope } } } }));
    }
  });

  test('rate_limit window may be fractional (seconds), max must be a positive integer', () => {
    const policy = ok(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 3, window: 0.5 } } } }));
    assert.deepEqual(policy.tools['x']?.rate_limit, { max: 3, window: 0.5 });
  });
});

describe('parsePolicy: validation issues name the JSON path', () => {
  test('version other than "1" is an issue at $.version', () => {
    for (const version of ['2', '1.0', 1, null, '']) {
      const list = issues(parsePolicy({ ...base, version }));
      assert.deepEqual(paths(list), ['$.version'], `version ${JSON.stringify(version)}`);
    }
  });

  test('missing version is an issue at $.version', () => {
    assert.ok(paths(issues(parsePolicy({ default: 'deny' }))).includes('$.version'));
  });

  test('default that is not allow/deny is an issue at $.default', () => {
    for (const value of ['Deny', 'require_approval', true, undefined]) {
      const doc: Record<string, unknown> = { version: '1', tools: {} };
      if (value !== undefined) doc['default'] = value;
      assert.deepEqual(paths(issues(parsePolicy(doc))), ['$.default'], `default ${JSON.stringify(value)}`);
    }
  });

  test('an unknown top-level key is an issue naming that key', () => {
    const list = issues(parsePolicy({ ...base, tool: {} }));
    const issue = issueAt(list, '$.tool');
    assert.match(issue.message, /unknown/i);
    assert.match(issue.message, /tool/);
  });

  test('a typo in a rule key ("acton") is an issue at $.tools.get_x.acton, not silently ignored', () => {
    const list = issues(parsePolicy({ ...base, tools: { get_x: { acton: 'deny' } } }));
    assert.deepEqual(paths(list), ['$.tools.get_x.acton']);
    assert.match(list[0]?.message ?? '', /acton/);
  });

  test('an unknown key under a glob tool key uses bracket notation', () => {
    const list = issues(parsePolicy({ ...base, tools: { 'delete_*': { reasn: 'x' } } }));
    assert.deepEqual(paths(list), ['$.tools["delete_*"].reasn']);
  });

  test('a bad action value is an issue at $.tools["delete_*"].action', () => {
    const list = issues(parsePolicy({ ...base, tools: { 'delete_*': { action: 'block' } } }));
    assert.deepEqual(paths(list), ['$.tools["delete_*"].action']);
    assert.match(list[0]?.message ?? '', /allow/);
    assert.match(list[0]?.message ?? '', /deny/);
  });

  test('action must be a string from the enum, not another type', () => {
    for (const action of [true, 1, null, ['deny'], 'DENY']) {
      assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { action } } }))), ['$.tools.x.action']);
    }
  });

  test('a reason that is not a string is an issue at .reason', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { action: 'deny', reason: 42 } } }))), ['$.tools.x.reason']);
  });

  test('an overlong reason is rejected at .reason', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { reason: 'r'.repeat(2001) } } }))), ['$.tools.x.reason']);
    ok(parsePolicy({ ...base, tools: { x: { reason: 'r'.repeat(2000) } } }));
  });

  test('rate_limit with max 0 is an issue at $.tools.x.rate_limit.max', () => {
    const list = issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 0, window: 60 } } } }));
    assert.deepEqual(paths(list), ['$.tools.x.rate_limit.max']);
  });

  test('rate_limit with a negative max is an issue at .max', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: -1, window: 60 } } } }))), ['$.tools.x.rate_limit.max']);
  });

  test('rate_limit with a non-integer max is an issue at .max', () => {
    const list = issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 1.5, window: 60 } } } }));
    assert.deepEqual(paths(list), ['$.tools.x.rate_limit.max']);
  });

  test('rate_limit with max given as a string is an issue at .max', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: '10', window: 60 } } } }))), ['$.tools.x.rate_limit.max']);
  });

  test('rate_limit without window is an issue at $.tools.x.rate_limit.window', () => {
    const list = issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 10 } } } }));
    assert.deepEqual(paths(list), ['$.tools.x.rate_limit.window']);
  });

  test('rate_limit with window 0 is an issue at .window', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 1, window: 0 } } } }))), ['$.tools.x.rate_limit.window']);
  });

  test('rate_limit with max 0 and no window reports both paths', () => {
    const list = issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 0 } } } }));
    assert.deepEqual(paths(list).sort(), ['$.tools.x.rate_limit.max', '$.tools.x.rate_limit.window']);
  });

  test('rate_limit with an unknown scope is an issue at .scope', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 1, window: 1, scope: 'user' } } } }))), ['$.tools.x.rate_limit.scope']);
  });

  test('rate_limit with an unknown key is an issue naming it', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: { rate_limit: { max: 1, window: 1, burst: 2 } } } }))), ['$.tools.x.rate_limit.burst']);
  });

  test('malformed JSON is exactly one issue at $ saying it is not valid JSON', () => {
    for (const text of ['{', '{"version": "1",}', '', 'version: "1"', "{'version':'1'}"]) {
      const list = issues(parsePolicyText(text));
      assert.equal(list.length, 1, `text ${JSON.stringify(text)}`);
      assert.equal(list[0]?.path, '$');
      assert.match(list[0]?.message ?? '', /not valid JSON/);
    }
  });

  test('JSON that is not an object is an issue at $', () => {
    for (const text of ['null', '[]', '"1"', '42', 'true']) {
      assert.deepEqual(paths(issues(parsePolicyText(text))), ['$'], `text ${text}`);
    }
  });

  test('an empty tool key is an issue at $.tools[""]', () => {
    const list = issues(parsePolicy({ ...base, tools: { '': {} } }));
    assert.deepEqual(paths(list), ['$.tools[""]']);
  });

  test('the empty tool key issue says what was expected (the key cannot be empty)', () => {
    // schema.ts declares the message 'a tool key cannot be empty' for this case.
    const list = issues(parsePolicy({ ...base, tools: { '': {} } }));
    assert.match(list[0]?.message ?? '', /empty/i);
  });

  test('tools must be an object and a rule must be an object', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: ['x'] }))), ['$.tools']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: 'allow' } }))), ['$.tools.x']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { x: null } }))), ['$.tools.x']);
  });

  test('hide must be a list of non-empty strings', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, hide: '*' }))), ['$.hide']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, hide: ['a', ''] }))), ['$.hide[1]']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, hide: ['a', 3] }))), ['$.hide[1]']);
  });

  test('several problems are all reported, each with its own path', () => {
    const list = issues(
      parsePolicy({
        version: '2',
        default: 'maybe',
        tools: { 'delete_*': { action: 'nuke' }, get_x: { acton: 'deny' }, y: { rate_limit: { max: 0, window: 1 } } },
        extra: true,
      }),
    );
    assert.deepEqual(
      paths(list).sort(),
      ['$.default', '$.extra', '$.tools["delete_*"].action', '$.tools.get_x.acton', '$.tools.y.rate_limit.max', '$.version'].sort(),
    );
  });

  test('tool keys that are not identifiers are quoted in the path', () => {
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { 'a.b': { action: 'x' } } }))), ['$.tools["a.b"].action']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { 'a b': { action: 'x' } } }))), ['$.tools["a b"].action']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { '9lives': { action: 'x' } } }))), ['$.tools["9lives"].action']);
    assert.deepEqual(paths(issues(parsePolicy({ ...base, tools: { 'say "hi"': { action: 'x' } } }))), ['$.tools["say \\"hi\\""].action']);
  });

  test('a "__proto__" tool key is never silently dropped: it is rejected or it is enforced (fail closed)', () => {
    // JSON.parse makes "__proto__" an own key; an ignored key in a security policy fails open.
    const result = parsePolicyText('{"version":"1","default":"allow","tools":{"__proto__":{"action":"deny","reason":"blocked"}}}');
    if (!result.ok) {
      assert.ok(
        result.issues.some((i) => i.path.includes('__proto__')),
        `the issue names the key: ${JSON.stringify(result.issues)}`,
      );
      return;
    }
    const decision = compilePolicy(result.value, { hideDefaultDenied: true }).decide('__proto__');
    assert.equal(decision.kind, 'deny', `the deny rule for "__proto__" was lost: ${JSON.stringify(decision)}`);
  });

  test('parsing does not mutate its input', () => {
    const doc = { version: '1', default: 'deny', tools: { x: {} } };
    const before = JSON.stringify(doc);
    ok(parsePolicy(doc));
    assert.equal(JSON.stringify(doc), before);
  });

  test('approval.ask_client must be a boolean', () => {
    const list = issues(parsePolicy({ ...base, tools: { t: { action: 'require_approval', approval: { ask_client: 'yes' } } } }));
    assert.deepEqual(paths(list), ['$.tools.t.approval.ask_client']);
    assert.equal(ok(parsePolicy({ ...base, tools: { t: { action: 'require_approval', approval: { ask_client: true } } } })).tools['t']?.approval?.ask_client, true);
  });
});
