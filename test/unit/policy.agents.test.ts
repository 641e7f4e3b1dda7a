import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../../src/core/policy/index.js';

function compile(raw: unknown): CompiledPolicy {
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return compilePolicy(parsed.value, { hideDefaultDenied: true });
}

const policy = compile({
  version: '1',
  default: 'deny',
  tools: { read_file: {}, 'write_*': { rate_limit: { max: 5, window: 60 } }, deploy: { action: 'deny', reason: 'humans deploy' } },
  hide: ['internal_*'],
  agents: {
    'ci-bot': {
      tools: { deploy: { rate_limit: { max: 1, window: 3600 } }, write_file: { action: 'deny', reason: 'CI never writes files' } },
      hide: ['read_*'],
    },
    'night-owl': { default: 'allow', all_tools: { limits: [{ max: 100, window: '1h' }] } },
  },
});

describe('per-agent policy sections', () => {
  test('an agent rule overrides the global rule for that agent only', () => {
    const ci = policy.decide('deploy', 'ci-bot');
    assert.equal(ci.kind, 'allow');
    assert.equal(ci.rule, 'agents["ci-bot"].tools.deploy');
    assert.deepEqual(ci.kind === 'allow' && ci.quotas.map((q) => [q.id, q.max]), [['agents["ci-bot"].tools.deploy.rate_limit', 1]]);
    assert.equal(policy.decide('deploy').kind, 'deny');
    assert.equal(policy.decide('deploy', 'someone-else').kind, 'deny');
  });

  test('an exact agent rule beats a global glob; global rules fill what the agent section leaves out', () => {
    const denied = policy.decide('write_file', 'ci-bot');
    assert.equal(denied.kind, 'deny');
    assert.equal(denied.kind === 'deny' && denied.reason, 'CI never writes files');
    assert.equal(policy.decide('write_log', 'ci-bot').rule, 'tools["write_*"]');
  });

  test('agent hide adds to global hide; an exact rule elsewhere still outranks a hide glob', () => {
    assert.equal(policy.visibility('read_file', 'ci-bot'), 'listed', 'read_file has an exact global rule');
    assert.equal(policy.visibility('read_secrets', 'ci-bot'), 'hidden');
    assert.equal(policy.visibility('read_secrets'), 'unlisted');
    assert.equal(policy.visibility('internal_x', 'night-owl'), 'hidden', 'global hide applies to every agent');
  });

  test('an agent default replaces the global default, and its all_tools quotas apply to it alone', () => {
    const owl = policy.decide('anything', 'night-owl');
    assert.equal(owl.kind, 'allow');
    assert.equal(owl.rule, 'agents["night-owl"].default');
    assert.deepEqual(owl.kind === 'allow' && owl.quotas.map((q) => [q.id, q.windowMs, q.perTool]), [['agents["night-owl"].all_tools.limits[0]', 3_600_000, false]]);
    assert.equal(policy.visibility('anything', 'night-owl'), 'listed');
    assert.equal(policy.effect('anything', 'night-owl'), 'limit');
    assert.equal(policy.decide('anything').kind, 'deny');
    const read = policy.decide('read_file', 'night-owl');
    assert.deepEqual(read.kind === 'allow' && read.quotas.map((q) => q.id), ['agents["night-owl"].all_tools.limits[0]']);
  });

  test('agent names and sections are validated with paths', () => {
    const bad = parsePolicy({ version: '1', default: 'deny', agents: { 'bad name': {}, ok: { default: 'maybe', tools: { x: { acton: 'deny' } } } } });
    assert.ok(!bad.ok);
    const paths = bad.issues.map((i) => i.path).sort();
    assert.ok(paths.some((p) => p.startsWith('$.agents')), paths.join());
    assert.ok(paths.includes('$.agents.ok.default'), paths.join());
    assert.ok(paths.includes('$.agents.ok.tools.x.acton'), paths.join());
  });
});
