import { performance } from 'node:perf_hooks';

export interface LoadResult {
  readonly calls: number;
  readonly wallMs: number;
  /** One latency per call, ms. */
  readonly latencies: number[];
}

/**
 * Closed-loop load: `concurrency` workers, each starting its next call as soon as its previous one settles,
 * until `total` calls are done. Any failed call fails the run (a benchmark of errors measures nothing).
 */
export async function closedLoop(total: number, concurrency: number, call: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = new Array<number>(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await call();
      latencies[i] = performance.now() - t0;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { calls: total, wallMs: performance.now() - start, latencies };
}
