import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalDefinition, loadEvalSet, type EvalEntry } from '../fixtures/risk/eval-set.js';
import { classifyTool, RISK_CATEGORIES, type RiskCategory, type ToolDefinitionInput } from '../../src/core/risk/index.js';

/**
 * Agreement with a hand-labelled set of real tool definitions from public MCP servers
 * (test/fixtures/risk/eval-set.json). The held-out split was fixed (every 4th entry per server)
 * before the rules were tuned, and is reported separately.
 */


const entries = loadEvalSet();

const toDefinition = (e: EvalEntry): ToolDefinitionInput => evalDefinition(e);

interface Score {
  total: number;
  agree: number;
  matrix: Record<RiskCategory, Record<RiskCategory, number>>;
}

function score(subset: readonly EvalEntry[]): Score {
  const matrix = {} as Record<RiskCategory, Record<RiskCategory, number>>;
  for (const a of RISK_CATEGORIES) {
    matrix[a] = { Read: 0, Write: 0, Execute: 0, Destructive: 0, Financial: 0, Other: 0 };
  }
  let agree = 0;
  for (const e of subset) {
    const got = classifyTool(toDefinition(e)).category;
    matrix[e.label][got] += 1;
    if (got === e.label) agree += 1;
  }
  return { total: subset.length, agree, matrix };
}

function recall(s: Score, c: RiskCategory): number {
  const row = s.matrix[c];
  const n = RISK_CATEGORIES.reduce((sum, k) => sum + row[k], 0);
  return n === 0 ? 1 : row[c] / n;
}

function report(label: string, s: Score): string {
  const head = `${'label vs got'.padEnd(13)}${RISK_CATEGORIES.map((c) => c.slice(0, 5).padStart(7)).join('')}   recall`;
  const rows = RISK_CATEGORIES.map(
    (a) => `${a.padEnd(13)}${RISK_CATEGORIES.map((b) => String(s.matrix[a][b]).padStart(7)).join('')}   ${recall(s, a).toFixed(2)}`,
  );
  return [`${label}: agreement ${(s.agree / s.total).toFixed(3)} (${s.agree}/${s.total})`, head, ...rows].join('\n');
}

const all = score(entries);
const dev = score(entries.filter((e) => e.split === 'dev'));
const heldout = score(entries.filter((e) => e.split === 'heldout'));

test('the evaluation set is large, varied and balanced enough to mean something', () => {
  assert.ok(entries.length >= 400, `only ${entries.length} entries`);
  const servers = new Set(entries.map((e) => e.server.split(' (')[0]));
  assert.ok(servers.size >= 20, `only ${servers.size} servers`);
  const count = (c: RiskCategory): number => entries.filter((e) => e.label === c).length;
  assert.ok(count('Destructive') >= 40, `Destructive: ${count('Destructive')}`);
  assert.ok(count('Financial') >= 40, `Financial: ${count('Financial')}`);
  const held = entries.filter((e) => e.split === 'heldout').length;
  assert.ok(held / entries.length >= 0.18, `held-out share ${held}/${entries.length}`);
  for (const e of entries) assert.ok(RISK_CATEGORIES.includes(e.label), `${e.name}: bad label ${String(e.label)}`);
});

test('agreement with hand labels on the whole set', (t) => {
  // One diagnostic per line: TAP escapes embedded newlines.
  for (const [label, s] of [['all', all], ['dev', dev], ['heldout', heldout]] as const) {
    for (const line of report(label, s).split('\n')) t.diagnostic(line);
  }
  assert.ok(all.agree / all.total >= 0.92, `overall agreement ${(all.agree / all.total).toFixed(3)}`);
  assert.ok(recall(all, 'Destructive') >= 0.85, `Destructive recall ${recall(all, 'Destructive').toFixed(2)}`);
  assert.ok(recall(all, 'Financial') >= 0.85, `Financial recall ${recall(all, 'Financial').toFixed(2)}`);
});

test('agreement with hand labels on the held-out split', () => {
  assert.ok(heldout.agree / heldout.total >= 0.92, `held-out agreement ${(heldout.agree / heldout.total).toFixed(3)}`);
  assert.ok(recall(heldout, 'Destructive') >= 0.85, `held-out Destructive recall ${recall(heldout, 'Destructive').toFixed(2)}`);
  assert.ok(recall(heldout, 'Financial') >= 0.85, `held-out Financial recall ${recall(heldout, 'Financial').toFixed(2)}`);
});

test('every assessment in the set is well-formed, with a one-to-three sentence rationale', () => {
  for (const e of entries) {
    const a = classifyTool(toDefinition(e));
    assert.ok(a.confidence >= 0 && a.confidence <= 1, e.name);
    const sentences = a.rationale.split(/(?<=[.!?])\s+(?=[A-Z'‘“(])/).filter((s) => s.trim().length > 0);
    assert.ok(sentences.length >= 1 && sentences.length <= 3, `${e.name}: ${a.rationale}`);
    assert.doesNotMatch(a.rationale, /undefined|NaN|\[object/, e.name);
  }
});
