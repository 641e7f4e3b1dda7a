/**
 * Idle memory of `gatehouse serve` with 1 and with N stdio upstreams, against a bare Node process measured in
 * the same run. Each process runs with bench/lib/memory-probe.js preloaded. BENCH_IDLE_SETTLE_MS after it is
 * ready (for gatehouse: its "listening" line) the bench reads /proc/<pid>/status, then has the probe report the
 * V8 heap, run a full GC and report the live heap. Median of BENCH_RUNS runs.
 *
 *   npm run bench:idle
 *   BENCH_IDLE_COMPARE=/path/to/other/dist/src/cli/main.js node dist/bench/idle-memory.js   # two builds, same run
 *
 * Knobs: see "Idle memory" in bench/README.md.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAIN_JS, ROOT, writeGatehouseConfig } from './lib/gatehouse.js';
import type { HeapView, ProbeReport } from './lib/memory-probe.js';
import { descendantRssMb, ProcessRegistry, sleep, spawnHttpGateway, stopChild } from './lib/procs.js';
import { envInt, runBench } from './lib/run.js';
import { fmt, median, table } from './lib/stats.js';

const RUNS = Math.max(1, envInt('BENCH_RUNS', 3));
const SETTLE_MS = envInt('BENCH_IDLE_SETTLE_MS', 5000);
const UPSTREAMS = [...new Set([1, envInt('BENCH_IDLE_UPSTREAMS', 10)])];
const NODE_FLAGS = (process.env['BENCH_GATEHOUSE_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
const BUILDS = [MAIN_JS, ...(process.env['BENCH_IDLE_COMPARE'] ?? '').split(',').filter(Boolean).map((p) => resolve(p))];
/** If set, one heap snapshot per gatehouse row (first run, after the full GC) is written into this directory. */
const SNAPSHOT_DIR = process.env['BENCH_IDLE_SNAPSHOT_DIR'] ? resolve(process.env['BENCH_IDLE_SNAPSHOT_DIR']) : undefined;
const PROBE_ARGS = ['--expose-gc', '--import', pathToFileURL(fileURLToPath(new URL('./lib/memory-probe.js', import.meta.url))).href];
const MB = 1024 * 1024;

interface Sample {
  readonly rss: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly heapUsed: number;
  readonly heapCommitted: number;
  readonly newSpace: number;
  readonly oldSpace: number;
  readonly code: number;
  readonly external: number;
  readonly liveHeap: number;
  readonly upstreamsRss: number;
}

interface Row {
  readonly label: string;
  readonly samples: Sample[];
}

const registry = new ProcessRegistry();
let tmpDir: string | undefined;

function statusMb(pid: number): (field: string) => number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024;
}

const residentMb = (view: HeapView, space: string) => (view.spaces[space]?.physical ?? 0) / MB;

/** Reads /proc first, then asks the probe (which allocates a little, then collects) for the V8 side. */
async function sample(pid: number, reportFile: string): Promise<Sample> {
  const status = statusMb(pid);
  const upstreamsRss = descendantRssMb(pid);
  rmSync(reportFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 30_000;
  let report: ProbeReport | undefined;
  while (!report) {
    if (Date.now() > deadline) throw new Error(`pid ${pid}: no memory probe report in ${reportFile}`);
    await sleep(20);
    if (existsSync(reportFile)) report = JSON.parse(readFileSync(reportFile, 'utf8')) as ProbeReport;
  }
  const { idle, afterGc } = report;
  return {
    rss: status('VmRSS'),
    rssAnon: status('RssAnon'),
    rssFile: status('RssFile'),
    heapUsed: idle.memoryUsage.heapUsed / MB,
    heapCommitted: idle.memoryUsage.heapTotal / MB,
    newSpace: residentMb(idle, 'new_space'),
    oldSpace: residentMb(idle, 'old_space'),
    code: residentMb(idle, 'code_space') + residentMb(idle, 'code_large_object_space'),
    external: idle.memoryUsage.external / MB,
    liveHeap: (afterGc?.memoryUsage.heapUsed ?? Number.NaN) / MB,
    upstreamsRss,
  };
}

const probeEnv = (reportFile: string, snapshot?: string): NodeJS.ProcessEnv => ({
  ...process.env,
  MEMORY_PROBE_OUT: reportFile,
  ...(snapshot ? { MEMORY_PROBE_SNAPSHOT: snapshot } : {}),
});

async function bareNode(dir: string): Promise<Sample> {
  const reportFile = join(dir, 'bare.json');
  const child = spawn(process.execPath, [...PROBE_ARGS, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: probeEnv(reportFile) });
  registry.add(child.pid);
  try {
    await sleep(SETTLE_MS);
    return await sample(child.pid as number, reportFile);
  } finally {
    await stopChild(child);
  }
}

async function gatehouse(dir: string, mainJs: string, upstreams: number, snapshot?: string): Promise<Sample> {
  const configDir = join(dir, `upstreams-${upstreams}`);
  mkdirSync(configDir, { recursive: true });
  const configFile = writeGatehouseConfig(configDir, { upstreams });
  const reportFile = join(configDir, 'probe.json');
  const gateway = await spawnHttpGateway(mainJs, configFile, registry, [...PROBE_ARGS, ...NODE_FLAGS], { env: probeEnv(reportFile, snapshot) });
  try {
    await sleep(SETTLE_MS);
    return await sample(gateway.pid, reportFile);
  } finally {
    await stopChild(gateway.child);
    await registry.killAll();
  }
}

function report(rows: readonly Row[]): void {
  const med = (row: Row, field: keyof Sample) => median(row.samples.map((s) => s[field]));
  const bareRss = rows[0] && med(rows[0], 'rss');
  const header = ['process', 'RSS', '÷ node', '− node', 'anon', 'file', 'heap used', 'heap committed', 'new space', 'old space', 'code', 'external', 'live heap', 'upstreams RSS'];
  const lines = rows.map((row) => {
    const rss = med(row, 'rss');
    return [
      row.label,
      fmt(rss, 1),
      bareRss && rss ? `${fmt(rss / bareRss, 2)}×` : '—',
      bareRss && rss ? fmt(rss - bareRss, 1) : '—',
      ...(['rssAnon', 'rssFile', 'heapUsed', 'heapCommitted', 'newSpace', 'oldSpace', 'code', 'external', 'liveHeap', 'upstreamsRss'] as const).map((k) => fmt(med(row, k), 1)),
    ];
  });
  process.stdout.write(`\n${table(header, lines)}\n\n`);
  process.stdout.write(`MB, median of ${RUNS} run(s), read ${SETTLE_MS / 1000} s after ready. RSS = anon + file (file: mapped code, mostly the node binary).\n`);
  process.stdout.write('new/old space and code: resident V8 heap spaces (new space = both young-generation semi-spaces).\n');
  process.stdout.write("live heap: heap used after a full GC by the probe. upstreams RSS: the server-everything children, not in the gateway's RSS.\n");
}

async function main(): Promise<void> {
  const dir = (tmpDir = mkdtempSync(join(tmpdir(), 'gatehouse-idle-')));
  const bare: Row = { label: 'node (bare)', samples: [] };
  const gatehouseRows = BUILDS.flatMap((build) => UPSTREAMS.map((upstreams) => ({ build, upstreams, row: { label: `${relative(ROOT, build) || build}, ${upstreams} upstream(s)`, samples: [] } as Row })));
  process.stderr.write(`idle memory: ${RUNS} run(s), settle ${SETTLE_MS} ms, gatehouse node flags: ${NODE_FLAGS.join(' ') || '(none)'}\n`);
  if (SNAPSHOT_DIR) mkdirSync(SNAPSHOT_DIR, { recursive: true });
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`run ${run}/${RUNS} (loadavg ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
    bare.samples.push(await bareNode(dir));
    for (const [i, { build, upstreams, row }] of gatehouseRows.entries()) {
      const snapshot = SNAPSHOT_DIR && run === 1 ? join(SNAPSHOT_DIR, `idle-${i + 1}-${upstreams}-upstreams.heapsnapshot`) : undefined;
      row.samples.push(await gatehouse(dir, build, upstreams, snapshot));
    }
  }
  report([bare, ...gatehouseRows.map((g) => g.row)]);
}

await runBench(registry, main, {
  cleanUp: () => {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = undefined;
  },
  partialReport: () => undefined,
});
