/**
 * Peer benchmark: the same `tools/call echo` to one upstream (server-everything over stdio) straight, through
 * Gatehouse (HTTP→stdio and stdio→stdio) and through mcp-proxy and supergateway (their own CLIs, stateful
 * Streamable HTTP), in the same run, at 1, 16 and 64 calls in flight, with the SDK client and with autocannon.
 * Median of BENCH_RUNS runs. Then Gatehouse's memory: idle with 10 upstreams, and 1,000 open HTTP sessions.
 * Prints a table with targets beside the numbers (asserts nothing); writes JSON and an SVG chart to bench/results/.
 *
 *   npm run bench:peers
 *   BENCH_RUNS=1 BENCH_CALLS=300 BENCH_WARMUP=30 BENCH_MEMORY=0 node dist/bench/peers.bench.js   # smoke run
 *   BENCH_CONTENDERS=gatehouse-http,mcp-proxy BENCH_GENERATORS=autocannon BENCH_CONCURRENCY=16 node dist/bench/peers.bench.js
 *
 * Knobs: see the table in bench/README.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sdkEchoCaller } from './lib/echo.js';
import { EVERYTHING_ARGS, MAIN_JS, ROOT, writeGatehouseConfig } from './lib/gatehouse.js';
import { closedLoop, type LoadResult } from './lib/load.js';
import { cannonEcho, rawInitialize, rawTerminate, type RawSession } from './lib/mcp-http.js';
import {
  clockTicksPerSecond,
  cpuTicks,
  descendantCpuTicks,
  descendantRssMb,
  freePort,
  memoryOf,
  portOpen,
  ProcessRegistry,
  sleep,
  spawnHttpGateway,
  spawnHttpServer,
  stopChild,
  type SpawnedGateway,
} from './lib/procs.js';
import { envInt, runBench } from './lib/run.js';
import { countMaxListenerWarnings, httpTransport, newClient, stdioTransport, withStderr } from './lib/sdk.js';
import { fmt, median, percentile, table } from './lib/stats.js';
import { barChartSvg } from './lib/svg.js';

// ---------------------------------------------------------------- knobs

function envList<T extends string>(name: string, all: readonly T[]): T[] {
  const raw = process.env[name];
  if (!raw) return [...all];
  const wanted = raw.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !all.includes(w as T));
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  return all.filter((a) => wanted.includes(a));
}

const CONTENDERS = ['direct', 'minimal-forwarder', 'gatehouse-stdio', 'gatehouse-http', 'gatehouse-http-sdk', 'mcp-proxy', 'supergateway'] as const;
type ContenderId = (typeof CONTENDERS)[number];
const GENERATORS = ['sdk', 'autocannon'] as const;
type Generator = (typeof GENERATORS)[number];
const PEERS = ['mcp-proxy', 'supergateway'] as const;

const LABEL: Record<ContenderId, string> = {
  direct: 'direct stdio (no proxy)',
  'minimal-forwarder': 'minimal forwarder HTTP→stdio',
  'gatehouse-stdio': 'Gatehouse stdio→stdio',
  'gatehouse-http': 'Gatehouse HTTP→stdio',
  'gatehouse-http-sdk': 'Gatehouse HTTP→stdio, SDK transport',
  'mcp-proxy': 'mcp-proxy HTTP→stdio',
  supergateway: 'supergateway HTTP→stdio',
};

// The first row of a fresh process is still being compiled after a few hundred calls (measured: the same row ran
// at under half speed first and at full speed second), so warm up longer than that.
const WARMUP = envInt('BENCH_WARMUP', 2000);
const CALLS = envInt('BENCH_CALLS', 3000);
const RUNS = Math.max(1, envInt('BENCH_RUNS', 3));
const MAX_MS = envInt('BENCH_MAX_SECONDS', 30) * 1000;
const CONCURRENCY = (process.env['BENCH_CONCURRENCY'] ?? '1,16,64').split(',').map((s) => Number.parseInt(s, 10)).filter((n) => n > 0);
const SELECTED = envList('BENCH_CONTENDERS', CONTENDERS);
const SELECTED_GENERATORS = envList('BENCH_GENERATORS', GENERATORS);
const MEMORY = process.env['BENCH_MEMORY'] !== '0';
const SESSIONS = envInt('BENCH_SESSIONS', 1000);
const IDLE_UPSTREAMS = envInt('BENCH_IDLE_UPSTREAMS', 10);
const RESULTS_DIR = resolve(process.env['BENCH_RESULTS_DIR'] ?? join(ROOT, 'bench', 'results'));
const PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];
/** Extra node flags for the gatehouse processes only (e.g. `--max-semi-space-size=2`), space-separated. */
const GATEHOUSE_FLAGS = (process.env['BENCH_GATEHOUSE_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
const GATEHOUSE_NODE_ARGS = [...GATEHOUSE_FLAGS, ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR)] : [])];
const CLK_TCK = clockTicksPerSecond();

const TARGETS = {
  gatewayCpuMsAt16: 0.06,
  autocannonCallsPerSecAt16: 15_000,
  autocannonPeerRatioAt16: 6,
  autocannonP99MsAt64: 10,
  sdkPeerRatio: 2,
  stdioRatio: 0.6,
  stdioAddedP50Ms: 0.1,
  idleRssMb: 80,
  sessionsAddedMb: 100,
} as const;

/** The peers' CLIs, run as their own processes, from their package.json "bin". */
function binOf(pkg: string): string {
  const dir = join(ROOT, 'node_modules', pkg);
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  const file = typeof bin === 'string' ? bin : (bin[pkg] ?? Object.values(bin)[0]);
  if (!file) throw new Error(`${pkg} has no bin`);
  return join(dir, file);
}

// ---------------------------------------------------------------- measuring

interface Row {
  readonly run: number;
  readonly contender: ContenderId;
  readonly generator: Generator;
  readonly concurrency: number;
  readonly calls: number;
  /** The time bound cut the measured phase short; `calls` is what was done. */
  readonly truncated: boolean;
  readonly callsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** CPU (user+sys) of the proxy process alone per call; undefined for `direct`. */
  readonly gatewayCpuMsPerCall: number | undefined;
  /** CPU of the upstream(s) below it (or of the server itself for `direct`). */
  readonly upstreamCpuMsPerCall: number | undefined;
  /** CPU of this process: the load generator. */
  readonly clientCpuMsPerCall: number;
  /** 1-minute load average just before the measured phase (other people's jobs share the machine). */
  readonly loadavg1: number;
}

interface Memory {
  readonly run: number;
  readonly contender: ContenderId;
  /** VmHWM of the proxy process after all its rows (undefined for direct). */
  readonly gatewayPeakRssMb: number | undefined;
  /** VmRSS of its upstream process(es) at that moment. */
  readonly upstreamRssMb: number;
}

/** A contender, started and connected: an SDK client, and for HTTP ones a raw session for autocannon. */
interface Running {
  readonly id: ContenderId;
  /** The proxy process; undefined for direct. */
  readonly proxyPid: number | undefined;
  /** The process(es) whose CPU counts as upstream. */
  readonly upstreamTicks: () => number | undefined;
  readonly upstreamRssMb: () => number;
  readonly client: Client;
  readonly http?: { readonly url: string; readonly session: RawSession };
  readonly close: () => Promise<void>;
}

const registry = new ProcessRegistry();
const rows: Row[] = [];
const memories: Memory[] = [];
const loads: { run: number; loadavg: string }[] = [];
const maxListenerWarnings = countMaxListenerWarnings();
let tmpDir: string | undefined;

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}

function cpuMs(ticksBefore: number | undefined, ticksAfter: number | undefined, calls: number): number | undefined {
  return ticksBefore === undefined || ticksAfter === undefined || calls === 0 ? undefined : (((ticksAfter - ticksBefore) / CLK_TCK) * 1000) / calls;
}

async function measure(run: number, c: Running, generator: Generator, concurrency: number): Promise<void> {
  // autocannon refuses fewer calls than connections; every phase has at least one call per worker.
  const load = (calls: number): Promise<LoadResult> => {
    const n = Math.max(calls, concurrency);
    return generator === 'sdk' ? closedLoop(n, concurrency, sdkEchoCaller(c.client), MAX_MS) : cannonEcho(c.http!.url, c.http!.session, n, concurrency, MAX_MS);
  };
  await load(WARMUP);
  const loadavg1 = Number(loadavg().split(' ')[0]);
  const gw0 = c.proxyPid === undefined ? undefined : cpuTicks(c.proxyPid);
  const up0 = c.upstreamTicks();
  const client0 = process.cpuUsage();
  const result = await load(CALLS);
  const client = process.cpuUsage(client0);
  const gw1 = c.proxyPid === undefined ? undefined : cpuTicks(c.proxyPid);
  const up1 = c.upstreamTicks();
  const row: Row = {
    run,
    contender: c.id,
    generator,
    concurrency,
    calls: result.calls,
    truncated: result.truncated === true,
    callsPerSec: (result.calls / result.wallMs) * 1000,
    p50Ms: percentile(result.latencies, 50),
    p99Ms: percentile(result.latencies, 99),
    p999Ms: percentile(result.latencies, 99.9),
    gatewayCpuMsPerCall: cpuMs(gw0, gw1, result.calls),
    upstreamCpuMsPerCall: cpuMs(up0, up1, result.calls),
    clientCpuMsPerCall: (client.user + client.system) / 1000 / Math.max(1, result.calls),
    loadavg1,
  };
  rows.push(row);
  process.stderr.write(
    `  ${LABEL[c.id].padEnd(26)} ${generator.padEnd(10)} c=${String(concurrency).padStart(2)}  ${fmt(row.callsPerSec, 0).padStart(6)} calls/s  p50 ${fmt(row.p50Ms, 3)}  p99 ${fmt(row.p99Ms, 3)} ms` +
      (row.gatewayCpuMsPerCall !== undefined ? `  gw cpu ${fmt(row.gatewayCpuMsPerCall, 3)} ms/call` : '') +
      (row.truncated ? `  (time bound: ${row.calls} calls)` : '') +
      `  load ${loadavg1}\n`,
  );
}

// ---------------------------------------------------------------- contenders

async function startStdio(id: ContenderId, args: string[], proxied: boolean): Promise<Running> {
  const { transport, stderr } = stdioTransport(process.execPath, args, ROOT);
  const client = newClient();
  try {
    await client.connect(transport);
  } catch (error) {
    throw withStderr(error, LABEL[id], stderr);
  }
  const pid = transport.pid ?? undefined;
  registry.add(pid);
  if (pid === undefined) throw new Error(`${id}: the stdio transport reports no pid`);
  return {
    id,
    proxyPid: proxied ? pid : undefined,
    upstreamTicks: () => (proxied ? descendantCpuTicks(pid) : cpuTicks(pid)),
    upstreamRssMb: () => (proxied ? descendantRssMb(pid) : (memoryOf(pid)?.rssMb ?? Number.NaN)),
    client,
    // Closing ends the child's stdin; a gateway then closes its upstream and exits (writing its CPU profile, if any).
    close: () => client.close().catch(() => undefined),
  };
}

async function startHttp(id: ContenderId, server: SpawnedGateway): Promise<Running> {
  const transport = httpTransport(server.url);
  const client = newClient();
  await client.connect(transport);
  const session = await rawInitialize(server.url);
  registry.refresh(); // supergateway starts one upstream per session: record them while they have a parent
  return {
    id,
    proxyPid: server.pid,
    upstreamTicks: () => descendantCpuTicks(server.pid),
    upstreamRssMb: () => descendantRssMb(server.pid),
    client,
    http: { url: server.url, session },
    close: async () => {
      await rawTerminate(server.url, session);
      await transport.terminateSession().catch(() => undefined);
      await client.close().catch(() => undefined);
      await stopChild(server.child);
    },
  };
}

/** Starts a peer CLI on a free port and waits until the port accepts connections. */
async function spawnPeer(id: 'mcp-proxy' | 'supergateway'): Promise<SpawnedGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const node = process.execPath;
  const args =
    id === 'mcp-proxy'
      ? // Stateful Streamable HTTP (the default; --stateless is the other mode) on /mcp only; one shared upstream.
        [binOf('mcp-proxy'), '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--', node, ...EVERYTHING_ARGS]
      : // --stateful: sessions; supergateway starts one upstream per session, through a shell (it takes one string).
        [binOf('supergateway'), '--stdio', [node, ...EVERYTHING_ARGS].map((a) => `'${a}'`).join(' '), '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'none'];
  return spawnHttpServer(node, args, registry, async () => ((await portOpen(port)) ? url : undefined), { name: id, pollMs: 100, cwd: ROOT });
}

/** The floor: bench/lib/minimal-forwarder.ts in front of the same upstream. */
async function spawnMinimalForwarder(): Promise<SpawnedGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  const forwarder = join(ROOT, 'dist', 'bench', 'lib', 'minimal-forwarder.js');
  return spawnHttpServer(process.execPath, [forwarder, String(port), process.execPath, ...EVERYTHING_ARGS], registry, async () => ((await portOpen(port)) ? url : undefined), { name: 'minimal-forwarder', pollMs: 50, cwd: ROOT });
}

async function start(id: ContenderId, configFile: string): Promise<Running> {
  switch (id) {
    case 'direct':
      return startStdio(id, [...EVERYTHING_ARGS], false);
    case 'gatehouse-stdio':
      return startStdio(id, [...GATEHOUSE_NODE_ARGS, MAIN_JS, 'stdio', '-c', configFile], true);
    case 'gatehouse-http':
    case 'gatehouse-http-sdk':
      return startHttp(id, await spawnHttpGateway(MAIN_JS, configFile, registry, GATEHOUSE_NODE_ARGS));
    case 'mcp-proxy':
    case 'supergateway':
      return startHttp(id, await spawnPeer(id));
    case 'minimal-forwarder':
      return startHttp(id, await spawnMinimalForwarder());
  }
}

async function benchContender(run: number, id: ContenderId, configFile: string): Promise<void> {
  const c = await start(id, configFile);
  try {
    for (const generator of SELECTED_GENERATORS) {
      if (generator === 'autocannon' && !c.http) continue;
      for (const concurrency of CONCURRENCY) await measure(run, c, generator, concurrency);
    }
    memories.push({
      run,
      contender: id,
      gatewayPeakRssMb: c.proxyPid === undefined ? undefined : memoryOf(c.proxyPid)?.peakRssMb,
      upstreamRssMb: c.upstreamRssMb(),
    });
  } finally {
    await c.close();
    await registry.killAll();
  }
}

// ---------------------------------------------------------------- memory: idle with N upstreams, N sessions

interface MemoryResults {
  idle?: { upstreams: number; gatewayRssMb: number; upstreamsRssMb: number };
  sessions: { contender: ContenderId; sessions: number; beforeMb: number; afterMb: number; addedMb: number; afterDeleteMb: number; seconds: number }[];
}
const memoryResults: MemoryResults = { sessions: [] };

async function idleMemory(dir: string): Promise<void> {
  const configFile = writeGatehouseConfig(join(dir, 'idle'), { upstreams: IDLE_UPSTREAMS });
  const gateway = await spawnHttpGateway(MAIN_JS, configFile, registry, GATEHOUSE_FLAGS);
  try {
    await sleep(5000); // let start-up garbage be collected and the upstreams settle
    const rss = memoryOf(gateway.pid)?.rssMb ?? Number.NaN;
    memoryResults.idle = { upstreams: IDLE_UPSTREAMS, gatewayRssMb: rss, upstreamsRssMb: descendantRssMb(gateway.pid) };
    process.stderr.write(`  idle, ${IDLE_UPSTREAMS} upstreams: gateway RSS ${fmt(rss, 1)} MB\n`);
  } finally {
    await stopChild(gateway.child);
    await registry.killAll();
  }
}

/** Opens `SESSIONS` sessions (initialize + initialized, 16 at a time), keeps them open, and reads VmRSS before and after. */
async function sessionsMemory(id: ContenderId, server: SpawnedGateway): Promise<void> {
  await sleep(2000);
  const before = memoryOf(server.pid)?.rssMb ?? Number.NaN;
  const sessions: RawSession[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < SESSIONS) {
        next++;
        sessions.push(await rawInitialize(server.url));
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await sleep(2000);
  const after = memoryOf(server.pid)?.rssMb ?? Number.NaN;
  for (let i = 0; i < sessions.length; i += 16) await Promise.all(sessions.slice(i, i + 16).map((s) => rawTerminate(server.url, s)));
  await sleep(2000);
  const afterDelete = memoryOf(server.pid)?.rssMb ?? Number.NaN;
  memoryResults.sessions.push({ contender: id, sessions: sessions.length, beforeMb: before, afterMb: after, addedMb: after - before, afterDeleteMb: afterDelete, seconds });
  process.stderr.write(`  ${LABEL[id]}: ${sessions.length} sessions in ${fmt(seconds, 1)} s, RSS ${fmt(before, 1)} → ${fmt(after, 1)} MB (+${fmt(after - before, 1)}), ${fmt(afterDelete, 1)} MB after DELETE\n`);
}

async function memoryBench(dir: string): Promise<void> {
  process.stderr.write(`memory (${loadavg()}):\n`);
  await idleMemory(dir);
  const configFile = writeGatehouseConfig(join(dir, 'sessions'), { maxSessionsPerAgent: SESSIONS + 16 });
  const gateway = await spawnHttpGateway(MAIN_JS, configFile, registry, GATEHOUSE_FLAGS);
  try {
    await sessionsMemory('gatehouse-http', gateway);
  } finally {
    await stopChild(gateway.child);
    await registry.killAll();
  }
  // For scale, mcp-proxy (one shared upstream). supergateway is left out: it starts an upstream per session.
  if (SELECTED.includes('mcp-proxy')) {
    const peer = await spawnPeer('mcp-proxy');
    try {
      await sessionsMemory('mcp-proxy', peer);
    } finally {
      await stopChild(peer.child);
      await registry.killAll();
    }
  }
}

// ---------------------------------------------------------------- report

interface Summary {
  readonly contender: ContenderId;
  readonly generator: Generator;
  readonly concurrency: number;
  readonly runs: number;
  readonly truncatedRuns: number;
  readonly callsPerSec: number | undefined;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly p999Ms: number | undefined;
  readonly gatewayCpuMsPerCall: number | undefined;
  readonly upstreamCpuMsPerCall: number | undefined;
  readonly clientCpuMsPerCall: number | undefined;
}

function summarise(): Summary[] {
  const out: Summary[] = [];
  for (const contender of SELECTED)
    for (const generator of SELECTED_GENERATORS)
      for (const concurrency of CONCURRENCY) {
        const rs = rows.filter((r) => r.contender === contender && r.generator === generator && r.concurrency === concurrency);
        if (rs.length === 0) continue;
        const m = (f: (r: Row) => number | undefined) => median(rs.map(f));
        out.push({
          contender,
          generator,
          concurrency,
          runs: rs.length,
          truncatedRuns: rs.filter((r) => r.truncated).length,
          callsPerSec: m((r) => r.callsPerSec),
          p50Ms: m((r) => r.p50Ms),
          p99Ms: m((r) => r.p99Ms),
          p999Ms: m((r) => r.p999Ms),
          gatewayCpuMsPerCall: m((r) => r.gatewayCpuMsPerCall),
          upstreamCpuMsPerCall: m((r) => r.upstreamCpuMsPerCall),
          clientCpuMsPerCall: m((r) => r.clientCpuMsPerCall),
        });
      }
  return out;
}

function rowOf(run: number, contender: ContenderId, generator: Generator, concurrency: number): Row | undefined {
  return rows.find((r) => r.run === run && r.contender === contender && r.generator === generator && r.concurrency === concurrency);
}

interface Ratio {
  readonly measure: string;
  readonly generator: Generator | '—';
  readonly concurrency: number | undefined;
  /** Median over runs of the per-run value (each ratio is of two rows of the same run). */
  readonly value: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly unit: '×' | 'ms' | 'calls/s' | 'ms/call' | 'MB';
  readonly target: string;
  /** undefined: no target. */
  readonly met: boolean | undefined;
  /** In how many runs the per-run value met the target. */
  readonly metRuns?: string;
}

function perRun(f: (run: number) => number | undefined): number[] {
  const out: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const v = f(run);
    if (v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}

function ratio(measure: string, generator: Generator | '—', concurrency: number | undefined, values: number[], unit: Ratio['unit'], target?: { op: '≥' | '≤'; value: number }): Ratio | undefined {
  if (values.length === 0) return undefined;
  const ok = (v: number) => (target ? (target.op === '≥' ? v >= target.value : v <= target.value) : true);
  const value = median(values);
  return {
    measure,
    generator,
    concurrency,
    value,
    min: Math.min(...values),
    max: Math.max(...values),
    unit,
    target: target ? `${target.op} ${target.value}${unit === '×' ? '×' : ` ${unit}`}` : '—',
    met: target && value !== undefined ? ok(value) : undefined,
    ...(target ? { metRuns: `${values.filter(ok).length}/${values.length}` } : {}),
  };
}

function ratios(): Ratio[] {
  const out: (Ratio | undefined)[] = [];
  const cps = (run: number, id: ContenderId, g: Generator, c: number) => rowOf(run, id, g, c)?.callsPerSec;
  const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
  for (const g of SELECTED_GENERATORS)
    for (const peer of PEERS)
      for (const c of CONCURRENCY) {
        const target = g === 'autocannon' ? (c === 16 ? TARGETS.autocannonPeerRatioAt16 : undefined) : TARGETS.sdkPeerRatio;
        out.push(ratio(`Gatehouse HTTP calls/s ÷ ${peer}`, g, c, perRun((run) => div(cps(run, 'gatehouse-http', g, c), cps(run, peer, g, c))), '×', target === undefined ? undefined : { op: '≥', value: target }));
      }
  for (const c of CONCURRENCY) {
    out.push(ratio('stdio→stdio calls/s ÷ direct', 'sdk', c, perRun((run) => div(cps(run, 'gatehouse-stdio', 'sdk', c), cps(run, 'direct', 'sdk', c))), '×', { op: '≥', value: TARGETS.stdioRatio }));
  }
  for (const c of CONCURRENCY) {
    const added = perRun((run) => {
      const gw = rowOf(run, 'gatehouse-stdio', 'sdk', c)?.p50Ms;
      const direct = rowOf(run, 'direct', 'sdk', c)?.p50Ms;
      return gw === undefined || direct === undefined ? undefined : gw - direct;
    });
    // At 1 in flight the added p50 is the gateway's own latency; with more in flight it is mostly queueing.
    out.push(ratio('stdio→stdio added p50 (− direct)', 'sdk', c, added, 'ms', c === 1 ? { op: '≤', value: TARGETS.stdioAddedP50Ms } : undefined));
  }
  out.push(ratio('Gatehouse HTTP calls/s', 'autocannon', 16, perRun((run) => cps(run, 'gatehouse-http', 'autocannon', 16)), 'calls/s', { op: '≥', value: TARGETS.autocannonCallsPerSecAt16 }));
  out.push(ratio('Gatehouse HTTP p99', 'autocannon', 64, perRun((run) => rowOf(run, 'gatehouse-http', 'autocannon', 64)?.p99Ms), 'ms', { op: '≤', value: TARGETS.autocannonP99MsAt64 }));
  // How far Gatehouse is from the floor: a relay that does nothing but relay (no target; the issue calls it the floor to aim at).
  out.push(ratio('Gatehouse HTTP gateway CPU ÷ minimal forwarder', 'autocannon', 16, perRun((run) => div(rowOf(run, 'gatehouse-http', 'autocannon', 16)?.gatewayCpuMsPerCall, rowOf(run, 'minimal-forwarder', 'autocannon', 16)?.gatewayCpuMsPerCall)), '×'));
  out.push(ratio('Gatehouse HTTP calls/s ÷ minimal forwarder', 'autocannon', 16, perRun((run) => div(cps(run, 'gatehouse-http', 'autocannon', 16), cps(run, 'minimal-forwarder', 'autocannon', 16))), '×'));
  for (const [id, g] of [['gatehouse-http', 'autocannon'], ['gatehouse-http', 'sdk'], ['gatehouse-stdio', 'sdk']] as const) {
    out.push(ratio(`${LABEL[id]} gateway CPU`, g, 16, perRun((run) => rowOf(run, id, g, 16)?.gatewayCpuMsPerCall), 'ms/call', { op: '≤', value: TARGETS.gatewayCpuMsAt16 }));
  }
  if (memoryResults.idle) out.push(ratio(`Gatehouse idle RSS, ${memoryResults.idle.upstreams} upstreams`, '—', undefined, [memoryResults.idle.gatewayRssMb], 'MB', { op: '≤', value: TARGETS.idleRssMb }));
  for (const s of memoryResults.sessions) {
    out.push(ratio(`${LABEL[s.contender]} RSS added by ${s.sessions} sessions`, '—', undefined, [s.addedMb], 'MB', s.contender === 'gatehouse-http' ? { op: '≤', value: TARGETS.sessionsAddedMb } : undefined));
  }
  return out.filter((r): r is Ratio => r !== undefined);
}

function fmtValue(v: number | undefined, unit: Ratio['unit']): string {
  if (v === undefined) return '—';
  switch (unit) {
    case '×':
      return `${fmt(v, 2)}×`;
    case 'calls/s':
      return fmt(v, 0);
    case 'MB':
      return fmt(v, 1);
    default:
      return fmt(v, 3);
  }
}

function chart(summaries: Summary[]): string {
  const ids = SELECTED;
  const cell = (id: ContenderId, g: Generator, c: number) => summaries.find((s) => s.contender === id && s.generator === g && s.concurrency === c);
  const panels = SELECTED_GENERATORS.map((g) => ({
    title: `calls/s, ${g === 'sdk' ? 'SDK client' : 'autocannon (non-SDK)'} — median of ${RUNS} run(s)`,
    groups: CONCURRENCY.map((c) => ({ label: `${c} in flight`, values: ids.map((id) => cell(id, g, c)?.callsPerSec) })),
    format: (v: number) => fmt(v, 0),
  }));
  const c16 = CONCURRENCY.includes(16) ? 16 : (CONCURRENCY[0] ?? 1);
  panels.push({
    title: `proxy CPU ms per call at ${c16} in flight (SDK client | autocannon)`,
    groups: SELECTED_GENERATORS.map((g) => ({ label: g, values: ids.map((id) => cell(id, g, c16)?.gatewayCpuMsPerCall) })),
    format: (v: number) => fmt(v, 3),
  });
  return barChartSvg(
    'MCP gateways: tools/call echo → server-everything (stdio)',
    ids.map((id) => LABEL[id]),
    panels,
    `node ${process.version}, ${cpus().length} CPU(s); ${WARMUP} warm-up + ${CALLS} calls per row; load during the runs: ${loads.map((l) => l.loadavg.split(' ')[0]).join(', ')}`,
  );
}

let reported = false;
function report(): void {
  if (reported) return;
  reported = true;
  const summaries = summarise();
  const rs = ratios();
  const out: string[] = [''];
  out.push(`MCP peer bench — tools/call echo → server-everything over stdio; ${WARMUP} warm-up + ${CALLS} measured calls per row (bounded by ${MAX_MS / 1000} s), median of ${RUNS} run(s)`);
  out.push(`node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), CLK_TCK ${CLK_TCK}, gatehouse ${MAIN_JS}${PROFILE_DIR ? ', gatehouse under --cpu-prof (slower)' : ''}`);
  out.push(`/proc/loadavg before each run: ${loads.map((l) => `run ${l.run}: ${l.loadavg}`).join('; ')}`);
  out.push('');
  out.push(
    table(
      ['contender', 'client', 'in flight', 'calls/s', 'p50 ms', 'p99 ms', 'p999 ms', 'proxy CPU ms/call', 'upstream CPU ms/call', 'client CPU ms/call'],
      summaries.map((s) => [
        LABEL[s.contender],
        s.generator,
        String(s.concurrency),
        fmt(s.callsPerSec, 0) + (s.truncatedRuns > 0 ? '*' : ''),
        fmt(s.p50Ms, 3),
        fmt(s.p99Ms, 3),
        fmt(s.p999Ms, 3),
        fmt(s.gatewayCpuMsPerCall, 3),
        fmt(s.upstreamCpuMsPerCall, 3),
        fmt(s.clientCpuMsPerCall, 3),
      ]),
    ),
  );
  if (summaries.some((s) => s.truncatedRuns > 0)) out.push(`* the ${MAX_MS / 1000} s time bound cut the measured phase short in some runs (calls/s is still calls ÷ time).`);
  out.push('');
  out.push(
    table(
      ['contender', 'proxy peak RSS MB (VmHWM)', 'upstream RSS MB'],
      SELECTED.map((id) => {
        const ms = memories.filter((m) => m.contender === id);
        return [LABEL[id], fmt(median(ms.map((m) => m.gatewayPeakRssMb)), 1), fmt(median(ms.map((m) => m.upstreamRssMb)), 1)];
      }),
    ),
  );
  out.push('');
  out.push('targets (printed, not asserted); ratios are per run (both sides from the same run), then the median; range = min–max over runs:');
  out.push(
    table(
      ['measure', 'client', 'in flight', 'value', 'range', 'target', 'runs met', ''],
      rs.map((r) => [
        r.measure,
        r.generator,
        r.concurrency === undefined ? '—' : String(r.concurrency),
        fmtValue(r.value, r.unit) + (r.unit === '×' ? '' : ` ${r.unit}`),
        r.min === r.max ? '' : `${fmtValue(r.min, r.unit)}–${fmtValue(r.max, r.unit)}`,
        r.target,
        r.metRuns ?? '',
        r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
      ]),
    ),
  );
  out.push('');
  out.push(`MaxListenersExceededWarning during the run: ${maxListenerWarnings()} (the SDK HTTP clients get a fetch that lifts the limit on the transport's one AbortSignal; see bench/README.md)`);
  out.push(`proxy/upstream CPU from /proc/<pid>/stat (utime+stime, all threads; ${CLK_TCK} ticks/s = ±${fmt(1000 / CLK_TCK / Math.max(1, CALLS), 4)} ms/call). client CPU = this process (SDK client or autocannon).`);
  process.stdout.write(`${out.join('\n')}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(
    {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim(),
      gatehouse: MAIN_JS,
      warmup: WARMUP,
      calls: CALLS,
      runs: RUNS,
      maxSeconds: MAX_MS / 1000,
      concurrency: CONCURRENCY,
      contenders: SELECTED,
      generators: SELECTED_GENERATORS,
      loads,
      maxListenerWarnings: maxListenerWarnings(),
      summaries,
      ratios: rs,
      memory: { perContender: memories, ...memoryResults },
      rows,
    },
    null,
    2,
  )}\n`;
  const svg = chart(summaries);
  for (const name of [`peers-${stamp}`, 'peers-latest']) {
    writeFileSync(join(RESULTS_DIR, `${name}.json`), json);
    writeFileSync(join(RESULTS_DIR, `${name}.svg`), svg);
  }
  process.stdout.write(`\nwrote ${join(RESULTS_DIR, `peers-${stamp}.json`)} and .svg (and peers-latest.*)\n`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const dir = (tmpDir = mkdtempSync(join(tmpdir(), 'gatehouse-peers-')));
  mkdirSync(join(dir, 'idle'));
  mkdirSync(join(dir, 'sessions'));
  const configFile = writeGatehouseConfig(dir);
  // The same gateway with the SDK's Streamable HTTP transport, to show what the gateway's own transport saves.
  mkdirSync(join(dir, 'sdk'));
  const sdkConfigFile = writeGatehouseConfig(join(dir, 'sdk'), { transport: 'sdk' });
  process.stderr.write(
    `peers bench: ${SELECTED.join(', ')}; ${SELECTED_GENERATORS.join(' + ')}; in flight ${CONCURRENCY.join('/')}; ${WARMUP} warm-up + ${CALLS} calls; ${RUNS} run(s)\n`,
  );
  for (let run = 1; run <= RUNS; run++) {
    const l = loadavg();
    loads.push({ run, loadavg: l });
    process.stderr.write(`run ${run}/${RUNS} (loadavg ${l}):\n`);
    // Rotate the order each run so that no contender always goes first (or last) as the machine's load drifts.
    const order = SELECTED.map((_, i) => SELECTED[(i + run - 1) % SELECTED.length] as ContenderId);
    for (const id of order) await benchContender(run, id, id === 'gatehouse-http-sdk' ? sdkConfigFile : configFile);
  }
  if (MEMORY && SELECTED.includes('gatehouse-http')) await memoryBench(dir);
  report();
}

await runBench(registry, main, {
  cleanUp: () => {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
    tmpDir = undefined;
  },
  partialReport: () => {
    if (rows.length > 0) report();
  },
});
