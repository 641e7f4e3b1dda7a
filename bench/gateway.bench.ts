/**
 * Gateway overhead benchmark: `tools/call echo` straight to server-everything (the baseline) versus through
 * gatehouse over stdio and over Streamable HTTP (SDK client and autocannon), at 1 and 16 calls in flight.
 * Prints numbers and the targets beside them; asserts nothing.
 *
 *   npm run bench                                  # build, then run
 *   BENCH_CALLS=3000 BENCH_WARMUP=300 node dist/bench/gateway.bench.js
 *   BENCH_CPU_PROF_DIR=/tmp/prof node dist/bench/gateway.bench.js   # gateways run under node --cpu-prof
 *   BENCH_JSON=/tmp/bench.json node dist/bench/gateway.bench.js     # also write the rows as JSON
 *   BENCH_SDK_PLAIN_FETCH=1 node dist/bench/gateway.bench.js        # no MaxListeners workaround (shows the warning)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sdkEchoCaller } from './lib/echo.js';
import { EVERYTHING_ARGS, MAIN_JS, ROOT, writeGatehouseConfig } from './lib/gatehouse.js';
import { closedLoop, type LoadResult } from './lib/load.js';
import { cannonEcho, rawInitialize, rawTerminate } from './lib/mcp-http.js';
import { childrenOf, clockTicksPerSecond, cpuTicks, ProcessRegistry, spawnHttpGateway, stopChild, type SpawnedGateway } from './lib/procs.js';
import { countMaxListenerWarnings, httpTransport, newClient, stdioTransport, withStderr } from './lib/sdk.js';
import { envInt, runBench } from './lib/run.js';
import { fmt, percentile, table } from './lib/stats.js';

const WARMUP = envInt('BENCH_WARMUP', 300);
const CALLS = envInt('BENCH_CALLS', 3000);
const CONCURRENCY = [1, 16] as const;
const PROFILE_DIR = process.env['BENCH_CPU_PROF_DIR'];
const GATEWAY_NODE_ARGS = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR)] : [];
const CLK_TCK = clockTicksPerSecond();

const TARGETS = { stdioThroughputRatio: 0.5, addedP50Ms: 0.15, httpCpuMsPerCall: 0.2 } as const;

type Contender = 'direct' | 'gateway stdio→stdio' | 'gateway HTTP→stdio (SDK)' | 'gateway HTTP→stdio (autocannon)';

interface Row {
  readonly contender: Contender;
  readonly concurrency: number;
  readonly calls: number;
  readonly callsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Gateway process CPU (user+sys) per measured call; undefined for the direct baseline. */
  readonly gatewayCpuMsPerCall: number | undefined;
  /** The upstream server-everything process's CPU per call, for scale. */
  readonly upstreamCpuMsPerCall: number | undefined;
  /** This process's CPU per call: the load generator (SDK client or autocannon), to see when it is the bottleneck. */
  readonly clientCpuMsPerCall: number;
}

const registry = new ProcessRegistry();
/** The temp directory holding the generated config and policy; removed on every way out. */
let tmpDir: string | undefined;
function removeTmpDir(): void {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}
const rows: Row[] = [];
const maxListenerWarnings = countMaxListenerWarnings();

/** The gateway process (measured) and its upstream child (for scale), by pid. */
interface Pids {
  readonly gateway: number | undefined;
  readonly upstream: number | undefined;
}

function ticks(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : cpuTicks(pid);
}

function cpuMsPerCall(before: number | undefined, after: number | undefined, calls: number): number | undefined {
  return before === undefined || after === undefined ? undefined : (((after - before) / CLK_TCK) * 1000) / calls;
}

/** Warm-up, then the measured phase with CPU ticks read around it. */
async function measure(contender: Contender, concurrency: number, pids: Pids, run: (calls: number, concurrency: number) => Promise<LoadResult>): Promise<void> {
  await run(WARMUP, concurrency);
  const gw0 = ticks(pids.gateway);
  const up0 = ticks(pids.upstream);
  const client0 = process.cpuUsage();
  const result = await run(CALLS, concurrency);
  const client = process.cpuUsage(client0);
  const gw1 = ticks(pids.gateway);
  const up1 = ticks(pids.upstream);
  const row: Row = {
    contender,
    concurrency,
    calls: result.calls,
    callsPerSec: (result.calls / result.wallMs) * 1000,
    p50Ms: percentile(result.latencies, 50),
    p99Ms: percentile(result.latencies, 99),
    gatewayCpuMsPerCall: cpuMsPerCall(gw0, gw1, result.calls),
    upstreamCpuMsPerCall: cpuMsPerCall(up0, up1, result.calls),
    clientCpuMsPerCall: (client.user + client.system) / 1000 / result.calls,
  };
  rows.push(row);
  process.stderr.write(
    `  ${contender.padEnd(32)} c=${String(concurrency).padStart(2)}  ${fmt(row.callsPerSec, 0).padStart(6)} calls/s  p50 ${fmt(row.p50Ms, 3)} ms  p99 ${fmt(row.p99Ms, 3)} ms` +
      (row.gatewayCpuMsPerCall !== undefined ? `  gw cpu ${fmt(row.gatewayCpuMsPerCall, 3)} ms/call` : '') +
      '\n',
  );
}

/** The only child of the gateway process: its server-everything upstream. */
function upstreamOf(gatewayPid: number): number | undefined {
  const children = childrenOf(gatewayPid);
  return children.length === 1 ? children[0] : undefined;
}

async function benchDirect(): Promise<void> {
  const { transport, stderr } = stdioTransport(process.execPath, [...EVERYTHING_ARGS], ROOT);
  const client = newClient();
  try {
    await client.connect(transport);
    registry.add(transport.pid);
    const pids = { gateway: undefined, upstream: transport.pid ?? undefined };
    for (const c of CONCURRENCY) await measure('direct', c, pids, (n, conc) => closedLoop(n, conc, sdkEchoCaller(client)));
  } catch (error) {
    throw withStderr(error, 'server-everything', stderr);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function benchGatewayStdio(configFile: string): Promise<void> {
  const { transport, stderr } = stdioTransport(process.execPath, [...GATEWAY_NODE_ARGS, MAIN_JS, 'stdio', '-c', configFile], ROOT);
  const client = newClient();
  try {
    await client.connect(transport);
    const gateway = transport.pid ?? undefined;
    if (gateway === undefined) throw new Error('the stdio transport reports no pid for the gateway');
    registry.add(gateway);
    const pids = { gateway, upstream: upstreamOf(gateway) };
    for (const c of CONCURRENCY) await measure('gateway stdio→stdio', c, pids, (n, conc) => closedLoop(n, conc, sdkEchoCaller(client)));
  } catch (error) {
    throw withStderr(error, 'gateway (stdio)', stderr);
  } finally {
    // Closing ends the gateway's stdin; it then closes its upstream and exits (writing its CPU profile, if any).
    await client.close().catch(() => undefined);
  }
}

async function benchGatewayHttpSdk(gateway: SpawnedGateway): Promise<void> {
  // BENCH_SDK_PLAIN_FETCH=1 leaves the SDK's default fetch in place, to see the warning this works around.
  const plain = process.env['BENCH_SDK_PLAIN_FETCH'] === '1';
  const transport = httpTransport(gateway.url, plain);
  const client = newClient();
  try {
    await client.connect(transport);
    const pids = { gateway: gateway.pid, upstream: upstreamOf(gateway.pid) };
    for (const c of CONCURRENCY) await measure('gateway HTTP→stdio (SDK)', c, pids, (n, conc) => closedLoop(n, conc, sdkEchoCaller(client)));
  } finally {
    await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}

async function benchGatewayHttpAutocannon(gateway: SpawnedGateway): Promise<void> {
  const session = await rawInitialize(gateway.url);
  try {
    const pids = { gateway: gateway.pid, upstream: upstreamOf(gateway.pid) };
    for (const c of CONCURRENCY) await measure('gateway HTTP→stdio (autocannon)', c, pids, (n, conc) => cannonEcho(gateway.url, session, n, conc));
  } finally {
    await rawTerminate(gateway.url, session);
  }
}

function row(contender: Contender, concurrency: number): Row | undefined {
  return rows.find((r) => r.contender === contender && r.concurrency === concurrency);
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'meets target' : 'MISSES target';
}

let reported = false;
function report(): void {
  if (reported) return;
  reported = true;
  const out: string[] = [];
  out.push('');
  out.push(`gatehouse gateway bench — tools/call echo, ${WARMUP} warm-up + ${CALLS} measured calls per row`);
  out.push(`node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), CLK_TCK ${CLK_TCK}${PROFILE_DIR ? ', gateways under --cpu-prof (slower)' : ''}`);
  out.push('');
  out.push(
    table(
      ['contender', 'in flight', 'calls/s', 'p50 ms', 'p99 ms', 'gw CPU ms/call', 'upstream CPU ms/call', 'client CPU ms/call'],
      rows.map((r) => [
        r.contender,
        String(r.concurrency),
        fmt(r.callsPerSec, 0),
        fmt(r.p50Ms, 3),
        fmt(r.p99Ms, 3),
        fmt(r.gatewayCpuMsPerCall, 3),
        fmt(r.upstreamCpuMsPerCall, 3),
        fmt(r.clientCpuMsPerCall, 3),
      ]),
    ),
  );
  out.push('');
  out.push('ratios (targets are printed, not asserted):');
  const ratioRows: string[][] = [];
  for (const c of CONCURRENCY) {
    const direct = row('direct', c);
    const stdio = row('gateway stdio→stdio', c);
    if (direct && stdio) {
      const ratio = stdio.callsPerSec / direct.callsPerSec;
      const target = c === 16 ? TARGETS.stdioThroughputRatio : undefined;
      ratioRows.push([`stdio→stdio calls/s ÷ direct`, String(c), `${fmt(ratio, 2)}×`, target === undefined ? '—' : `≥ ${target}×`, verdict(target === undefined ? undefined : ratio >= target)]);
    }
  }
  for (const c of CONCURRENCY) {
    const direct = row('direct', c);
    for (const contender of ['gateway stdio→stdio', 'gateway HTTP→stdio (SDK)'] as const) {
      const gw = row(contender, c);
      if (!direct || !gw) continue;
      const added = gw.p50Ms - direct.p50Ms;
      const target = contender === 'gateway stdio→stdio' && c === 1 ? TARGETS.addedP50Ms : undefined;
      ratioRows.push([`added p50, ${contender.replace('gateway ', '')} − direct`, String(c), `${fmt(added, 3)} ms`, target === undefined ? '—' : `≤ ${target} ms`, verdict(target === undefined ? undefined : added <= target)]);
    }
  }
  for (const contender of ['gateway HTTP→stdio (SDK)', 'gateway HTTP→stdio (autocannon)'] as const) {
    for (const c of CONCURRENCY) {
      const gw = row(contender, c);
      if (gw?.gatewayCpuMsPerCall === undefined) continue;
      ratioRows.push([`gateway CPU, ${contender.replace('gateway ', '')}`, String(c), `${fmt(gw.gatewayCpuMsPerCall, 3)} ms/call`, `≤ ${TARGETS.httpCpuMsPerCall} ms/call`, verdict(gw.gatewayCpuMsPerCall <= TARGETS.httpCpuMsPerCall)]);
    }
  }
  for (const c of CONCURRENCY) {
    const gw = row('gateway stdio→stdio', c);
    if (gw?.gatewayCpuMsPerCall !== undefined) ratioRows.push([`gateway CPU, stdio→stdio`, String(c), `${fmt(gw.gatewayCpuMsPerCall, 3)} ms/call`, '—', '']);
  }
  out.push(table(['measure', 'in flight', 'value', 'target', ''], ratioRows));
  out.push('');
  out.push(`MaxListenersExceededWarning during the run: ${maxListenerWarnings()}`);
  out.push(`gw/upstream CPU is from /proc/<pid>/stat (utime+stime of that process alone, all its threads; ${CLK_TCK} ticks/s, so ±${fmt(1000 / CLK_TCK / CALLS, 4)} ms/call).`);
  out.push('client CPU is this bench process (process.cpuUsage): the SDK client or autocannon generating the load.');
  out.push(`The bench client, the gateway and the upstream share ${cpus().length} CPU(s); at 16 in flight they compete for them.`);
  process.stdout.write(`${out.join('\n')}\n`);
  const jsonFile = process.env['BENCH_JSON'];
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ node: process.version, cpus: cpus().length, warmup: WARMUP, calls: CALLS, rows }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const dir = (tmpDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-')));
  const configFile = writeGatehouseConfig(dir, { responseMode: process.env['BENCH_RESPONSE_MODE'] === 'json' ? 'json' : 'sse' });
  let gateway: SpawnedGateway | undefined;
  try {
    process.stderr.write(`bench: ${WARMUP} warm-up + ${CALLS} measured calls per row, in flight ${CONCURRENCY.join(' and ')}\n`);
    await benchDirect();
    await benchGatewayStdio(configFile);
    gateway = await spawnHttpGateway(MAIN_JS, configFile, registry, GATEWAY_NODE_ARGS);
    try {
      await benchGatewayHttpSdk(gateway);
      await benchGatewayHttpAutocannon(gateway);
    } catch (error) {
      throw withStderr(error, 'gateway (HTTP)', gateway.stderr);
    }
    report();
  } finally {
    if (gateway) await stopChild(gateway.child);
    await registry.killAll();
    removeTmpDir();
  }
}

await runBench(registry, main, {
  cleanUp: removeTmpDir,
  partialReport: () => {
    if (rows.length > 0) report();
  },
});
