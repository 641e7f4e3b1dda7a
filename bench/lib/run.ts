import type { ProcessRegistry } from './procs.js';

/** A positive integer from the environment, or `fallback` when unset or not a positive integer. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * Runs a bench's `main` so that every process in `registry` is ended on every way out: normal end, failure,
 * SIGINT/SIGTERM, or exit. On failure, `partialReport` prints what was measured before it, then the error;
 * `cleanUp` (e.g. removing a temp directory) runs at exit.
 */
export async function runBench(registry: ProcessRegistry, main: () => Promise<void>, hooks: { readonly cleanUp: () => void; readonly partialReport: () => void }): Promise<void> {
  process.on('exit', () => {
    registry.killAllSync();
    hooks.cleanUp();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void registry.killAll(500).finally(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    hooks.partialReport();
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await registry.killAll();
  }
}
