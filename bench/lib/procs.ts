import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`; 100 on Linux if that fails). */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

interface ProcStat {
  readonly ppid: number;
  /** utime + stime of the process itself (not its children), in clock ticks. */
  readonly cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is parenthesised and may contain spaces: split after the last ')'.
  // What follows starts at field 3 (state), so field N is rest[N - 3].
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[4 - 3]);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  return { ppid, cpuTicks: utime + stime };
}

/** CPU time (user + system) the process has used so far, in clock ticks; throws if it is gone. */
export function cpuTicks(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`process ${pid} is gone (no /proc/${pid}/stat)`);
  return stat.cpuTicks;
}

/** Direct children of `pid`, found by scanning /proc for processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (readStat(Number(entry))?.ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** `pid` and everything below it. */
export function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of childrenOf(next)) {
      all.push(child);
      queue.push(child);
    }
  }
  return all;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Every process the bench starts (and their descendants, recorded while they are alive) so that all of them
 * can be ended at the end of the run, whatever happened.
 */
export class ProcessRegistry {
  private readonly pids = new Set<number>();

  add(pid: number | null | undefined): void {
    if (typeof pid !== 'number') return;
    this.pids.add(pid);
    this.refresh();
  }

  /** Records the current descendants of every tracked process (an orphan gets a new parent, so look early). */
  refresh(): void {
    for (const pid of [...this.pids]) if (alive(pid)) for (const d of descendantsOf(pid)) this.pids.add(d);
  }

  /** SIGTERM to everything still alive, then SIGKILL to whatever has not exited within `graceMs`. */
  async killAll(graceMs = 2000): Promise<void> {
    this.refresh();
    for (const pid of this.pids) if (alive(pid)) signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.pids].some(alive)) await sleep(50);
    this.killAllSync();
    // Forget them: a pid freed now may later be reused by a process that is not ours.
    this.pids.clear();
  }

  /** Last resort, usable from a synchronous 'exit' handler. */
  killAllSync(): void {
    for (const pid of this.pids) if (alive(pid)) signal(pid, 'SIGKILL');
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Keeps the last few KB of a child's stderr (and keeps the pipe drained so the child never blocks on it). */
export class StderrTail {
  private text = '';

  constructor(private readonly max = 8192) {}

  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }

  toString(): string {
    return this.text;
  }
}

export interface SpawnedGateway {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly stderr: StderrTail;
}

/**
 * Starts `command args` with its stderr kept in a tail, and resolves with the URL that `ready` finds once the
 * server is up. `ready` is given the stderr seen so far each time more arrives, and may also be polled
 * (`pollMs`) for servers that announce nothing useful on stderr (e.g. probe the port).
 * Fails if the child exits first or `timeoutMs` passes.
 */
export function spawnHttpServer(
  command: string,
  args: readonly string[],
  registry: ProcessRegistry,
  ready: (stderrSoFar: string) => string | undefined | Promise<string | undefined>,
  options: { readonly timeoutMs?: number; readonly pollMs?: number; readonly name?: string; readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<SpawnedGateway> {
  const { timeoutMs = 30_000, pollMs, name = 'server' } = options;
  const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.env ? { env: options.env } : {}) });
  registry.add(child.pid);
  const stderr = new StderrTail();
  let seen = '';
  return new Promise<SpawnedGateway>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${name} was not ready within ${timeoutMs} ms`)), timeoutMs);
    const poller = pollMs ? setInterval(() => void check(), pollMs) : undefined;
    function stop(): void {
      settled = true;
      clearTimeout(timer);
      if (poller) clearInterval(poller);
    }
    function fail(error: Error): void {
      if (settled) return;
      stop();
      reject(new Error(`${error.message}\n--- ${name} stderr ---\n${stderr.toString()}`));
    }
    async function check(): Promise<void> {
      const url = await Promise.resolve(ready(seen)).catch(() => undefined);
      if (settled || !url || child.pid === undefined) return;
      stop();
      child.removeAllListeners('exit');
      seen = '';
      registry.refresh(); // the upstream children exist by now
      resolve({ child, pid: child.pid, url, stderr });
    }
    child.once('error', fail);
    child.once('exit', (code, sig) => fail(new Error(`${name} exited early (code ${code}, signal ${sig})`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (settled) return;
      seen += chunk.toString();
      void check();
    });
  });
}

/**
 * Starts `gatehouse serve` and resolves once it prints "gatehouse: listening on <url>" on stderr.
 * `nodeArgs` go before the script (e.g. --cpu-prof); `env` replaces this process's environment.
 */
export function spawnHttpGateway(
  mainJs: string,
  configFile: string,
  registry: ProcessRegistry,
  nodeArgs: readonly string[] = [],
  options: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<SpawnedGateway> {
  return spawnHttpServer(process.execPath, [...nodeArgs, mainJs, 'serve', '-c', configFile], registry, (seen) => /gatehouse: listening on (\S+)/.exec(seen)?.[1], {
    timeoutMs: options.timeoutMs ?? 30_000,
    name: 'gateway',
    ...(options.env ? { env: options.env } : {}),
  });
}

/** A TCP port that was free a moment ago (bind port 0, read it, close), for servers that cannot listen on port 0. */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves true if something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** CPU ticks of every descendant of `pid` (its upstreams), summed; 0 when it has none. */
export function descendantCpuTicks(pid: number): number {
  return descendantsOf(pid).reduce((sum, child) => sum + (readStat(child)?.cpuTicks ?? 0), 0);
}

export interface Memory {
  /** Resident set size now, MB (VmRSS). */
  readonly rssMb: number;
  /** Peak resident set size over the process's life, MB (VmHWM, the "high water mark"). */
  readonly peakRssMb: number;
}

/** VmRSS and VmHWM from /proc/<pid>/status; undefined if the process is gone. */
export function memoryOf(pid: number): Memory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Sum of VmRSS (MB) of every descendant of `pid`. */
export function descendantRssMb(pid: number): number {
  return descendantsOf(pid).reduce((sum, child) => sum + (memoryOf(child)?.rssMb ?? 0), 0);
}

/** Asks a child to stop with SIGTERM and waits (bounded) for it to exit. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
