import { atLeast, highestSeverity, scanCatalog, toolKey, type Finding, type Severity } from '../core/scan/index.js';
import { definitionHash } from '../core/catalog/definition-hash.js';
import type { Catalog } from './catalog.js';

export type PinMode = 'block' | 'warn' | 'off';
export type PinState = 'pinned' | 'changed' | 'off';

export interface GuardVerdict {
  readonly rule: 'pin' | 'block_findings';
  readonly reason: string;
}

interface ToolState {
  readonly server: string;
  readonly upstreamName: string;
  readonly hash: string;
  readonly findings: readonly Finding[];
}

/**
 * What the gateway knows about each tool's integrity: the definition hash pinned when it was first seen (or last
 * approved), whether the current definition still matches it, and what the poisoning scan found. Recomputed
 * synchronously whenever the catalog changes, so no call slips through between a rug pull and its detection.
 */
export class ToolGuard {
  /** `server/tool` → pinned hash; filled from the store at start, then on first sight (trust on first use). */
  private readonly pins = new Map<string, string>();
  /**
   * False until the pins on record could be read. Until then a tool of a `block` server cannot be told apart from
   * a rug-pulled one, so its calls are held rather than trusted on first use.
   */
  pinsLoaded = false;
  private state = new Map<string, ToolState>();

  constructor(private readonly pinMode: (server: string) => PinMode) {}

  loadPins(records: readonly { server: string; tool: string; definitionHash: string }[]): void {
    for (const r of records) this.pins.set(`${r.server}/${r.tool}`, r.definitionHash);
    this.pinsLoaded = true;
  }

  /** The current definition of a tool as agents see it, for approving it. */
  current(tool: string): { server: string; upstreamName: string; hash: string } | undefined {
    const s = this.state.get(tool);
    return s && { server: s.server, upstreamName: s.upstreamName, hash: s.hash };
  }

  pin(server: string, tool: string, hash: string): void {
    this.pins.set(`${server}/${tool}`, hash);
  }

  pinnedHash(server: string, tool: string): string | undefined {
    return this.pins.get(`${server}/${tool}`);
  }

  refresh(catalog: Catalog): void {
    const tools = [...catalog.tools.entries()].map(([name, route]) => ({ name, route, server: route.upstream.name }));
    const findings = scanCatalog(tools.map(({ route, server }) => ({ ...route.definition, server, name: route.upstreamName })));
    const next = new Map<string, ToolState>();
    for (const { name, route, server } of tools) {
      const hash = definitionHash({ ...route.definition, name: route.upstreamName });
      const key = `${server}/${route.upstreamName}`;
      if (this.pinsLoaded && !this.pins.has(key)) this.pins.set(key, hash);
      next.set(name, { server, upstreamName: route.upstreamName, hash, findings: findings.get(toolKey({ server, name: route.upstreamName })) ?? [] });
    }
    this.state = next;
  }

  findings(tool: string): readonly Finding[] {
    return this.state.get(tool)?.findings ?? [];
  }

  pinState(tool: string): PinState {
    const s = this.state.get(tool);
    if (!s || this.pinMode(s.server) === 'off') return 'off';
    return this.pins.get(`${s.server}/${s.upstreamName}`) === s.hash ? 'pinned' : 'changed';
  }

  /** Why a call to this tool must not reach its server, if it must not. */
  check(tool: string, blockFindings: Severity | undefined): GuardVerdict | undefined {
    const s = this.state.get(tool);
    if (!s) return undefined;
    if (this.pinMode(s.server) === 'block' && !this.pinsLoaded) {
      return { rule: 'pin', reason: 'the approved tool definitions could not be read from the store, so calls to servers that pin definitions are held' };
    }
    if (this.pinState(tool) === 'changed' && this.pinMode(s.server) === 'block') {
      return { rule: 'pin', reason: `the definition of '${tool}' changed since it was approved; calls are held until an admin approves the new one (gatehouse pins approve ${tool})` };
    }
    const worst = highestSeverity(s.findings);
    if (blockFindings && worst && atLeast(worst, blockFindings)) {
      const top = s.findings.filter((f) => f.severity === worst).map((f) => f.title);
      return { rule: 'block_findings', reason: `the tool's definition has a ${worst} security finding (${top.join('; ')}) and the policy blocks findings at ${blockFindings} or above` };
    }
    return undefined;
  }
}
