import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePolicy } from '../../src/core/policy/index.js';
import { CLI, SEED_POLICY, fixture } from '../helpers/harness.js';

interface CatalogJson {
  tools: { server: string; name: string; category: string; level: string; confidence: number; rationale: string; policy: string; rule: string; definitionHash: string }[];
  failures: { server: string; error: string }[];
}

describe('gatehouse catalog and policy suggest/check against real upstreams', () => {
  let dir: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
  const withConfig = (config: string, ...args: string[]) => run(...args, '-c', join(dir, config));

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-catalog-'));
    writeFileSync(join(dir, 'policy.json'), SEED_POLICY);
    const server = (name: string, file: string) => `  ${name}: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(fixture(file))}] }`;
    writeFileSync(join(dir, 'prometheus.yaml'), ['policy: { path: policy.json }', 'servers:', server('prometheus', 'prometheus')].join('\n'));
    writeFileSync(
      join(dir, 'mixed.yaml'),
      ['policy: { path: policy.json }', 'upstream_defaults: { connect_timeout_ms: 3000 }', 'risk_overrides: { "faulty/echo": { category: Write, level: High } }', 'servers:', server('prometheus', 'prometheus'), server('faulty', 'faulty'), '  broken: { command: /nonexistent/server }'].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json lists every tool with risk, policy effect and definition hash', () => {
    const result = withConfig('prometheus.yaml', 'catalog', '--json');
    assert.equal(result.status, 0, result.stderr);
    const { tools, failures } = JSON.parse(result.stdout) as CatalogJson;
    assert.deepEqual(failures, []);
    assert.equal(tools.length, 6);
    const byName = new Map(tools.map((t) => [t.name, t]));
    const seed = byName.get('get_dicom_import_job');
    assert.ok(seed);
    assert.deepEqual([seed.category, seed.level, seed.policy, seed.rule], ['Read', 'Low', 'allow', 'tools.get_dicom_import_job']);
    assert.ok(seed.confidence < 0.8, 'no description lowers confidence');
    assert.match(seed.rationale, /'get_' prefix/);
    assert.equal(byName.get('delete_workspace')?.category, 'Destructive');
    assert.equal(byName.get('delete_workspace')?.policy, 'deny');
    assert.match(seed.definitionHash, /^[0-9a-f]{64}$/);
    assert.match(result.stderr, /prometheus: 6 tools/, 'progress is shown on stderr');
  });

  it('prints an aligned table without colour when not on a TTY, and filters', () => {
    const table = withConfig('prometheus.yaml', 'catalog', '--risk', 'critical');
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^SERVER\s+TOOL\s+CATEGORY\s+LEVEL\s+CONF\s+POLICY\s+FINDINGS\s+PIN\s+HASH$/);
    assert.ok(lines.slice(1).every((l) => /Critical/.test(l)) && lines.length === 3, table.stdout);
    assert.doesNotMatch(table.stdout, /\u001b\[/);
    const allowed = withConfig('prometheus.yaml', 'catalog', '--decision', 'allow');
    assert.deepEqual(allowed.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]), ['get_dicom_import_job']);
  });

  it('reports an upstream that fails and still shows the others; applies risk overrides', () => {
    const result = withConfig('mixed.yaml', 'catalog', '--json');
    assert.equal(result.status, 0, result.stderr);
    const { tools, failures } = JSON.parse(result.stdout) as CatalogJson;
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.server, 'broken');
    assert.ok(tools.some((t) => t.server === 'prometheus') && tools.some((t) => t.server === 'faulty'));
    const echo = tools.find((t) => t.server === 'faulty' && t.name === 'echo');
    assert.deepEqual([echo?.category, echo?.level], ['Write', 'High']);
    assert.match(echo?.rationale ?? '', /overrid/i);
    assert.match(result.stderr, /broken: failed/);
  });

  it('explain prints a policy page with risk, rationale, attack patterns and the recommended rule', () => {
    const result = withConfig('prometheus.yaml', 'catalog', 'explain', 'delete_workspace');
    assert.equal(result.status, 0, result.stderr);
    for (const section of ['What it does', 'Risk: Destructive · Critical', 'Why it needs a policy', 'Documented attack patterns', 'Recommended rule']) assert.ok(result.stdout.includes(section), section);
    assert.match(result.stdout, /https:\/\//, 'patterns carry a public reference');
    assert.match(result.stdout, /"require_approval"/);
    const missing = withConfig('prometheus.yaml', 'catalog', 'explain', 'nope');
    assert.equal(missing.status, 2);
  });

  it('policy suggest writes a valid policy that yields exactly the seed rule for get_dicom_import_job', () => {
    const result = withConfig('prometheus.yaml', 'policy', 'suggest');
    assert.equal(result.status, 0, result.stderr);
    const suggested = JSON.parse(result.stdout) as { default: string; tools: Record<string, Record<string, unknown>> };
    assert.ok(parsePolicy(suggested).ok, 'passes the validator');
    assert.equal(suggested.default, 'deny');
    assert.deepEqual(suggested.tools['get_dicom_import_job'], {});
    assert.equal(suggested.tools['delete_workspace']?.['action'], 'require_approval');
    assert.ok(suggested.tools['create_workspace']?.['rate_limit'], 'writes are rate-limited');
    for (const [name, rule] of Object.entries(suggested.tools)) if (Object.keys(rule).length > 0) assert.ok(typeof rule['reason'] === 'string', `${name} carries a reason`);
    const strict = JSON.parse(withConfig('prometheus.yaml', 'policy', 'suggest', '--strict').stdout) as typeof suggested;
    assert.equal(strict.tools['delete_workspace']?.['action'], 'deny');
    assert.equal(withConfig('prometheus.yaml', 'policy', 'suggest', '--strict', '--permissive').status, 2);
  });

  it('policy check shows what a candidate does per tool and warns about dead rules and risky allows', () => {
    writeFileSync(join(dir, 'candidate.json'), JSON.stringify({ version: '1', default: 'deny', tools: { delete_workspace: {}, get_dicom_import_job: {}, not_a_tool: {}, 'zzz_*': {} } }));
    const result = withConfig('prometheus.yaml', 'policy', 'check', join(dir, 'candidate.json'));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /delete_workspace\s+Destructive\s+Critical\s+allow\s+tools\.delete_workspace/);
    assert.match(result.stdout, /warning: tools\["not_a_tool"\] matches no tool/);
    assert.match(result.stdout, /warning: tools\["zzz_\*"\] matches no tool/);
    assert.match(result.stdout, /warning: 'delete_workspace' is Destructive/);
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify({ version: '1', default: 'deny', tools: { x: { action: 'nuke' } } }));
    const invalid = withConfig('prometheus.yaml', 'policy', 'check', join(dir, 'invalid.json'));
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /\$\.tools\.x\.action/);
  });
});
