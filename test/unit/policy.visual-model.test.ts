import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../src/core/policy/index.js';
import { textToValue, toPolicy, toVisual, valueToText, withState, type JsonObject } from '../../src/core/policy/visual-model.js';

/** Documents that use every field the builder edits, and several it only carries along. */
const DOCS: Record<string, JsonObject> = {
  seed: { version: '1', default: 'deny', tools: { get_dicom_import_job: {} } },
  states: {
    version: '1',
    default: 'allow',
    tools: {
      read_file: {},
      explicit_allow: { action: 'allow', reason: 'fine' },
      delete_workspace: { action: 'deny', reason: 'platform team only' },
      charge: { deny_if: [{ path: 'amount', op: 'gt', value: 10000 }], reason: 'charges over 10000 need finance' },
      refund: { require: [{ path: 'args.reason', op: 'exists', value: true }], rate_limit: { max: 5, window: '1m', scope: 'agent' } },
      wire_transfer: { action: 'require_approval', require_approval_if: [{ path: 'amount', op: 'gte', value: 1000 }], approval: { timeout: '2m', wait: false } },
      query: { deny_if: { any: [{ path: 'sql', op: 'regex', value: 'drop', flags: 'i' }, { field: 'database', operator: 'in', value: ['prod'] }] } },
      secret_tool: { reason: 'an exact key exempts it from the glob hide' },
      'list_*': { limits: [{ max: 30, window: 60 }, { max: 500, window: '1d' }] },
    },
    hide: ['internal_*', 'secret_tool', 'debug'],
    all_tools: { limits: [{ max: 100, window: '1h' }] },
    agents: { 'ci-bot': { tools: { deploy: { rate_limit: { max: 1, window: '1h' } } } } },
    block_findings: 'high',
  },
  empties: { version: '1', default: 'deny', tools: {}, hide: [] },
  invalid: { version: '2', default: 'maybe', tools: { x: 'not a rule', y: { acton: 'deny' }, z: { reason: '' } } },
};

describe('visual policy model', () => {
  for (const [name, doc] of Object.entries(DOCS)) {
    it(`round-trips the ${name} document unchanged, with catalog tools added as inherit rows`, () => {
      const visual = toVisual(doc, ['read_file', 'echo', 'zeta']);
      assert.deepEqual(toPolicy(visual), doc);
      assert.deepEqual(toVisual(toPolicy(visual), ['read_file', 'echo', 'zeta']), visual, 'and back again');
    });
  }

  it('reads each tool into the builder state a person would pick', () => {
    const states = Object.fromEntries(toVisual(DOCS['states'] as JsonObject, ['echo']).tools.map((t) => [t.name, t.state]));
    assert.deepEqual(states, {
      read_file: 'allow',
      explicit_allow: 'allow',
      delete_workspace: 'deny',
      charge: 'custom',
      refund: 'custom',
      wire_transfer: 'custom',
      query: 'custom',
      secret_tool: 'hide',
      'list_*': 'custom',
      'internal_*': 'hide',
      debug: 'hide',
      echo: 'inherit',
    });
    const refund = toVisual(DOCS['states'] as JsonObject).tools.find((t) => t.name === 'refund');
    assert.deepEqual(refund?.rateLimit, { max: 5, window: '1m', scope: 'agent' });
    assert.deepEqual(refund?.conditions.require, [{ path: 'args.reason', op: 'exists', value: true }]);
  });

  it('writes each state as the policy format expects, and the result is a valid policy', () => {
    const visual = toVisual({ version: '1', default: 'deny' }, ['a', 'b', 'c', 'd']);
    const [a, b, c, d] = visual.tools;
    assert.ok(a && b && c && d);
    visual.tools = [
      withState(a, 'allow'),
      { ...withState(b, 'deny'), reason: 'no' },
      withState(c, 'hide'),
      { ...withState(d, 'custom'), requireApproval: true, rateLimit: { max: 3, window: 60 }, conditions: { deny_if: [{ path: 'n', op: 'gt', value: textToValue('5') }], require: [], require_approval_if: [] } },
    ];
    const doc = toPolicy(visual);
    assert.deepEqual(doc, {
      version: '1',
      default: 'deny',
      tools: { a: {}, b: { action: 'deny', reason: 'no' }, d: { action: 'require_approval', rate_limit: { max: 3, window: 60 }, deny_if: [{ path: 'n', op: 'gt', value: 5 }] } },
      hide: ['c'],
    });
    assert.equal(parsePolicy(doc).ok, true);
  });

  it('leaving a state drops what it carried: Custom → Allow forgets limits, Hide → Custom starts from nothing', () => {
    const charge = toVisual(DOCS['states'] as JsonObject).tools.find((t) => t.name === 'refund');
    assert.ok(charge);
    assert.deepEqual(withState(charge, 'allow'), { ...charge, state: 'allow', rateLimit: null, conditions: { deny_if: [], require: [], require_approval_if: [] }, extra: {}, reason: '' });
    const secret = toVisual(DOCS['states'] as JsonObject).tools.find((t) => t.name === 'secret_tool');
    assert.ok(secret);
    assert.deepEqual(withState(secret, 'custom').extra, {});
  });

  it('shows condition values as text that reads back to the same JSON value', () => {
    for (const value of ['plain', '10', 'true', '["a"]', 10, true, null, ['prod', 'billing'], '']) {
      assert.deepEqual(textToValue(valueToText(value)), value, JSON.stringify(value));
    }
    assert.equal(valueToText('plain'), 'plain');
    assert.equal(valueToText('10'), '"10"');
  });
});
