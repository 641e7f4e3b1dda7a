import { performance } from 'node:perf_hooks';

export interface LoadResult {
  readonly calls: number;
  readonly wallMs: number;
  /** One latency per call, ms. */
  readonly latencies: number[];
  /** True when the time budget ran out before `total` calls were done; `calls` then counts the ones done. */
  readonly truncated?: boolean;
}

/**
 * Closed-loop load: `concurrency` workers, each starting its next call as soon as its previous one settles,
 * until `total` calls are done, or until `maxMs` has passed (no new call starts after it; the ones in flight
 * finish and count). Any failed call fails the run (a benchmark of errors measures nothing).
 */
export async function closedLoop(total: number, concurrency: number, call: () => Promise<void>, maxMs = Number.POSITIVE_INFINITY): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      next++;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { calls: latencies.length, wallMs: performance.now() - start, latencies, truncated: latencies.length < total };
}
