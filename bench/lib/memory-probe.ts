/**
 * Preloaded into a process under measurement (`node --expose-gc --import <this file> …`). On SIGUSR2 it takes the
 * process's own view of its memory (V8 heap spaces, code, external), runs a full GC (if `gc` is exposed) and takes
 * the same view after it, whose heap used is the live heap, and writes both as JSON to the file named by
 * MEMORY_PROBE_OUT. If MEMORY_PROBE_SNAPSHOT names a file, it writes a heap snapshot there first. /proc shows only
 * the RSS; this splits it. It loads nothing but node:fs and node:v8, so it barely moves what it measures.
 */
import { writeFileSync } from 'node:fs';
import { getHeapCodeStatistics, getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

export interface HeapView {
  readonly memoryUsage: NodeJS.MemoryUsage;
  /** Per V8 heap space: bytes committed (`size`), used, and resident (`physical`). */
  readonly spaces: Record<string, { readonly size: number; readonly used: number; readonly physical: number }>;
  readonly code: { readonly codeAndMetadata: number; readonly bytecodeAndMetadata: number; readonly externalScripts: number };
}

export interface ProbeReport {
  readonly idle: HeapView;
  /** After a full GC; absent without --expose-gc. */
  readonly afterGc?: HeapView;
}

function heapView(): HeapView {
  const code = getHeapCodeStatistics();
  return {
    memoryUsage: process.memoryUsage(),
    spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size }])),
    code: { codeAndMetadata: code.code_and_metadata_size, bytecodeAndMetadata: code.bytecode_and_metadata_size, externalScripts: code.external_script_source_size },
  };
}

const out = process.env['MEMORY_PROBE_OUT'];
if (out) {
  process.on('SIGUSR2', () => {
    const idle = heapView();
    let afterGc: HeapView | undefined;
    if (globalThis.gc) {
      globalThis.gc();
      afterGc = heapView();
    }
    const snapshot = process.env['MEMORY_PROBE_SNAPSHOT'];
    if (snapshot) writeHeapSnapshot(snapshot);
    // Last, so that the report's appearance tells the bench that the snapshot is complete too.
    writeFileSync(out, JSON.stringify({ idle, ...(afterGc ? { afterGc } : {}) } satisfies ProbeReport));
  });
}
