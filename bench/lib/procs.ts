import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
 * Starts `gatehouse serve` and resolves once it prints "gatehouse: listening on <url>" on stderr.
 * `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export function spawnHttpGateway(mainJs: string, configFile: string, registry: ProcessRegistry, nodeArgs: readonly string[] = [], timeoutMs = 30_000): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [...nodeArgs, mainJs, 'serve', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  registry.add(child.pid);
  const stderr = new StderrTail();
  return new Promise<SpawnedGateway>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`gateway did not report "listening" within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n--- gateway stderr ---\n${stderr.toString()}`));
    }
    child.once('error', fail);
    child.once('exit', (code, sig) => fail(new Error(`gateway exited early (code ${code}, signal ${sig})`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      seen += chunk.toString();
      const match = /gatehouse: listening on (\S+)/.exec(seen);
      if (match?.[1] && child.pid !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        seen = '';
        registry.refresh(); // the upstream children exist by now
        resolve({ child, pid: child.pid, url: match[1], stderr });
      }
    });
  });
}

/** Asks a child to stop with SIGTERM and waits (bounded) for it to exit. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
