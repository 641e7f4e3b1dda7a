/**
 * Throughput of the risk classifier on 100k tool definitions built from the evaluation set,
 * with name variations (camelCase, kebab-case, server prefixes, dotted namespaces). Baselines
 * measured in the same run put the number in context: tokenising names only, and
 * JSON.stringify of each definition (a lower bound for "touching" every field once).
 * Prints; never asserts. Run: npx tsc -p tsconfig.json && node dist/bench/risk.bench.js
 */
import { evalDefinition, loadEvalSet, type EvalEntry } from '../test/fixtures/risk/eval-set.js';
import { classifyTool, splitIdentifier, type ToolDefinitionInput } from '../src/core/risk/index.js';


const COUNT = 100_000;
const ROUNDS = 5;

function camel(name: string): string {
  return name.replace(/[_-]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function variant(e: EvalEntry, i: number): ToolDefinitionInput {
  const base = e.name;
  const name = [base, camel(base), base.replace(/_/g, '-'), `srv${i % 7}__${base}`, `${e.server.split('/')[0] ?? 'srv'}.${base}`][i % 5] ?? base;
  return {
    name,
    description: i % 11 === 0 ? '' : e.description,
    server: e.server,
    inputSchema: evalDefinition(e).inputSchema,
    annotations: e.annotations,
  };
}

function time(label: string, fn: () => number): { label: string; ns: number; sink: number } {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    sink += fn();
    const ns = Number(process.hrtime.bigint() - start);
    if (ns < best) best = ns;
  }
  return { label, ns: best, sink };
}

const entries = loadEvalSet();
const defs: ToolDefinitionInput[] = [];
for (let i = 0; i < COUNT; i++) {
  const e = entries[i % entries.length];
  if (e !== undefined) defs.push(variant(e, Math.floor(i / entries.length) + i));
}

// Warm up the JIT on every path before measuring.
for (let i = 0; i < 20_000; i++) classifyTool(defs[i % defs.length] as ToolDefinitionInput);

const tokenise = time('baseline: tokenise names only', () => {
  let n = 0;
  for (const d of defs) n += splitIdentifier(d.name).length;
  return n;
});
const stringify = time('baseline: JSON.stringify each definition', () => {
  let n = 0;
  for (const d of defs) n += JSON.stringify(d).length;
  return n;
});
const classify = time('classifyTool', () => {
  let n = 0;
  for (const d of defs) n += classifyTool(d).confidence;
  return n;
});

// A description of ~10 MB costs about what a short one does: only its head is read (normalising aside).
const short: ToolDefinitionInput = { name: 'get_thing', description: 'Get the thing.' };
const huge: ToolDefinitionInput = { name: 'get_thing', description: `Get the thing. ${'lorem ipsum dolor sit amet '.repeat(400_000)}` };
const HUGE_CALLS = 20;
const shortCalls = time('classifyTool, short description', () => {
  let n = 0;
  for (let i = 0; i < HUGE_CALLS; i++) n += classifyTool(short).confidence;
  return n;
});
const hugeCalls = time('classifyTool, ~10 MB description', () => {
  let n = 0;
  for (let i = 0; i < HUGE_CALLS; i++) n += classifyTool(huge).confidence;
  return n;
});

const lines: string[] = [`risk classifier bench: ${defs.length} definitions from ${entries.length} real tools, best of ${ROUNDS} rounds`];
for (const r of [tokenise, stringify, classify]) {
  const perDefUs = r.ns / 1000 / defs.length;
  const perSec = defs.length / (r.ns / 1e9);
  lines.push(`${r.label.padEnd(42)} ${(r.ns / 1e6).toFixed(1).padStart(8)} ms  ${Math.round(perSec).toLocaleString('en-US').padStart(12)} defs/s  ${perDefUs.toFixed(3).padStart(7)} µs/def`);
}
lines.push(`classifyTool / tokenise-only:   ${(classify.ns / tokenise.ns).toFixed(1)}x`);
lines.push(`classifyTool / JSON.stringify:  ${(classify.ns / stringify.ns).toFixed(1)}x`);
lines.push(`~10 MB description vs short one:  ${(hugeCalls.ns / HUGE_CALLS / 1e6).toFixed(2)} ms vs ${(shortCalls.ns / HUGE_CALLS / 1e3).toFixed(1)} µs per call`);
lines.push(`(checksum ${Math.round(tokenise.sink + stringify.sink + classify.sink + shortCalls.sink + hugeCalls.sink)})`);
process.stdout.write(`${lines.join('\n')}\n`);
