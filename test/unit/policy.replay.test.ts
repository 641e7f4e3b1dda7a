import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy, parsePolicy, replayDecisions, type RecordedCall } from '../../src/core/policy/index.js';

function compile(raw: unknown) {
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return compilePolicy(parsed.value, { hideDefaultDenied: true });
}

let seq = 0;
const call = (tool: string, decision: string, time: number, agent = 'a', session = 's1'): RecordedCall => ({ seq: ++seq, time, agent, session, tool, decision });

describe('policy replay against recorded calls', () => {
  test('reports newly denied and newly allowed calls per tool and agent, with the deciding rule', () => {
    const records = [call('read', 'allow', 1000), call('read', 'allow', 2000, 'b'), call('delete', 'deny', 3000), call('delete', 'deny', 4000), call('write', 'allow', 5000)];
    const report = replayDecisions(records, compile({ version: '1', default: 'deny', tools: { read: {}, delete: {}, write: { action: 'deny' } }, agents: { b: { tools: { read: { action: 'deny' } } } } }));
    assert.equal(report.replayed, 5);
    assert.equal(report.unchanged, 1);
    assert.equal(report.newlyDenied, 2);
    assert.equal(report.newlyAllowed, 2);
    assert.deepEqual(
      report.changes.map((c) => [c.tool, c.agent, c.from, c.to, c.count, c.rule]),
      [
        ['delete', 'a', 'deny', 'allow', 2, 'tools.delete'],
        ['read', 'b', 'allow', 'deny', 1, 'agents.b.tools.read'],
        ['write', 'a', 'allow', 'deny', 1, 'tools.write'],
      ],
    );
  });

  test('simulates a tighter quota on the recorded clock, per session', () => {
    const records = [0, 10_000, 20_000, 30_000, 70_000].map((t) => call('send', 'allow', t)).concat([call('send', 'allow', 20_000, 'a', 's2')]);
    const report = replayDecisions(records, compile({ version: '1', default: 'deny', tools: { send: { rate_limit: { max: 2, window: 60 } } } }));
    // s1: t=0 and 10s admitted, 20s and 30s refused, 70s admitted again (t=0 and 10s have left the window); s2 has its own count.
    assert.deepEqual(report.changes.map((c) => [c.tool, c.from, c.to, c.count]), [['send', 'allow', 'limit', 2]]);
    assert.equal(report.newlyDenied, 2);
  });

  test('replays in time order even when records arrive out of order, and skips approval records', () => {
    const records = [call('send', 'allow', 3000), call('send', 'allow', 1000), call('send', 'approved', 2000)];
    const report = replayDecisions(records, compile({ version: '1', default: 'deny', tools: { send: { rate_limit: { max: 1, window: 60 } } } }));
    assert.equal(report.replayed, 2);
    assert.equal(report.changes[0]?.count, 1);
  });
});
