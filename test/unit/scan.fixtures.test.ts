import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evalDefinition, loadEvalSet, type EvalEntry } from '../fixtures/risk/eval-set.js';
import { atLeast, scanCatalog, scanTool, highestSeverity, type Finding, type ScannedTool, type Severity } from '../../src/core/scan/index.js';

/**
 * Fixture sets: benign real-world style descriptions (test/fixtures/scan/benign.json), malicious
 * examples modelled on published tool-poisoning write-ups (malicious.json), and the 742 real tool
 * definitions of test/fixtures/risk/eval-set.json. Findings on benign input are printed so a
 * regression shows what fired, not only that something did.
 */

interface Malicious extends ScannedTool {
  id: string;
  note: string;
  expect: string[];
  expectLocation?: string;
  minSeverity: Severity;
  otherTools?: { server: string; name: string }[];
}

const load = <T>(rel: string): T => JSON.parse(readFileSync(new URL(`../../../test/fixtures/${rel}`, import.meta.url), 'utf8')) as T;
const benign = load<(ScannedTool & { id: string })[]>('scan/benign.json');
const malicious = load<Malicious[]>('scan/malicious.json');
const evalSet = loadEvalSet();

function show(key: string, fs: readonly Finding[]): string {
  return fs.map((f) => `  ${key} ${f.severity} ${f.id} @${f.location}: ${f.evidence}`).join('\n');
}

test('fixture sizes', () => {
  assert.ok(benign.length >= 40, `benign: ${benign.length}`);
  assert.ok(malicious.length >= 25, `malicious: ${malicious.length}`);
  assert.equal(evalSet.length, 742);
});

test('benign fixtures produce no findings, alone or as one catalog', () => {
  const noisy: string[] = [];
  for (const tool of benign) {
    const fs = scanTool(tool, { otherTools: [] });
    if (fs.length > 0) noisy.push(show(tool.id, fs));
  }
  const catalog = scanCatalog(benign);
  for (const [key, fs] of catalog) {
    const unexpected = fs.filter((f) => f.id !== 'name-collision' && f.id !== 'name-lookalike');
    if (unexpected.length > 0) noisy.push(show(key, unexpected));
  }
  if (noisy.length > 0) console.log(`benign findings:\n${noisy.join('\n')}`);
  assert.deepEqual(noisy, []);
});

test('malicious fixtures are all caught with the expected ids and severity', () => {
  const missed: string[] = [];
  for (const m of malicious) {
    const fs = scanTool(m, { otherTools: m.otherTools ?? [] });
    const ids = new Set(fs.map((f) => f.id));
    const missing = m.expect.filter((id) => !ids.has(id));
    const top = highestSeverity(fs);
    if (missing.length > 0 || top === undefined || !atLeast(top, m.minSeverity)) {
      missed.push(`${m.id}: missing [${missing.join(', ')}], top ${top ?? 'none'}\n${show(m.id, fs)}`);
    }
    if (m.expectLocation !== undefined) {
      assert.ok(fs.some((f) => f.location === m.expectLocation), `${m.id}: no finding at ${m.expectLocation}`);
    }
    for (const f of fs) assert.ok(f.evidence.length <= 120, `${m.id}: evidence too long`);
  }
  assert.deepEqual(missed, []);
});

const toTool = (e: EvalEntry): ScannedTool => evalDefinition(e);

test('742 real tool definitions: no high or critical findings', () => {
  const tools = evalSet.map(toTool);
  const counts: Record<string, number> = {};
  const highs: string[] = [];
  for (const t of tools) {
    const fs = scanTool(t, { otherTools: [] });
    for (const f of fs) counts[`${f.id}:${f.severity}`] = (counts[`${f.id}:${f.severity}`] ?? 0) + 1;
    const bad = fs.filter((f) => atLeast(f.severity, 'high'));
    if (bad.length > 0) highs.push(show(`${t.server}/${t.name}`, bad));
  }
  const catalog = scanCatalog(tools);
  const catalogCounts: Record<string, number> = {};
  for (const [key, fs] of catalog) {
    for (const f of fs) catalogCounts[`${f.id}:${f.severity}`] = (catalogCounts[`${f.id}:${f.severity}`] ?? 0) + 1;
    const bad = fs.filter((f) => atLeast(f.severity, 'high'));
    if (bad.length > 0) highs.push(show(key, bad));
  }
  console.log(`eval-set per-tool findings: ${JSON.stringify(counts)}; as one catalog: ${JSON.stringify(catalogCounts)}`);
  if (highs.length > 0) console.log(`high findings:\n${highs.join('\n')}`);
  assert.deepEqual(highs, []);
});
