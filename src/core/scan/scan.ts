import type { Finding, ScanContext, ScannedTool, ToolRef } from './types.js';
import { atLeast } from './types.js';
import { normalizeForMatching, toEvidence } from './text.js';
import { scanUnicode } from './unicode.js';
import { scanBlobs } from './blobs.js';
import { scanInstructions } from './instructions.js';
import { NameIndex } from './names.js';
import { buildTargets, scanReferences, serverAliases, type OwnServer, type ReferenceTargets } from './references.js';
import { MAX_SCAN_CHARS, StringCollector, type ScanString } from './walk.js';

/**
 * Entry points of the definition scanner. Pure: same input, same findings, in a stable order.
 * The scanner never throws; if a detector does on some input we did not foresee, the tool gets a
 * high 'scan-error' finding so that a `block_findings: high` policy fails closed.
 */

const MAX_FINDINGS = 64;

// Findings that are instructions to the model; two of them in one tool is a deliberate payload.
const INSTRUCTION_IDS: ReadonlySet<string> = new Set([
  'hidden-instruction-tag',
  'ignore-previous',
  'conceal-from-user',
  'sensitive-file-request',
  'cross-tool-reference',
]);

function scanError(location: string, err: unknown): Finding {
  const message = err instanceof Error ? err.message : 'unknown error';
  return { id: 'scan-error', severity: 'high', title: 'Scanner failed on this definition', evidence: toEvidence(message), location };
}

/** Text detectors (not names) over one string; decoded payloads are scanned one level deep. */
interface Refs {
  targets: ReferenceTargets;
  own: OwnServer;
}

function scanString(s: ScanString, refs: Refs | undefined, out: Finding[], nested = false): void {
  const uni = scanUnicode(s.text, s.location);
  out.push(...uni.findings);
  if (s.isKey) return;
  const nt = normalizeForMatching(s.text);
  scanInstructions(nt, s.location, out);
  if (refs !== undefined) scanReferences(nt, refs.targets, refs.own, s.location, out);
  if (nested) return;
  for (const hidden of uni.decodedTags) {
    scanString({ location: `${s.location} (decoded unicode tags)`, text: hidden.slice(0, MAX_SCAN_CHARS), isKey: false }, refs, out, true);
  }
  const blobs = scanBlobs(s.text, s.location);
  out.push(...blobs.findings);
  for (const d of blobs.decoded) {
    scanString({ location: `${s.location} (decoded ${d.kind})`, text: d.text, isKey: false }, refs, out, true);
  }
}

/** One finding per (id, location), the most severe kept; then the combination rule. */
function finalize(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.id}\u0000${f.location}`;
    const prev = byKey.get(key);
    if (prev === undefined || (atLeast(f.severity, prev.severity) && f.severity !== prev.severity)) byKey.set(key, f);
  }
  const list = [...byKey.values()];
  // An instruction-style finding next to another high finding of a different kind is a
  // deliberate payload (e.g. <IMPORTANT> + read ~/.ssh), not an awkward phrasing.
  const highIds = new Set(list.filter((f) => atLeast(f.severity, 'high')).map((f) => f.id));
  const out = list.map((f) => {
    if (f.severity !== 'high' || !INSTRUCTION_IDS.has(f.id)) return f;
    for (const id of highIds) if (id !== f.id) return { ...f, severity: 'critical' as const };
    return f;
  });
  return out.slice(0, MAX_FINDINGS);
}

function collect(tool: ScannedTool): StringCollector {
  const c = new StringCollector();
  const name = (tool as { name?: unknown }).name;
  if (typeof name === 'string') c.add('name', name);
  const title = (tool as { title?: unknown }).title;
  if (typeof title === 'string') c.add('title', title);
  const description = (tool as { description?: unknown }).description;
  if (typeof description === 'string') c.add('description', description);
  c.walk((tool as { annotations?: unknown }).annotations, 'annotations');
  c.walk((tool as { inputSchema?: unknown }).inputSchema, 'inputSchema');
  // outputSchema is not in ScannedTool's type but a model reads it too when a server sends it.
  c.walk((tool as { outputSchema?: unknown }).outputSchema, 'outputSchema');
  return c;
}

interface Catalog {
  index: NameIndex;
  targets: ReferenceTargets;
}

function catalogOf(refs: readonly ToolRef[]): Catalog {
  const index = new NameIndex(refs);
  return { index, targets: buildTargets(index) };
}

function scanWithIndex(tool: ScannedTool, catalog: Catalog | undefined): Finding[] {
  const out: Finding[] = [];
  try {
    if (tool === null || typeof tool !== 'object') return [];
    const server = typeof tool.server === 'string' ? tool.server : String(tool.server);
    const collected = collect(tool);
    const refs: Refs | undefined =
      catalog === undefined
        ? undefined
        : {
            targets: catalog.targets,
            own: { server, names: catalog.index.namesByServer.get(server) ?? new Set(), aliases: new Set(serverAliases(server)) },
          };
    for (const s of collected.strings) {
      scanString(s, refs, out);
      if (out.length > MAX_FINDINGS * 4) break;
    }
    if (collected.truncated) {
      // Content past the budget reaches the model unscanned; say so rather than pass it as clean.
      out.push({
        id: 'scan-truncated',
        severity: 'medium',
        title: 'Definition exceeds the scan budget; the rest was not scanned',
        evidence: `scanned the first ${MAX_SCAN_CHARS} characters, depth ≤ 16`,
        location: 'definition',
      });
    }
    if (catalog !== undefined && typeof tool.name === 'string') out.push(...catalog.index.check(server, tool.name));
  } catch (err) {
    out.push(scanError('definition', err));
  }
  return finalize(out);
}

/**
 * Scan one tool definition. `context.otherTools` may include the tool's own server; only other
 * servers' tools are used for collisions, look-alikes and cross-tool references.
 */
export function scanTool(tool: ScannedTool, context: ScanContext): Finding[] {
  let catalog: Catalog | undefined;
  try {
    const others = Array.isArray(context?.otherTools) ? context.otherTools : [];
    catalog = others.length > 0 ? catalogOf(others.filter(isToolRef)) : undefined;
  } catch (err) {
    return [scanError('context', err)];
  }
  return scanWithIndex(tool, catalog);
}

function isToolRef(t: unknown): t is ToolRef {
  return typeof t === 'object' && t !== null && typeof (t as ToolRef).name === 'string' && typeof (t as ToolRef).server === 'string';
}

export function toolKey(tool: ToolRef): string {
  return `${tool.server}/${tool.name}`;
}

/** Scan a whole catalog: per-tool detectors plus the cross-server checks, with one shared index. */
export function scanCatalog(tools: readonly ScannedTool[]): Map<string, Finding[]> {
  const result = new Map<string, Finding[]>();
  const list = Array.isArray(tools) ? tools : [];
  let catalog: Catalog | undefined;
  try {
    catalog = catalogOf(list.filter(isToolRef));
  } catch (err) {
    // Fail closed: without the index the cross-server checks cannot vouch for any tool.
    for (const tool of list) if (isToolRef(tool)) result.set(toolKey(tool), [scanError('catalog', err)]);
    return result;
  }
  for (const tool of list) {
    if (!isToolRef(tool)) continue;
    const key = toolKey(tool);
    const findings = scanWithIndex(tool, catalog);
    const prev = result.get(key);
    // Duplicate server/name pairs keep every finding rather than the last tool's only.
    result.set(key, prev === undefined ? findings : finalize([...prev, ...findings]));
  }
  return result;
}

/**
 * Scan a CallToolResult-like value for the same text patterns (instructions, invisible unicode,
 * blobs). Results carry data, so this is advisory: a web page that quotes a prompt-injection
 * example will be flagged.
 */
export function scanToolResult(result: unknown): Finding[] {
  const out: Finding[] = [];
  try {
    const c = new StringCollector();
    if (typeof result === 'object' && result !== null) {
      const content = (result as { content?: unknown }).content;
      if (Array.isArray(content)) {
        content.forEach((item: unknown, i: number) => {
          if (typeof item !== 'object' || item === null) return;
          const text = (item as { text?: unknown }).text;
          if (typeof text === 'string') c.add(`content[${i}].text`, text);
          const resource = (item as { resource?: unknown }).resource;
          if (typeof resource === 'object' && resource !== null) {
            const rt = (resource as { text?: unknown }).text;
            if (typeof rt === 'string') c.add(`content[${i}].resource.text`, rt);
          }
        });
      }
      c.walk((result as { structuredContent?: unknown }).structuredContent, 'structuredContent');
    } else if (typeof result === 'string') {
      c.add('result', result);
    }
    for (const s of c.strings) scanString(s, undefined, out);
    if (c.truncated) {
      out.push({
        id: 'scan-truncated',
        severity: 'low',
        title: 'Result exceeds the scan budget; the rest was not scanned',
        evidence: `scanned the first ${MAX_SCAN_CHARS} characters`,
        location: 'result',
      });
    }
  } catch (err) {
    out.push(scanError('result', err));
  }
  return finalize(out);
}
