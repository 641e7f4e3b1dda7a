/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time per package.
 *
 *   node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top=25] [--calls N] [--inclusive REGEX]
 *
 * --calls N adds a column of ms per call (the profiled process served N calls, warm-up included).
 * --inclusive REGEX also lists the functions whose "name  file" label matches, by inclusive (total) time:
 * their own time plus everything they called (each sample counted once per function, however deep the recursion).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a script lives: a package under node_modules, node's own internals, or the project. */
function owner(url: string): string {
  if (url === '') return '(native/VM)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const project = /\/dist\/(src|bench|test)\//.exec(url);
  return project ? `gatehouse ${project[1]}/` : url;
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'}  ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

const args = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [value] = args.splice(i, 2).slice(1);
  return value;
}
const calls = Number(option('--calls') ?? Number.NaN);
const inclusivePattern = option('--inclusive');
const [file, topArg] = args;
if (!file) {
  process.stderr.write('usage: node dist/bench/cpu-profile-summary.js <file.cpuprofile> [top] [--calls N] [--inclusive REGEX]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  total += us;
  if (node.callFrame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  const key = label(node.callFrame);
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const who = node.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : owner(node.callFrame.url);
  byOwner.set(who, (byOwner.get(who) ?? 0) + us);
}
const busy = total - idle;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const perCall = (us: number) => (Number.isFinite(calls) && calls > 0 ? ` ${(us / 1000 / calls).toFixed(4).padStart(7)} ms/call` : '');
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms${perCall(us)}`;
process.stdout.write(`${file}\nsampled ${ms(total).trim()}, busy (not idle) ${ms(busy).trim()}; percentages are of busy time\n\nself time by package:\n`);
for (const [who, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`${ms(us)} ${pct(us)}  ${who}\n`);
process.stdout.write(`\ntop ${top} functions by self time:\n`);
for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ${pct(us)}  ${key}\n`);

if (inclusivePattern) {
  const re = new RegExp(inclusivePattern);
  // Parent of each node, to walk from a sampled node up to the root.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      const key = label(node.callFrame);
      if (seen.has(key) || !re.test(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  process.stdout.write(`\ninclusive time of functions matching /${inclusivePattern}/:\n`);
  for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ${pct(us)}  ${key}\n`);
}
