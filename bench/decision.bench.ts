/**
 * Cost of one policy decision as the rule count grows: 10, 1 000 and 10 000 rules (a tenth of them globs, a fifth
 * with quotas, per-agent sections on top). Reported per call as the median over batches, for the warm path (the
 * memoised resolution, what every repeated tool name costs) and the cold path (a fresh compile, each tool decided
 * for the first time: exact lookup, then the glob scan). The ratio 10k/10 shows whether cost is flat in rule count.
 * Prints; never asserts. Run: npx tsc -p tsconfig.json && node dist/bench/decision.bench.js
 */
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../src/core/policy/index.js';
import { fmt, percentile, table } from './lib/stats.js';

function policyWith(rules: number): { policy: CompiledPolicy; tools: string[] } {
  const tools: Record<string, unknown> = {};
  const names: string[] = [];
  for (let i = 0; i < rules; i++) {
    if (i % 10 === 9) {
      tools[`group${i}_*`] = { action: 'deny', reason: 'grouped' };
      names.push(`group${i}_member`);
    } else {
      const name = `tool_${i}_${(i * 2654435761) % 9973}`;
      tools[name] = i % 5 === 0 ? { rate_limit: { max: 10, window: 60 } } : {};
      names.push(name);
    }
  }
  const agents = { 'ci-bot': { tools: { [names[0] ?? 'x']: { action: 'deny' } } } };
  const parsed = parsePolicy({ version: '1', default: 'deny', tools, agents, all_tools: { limits: [{ max: 1000, window: 60 }] } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { policy: compilePolicy(parsed.value, { hideDefaultDenied: true }), tools: names };
}

/** Median ns per decide over batches of `batch` calls. */
function measure(policy: () => CompiledPolicy, tools: readonly string[], batch: number, batches: number): number {
  const samples: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const p = policy();
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink += p.decide(tools[(b * batch + i) % tools.length] as string, i % 7 === 0 ? 'ci-bot' : undefined).rule.length;
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  if (sink === 42) process.stdout.write('');
  return percentile(samples, 50);
}

const rows: string[][] = [];
const results = new Map<number, { warm: number; cold: number }>();
for (const rules of [10, 1_000, 10_000]) {
  const { policy, tools } = policyWith(rules);
  const warm = measure(() => policy, tools, 10_000, 200);
  const raw = parsePolicy(policy.source);
  if (!raw.ok) throw new Error('reparse failed');
  // A fresh compile per batch so every decision in it is a first one; the compile itself is outside the timing.
  const fresh: CompiledPolicy[] = Array.from({ length: 20 }, () => compilePolicy(raw.value, { hideDefaultDenied: true }));
  let next = 0;
  const cold = measure(() => fresh[next++ % fresh.length] as CompiledPolicy, tools, Math.min(rules, 1000), 20);
  results.set(rules, { warm, cold });
  rows.push([String(rules), fmt(warm / 1000, 3), fmt(cold / 1000, 3)]);
}
process.stdout.write('policy decision cost (µs per decide, median over batches)\n');
process.stdout.write(table(['rules', 'warm µs', 'cold µs'], rows));
const small = results.get(10);
const large = results.get(10_000);
if (small && large) {
  process.stdout.write(`\nwarm 10k/10 rules: ${fmt(large.warm / small.warm, 2)}x   cold 10k/10 rules: ${fmt(large.cold / small.cold, 2)}x   (target: warm p50 ≤ 2 µs, flat in rule count)\n`);
}
