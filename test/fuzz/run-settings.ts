/** `FUZZ_SCALE` multiplies every property's case count. */
export const FUZZ_SCALE = Number(process.env['FUZZ_SCALE'] ?? '1');

/**
 * `FUZZ_SEED` replays a run. Printed when the file starts, not only in each property's closing diagnostic, so a
 * run that hangs (and is cut off by the runner's timeout) still names the seed that reproduces it.
 */
export function fuzzSeed(file: string): number {
  const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  process.stderr.write(`${file}: FUZZ_SEED=${seed}\n`);
  return seed;
}
