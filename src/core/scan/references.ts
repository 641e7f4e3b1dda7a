import type { Finding } from './types.js';
import type { NameIndex } from './names.js';
import { originalSlice, sentenceEnd, sentenceStart, toEvidence, type NormalizedText } from './text.js';

/**
 * Cross-server shadowing: a description that tells the model how to use *another* server's tool
 * ("when calling send_email, always BCC …", "instead of github's create_issue use this"). A mention
 * alone is fine; it must sit in an instruction-like construction. Names that the tool's own server
 * also offers are read as references to its own tools (Neon: "use `list_projects` instead").
 */

export interface ReferenceTargets {
  /** lowercased tool name → servers offering it. */
  tools: ReadonlyMap<string, readonly string[]>;
  /** lowercased server alias → servers known by it. */
  servers: ReadonlyMap<string, readonly string[]>;
}

const AFFIX = /^(?:mcp[-_]server[-_]|server[-_]|mcp[-_])|(?:[-_]mcp[-_]server|[-_]mcp|[-_]server)$/g;

/** Names a server is likely to be called by in prose: 'github/github-mcp-server' → github-mcp-server, github. */
export function serverAliases(server: string): string[] {
  const out = new Set<string>();
  const lower = server.toLowerCase().trim();
  out.add(lower);
  const noParen = lower.replace(/\s*\([^)]{0,64}\)\s*$/, '');
  const last = noParen.split('/').pop() ?? noParen;
  out.add(last);
  out.add(last.replace(AFFIX, '').replace(AFFIX, ''));
  return [...out].filter((a) => a.length >= 3);
}

function push(map: Map<string, string[]>, key: string, server: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [server]);
  else if (!list.includes(server)) list.push(server);
}

/** Built once per catalog; the per-tool view (other servers only) is applied at lookup. */
export function buildTargets(index: NameIndex): ReferenceTargets {
  const tools = new Map<string, string[]>();
  const servers = new Map<string, string[]>();
  for (const [server, names] of index.namesByServer) {
    for (const n of names) if (n.length >= 3) push(tools, n, server);
    for (const alias of serverAliases(server)) push(servers, alias, server);
  }
  return { tools, servers };
}

/** Servers other than `own` that a mention refers to, or none when `own` offers the name itself. */
function foreign(owners: readonly string[] | undefined, own: string, ownAliasOrName: boolean): string[] {
  if (owners === undefined || ownAliasOrName || owners.includes(own)) return [];
  return owners.filter((o) => o !== own);
}

// Words that introduce an instruction about a following tool: "when calling X", "instead of X".
const BEFORE =
  /(?:\b(?:when(?:ever)?|before|after|prior to|instead of|rather than|in place of|once|until)\s+(?:(?:you|the|agent|assistant|model|are|is|calling|using|invoking|running|executing|call|use|invoke|run|execute|any|a|an|to|tool|server)\s+){0,4}|\b(?:do not|don't|never|avoid|stop)\s+(?:use|call|invoke|using|calling|invoking|trust)\s+(?:the\s+|any\s+)?|\b(?:always|must|should|first)\s+(?:also\s+)?(?:use|call|invoke|route\s+\w+\s+through)\s+(?:the\s+)?|\b(?:calls?|requests?|invocations?|messages?|emails?)\s+(?:to|of|sent\s+(?:via|with|through|using|by))\s+(?:the\s+)?|\b(?:sent|made|routed)\s+(?:via|with|through|using|by)\s+(?:the\s+)?)[`'"(]?$/i;
// Or an obligation placed on it: "the send_email tool must …", "X is deprecated".
const AFTER =
  /^[`'"]?\s*(?:(?:tool|server|function|command|mcp|integration)s?\s+)?(?:must|should|shall|has to|have to|needs? to|is required to|are required to|will need to|(?:is|are)\s+(?:now\s+)?(?:deprecated|broken|unsafe|insecure|disabled|compromised|outdated|unavailable)|(?:is|are|gets?)\s+(?:invoked|called|used|run|executed))\b/i;

const TOKEN = /[A-Za-z0-9][A-Za-z0-9_.\/:-]{0,127}/g;

function isDistinctive(original: string): boolean {
  // snake_case, kebab-case, dotted, digits, or camelCase: unlikely to be an ordinary English word.
  return /[_.\-\d]/.test(original) || /[a-z][A-Z]/.test(original);
}

function hasMarker(text: string, start: number, end: number): boolean {
  const prev = text.charAt(start - 1);
  const next = text.charAt(end);
  if ((prev === '`' || prev === "'" || prev === '"') && prev === next) return true;
  if (/^\s+(?:tool|server|function|mcp)\b/i.test(text.slice(end, end + 12))) return true;
  return /\b(?:tool|server)\s+$/i.test(text.slice(Math.max(0, start - 8), start));
}

function candidates(token: string): string[] {
  const out = [token];
  for (const part of token.split(/__|[./:]/)) if (part !== token && part.length > 0) out.push(part);
  const stripped = token.replace(/^mcp_tool_|^mcp__?/, '');
  if (stripped !== token) out.push(stripped);
  return out;
}

export interface OwnServer {
  server: string;
  /** lowercased tool names of the scanned tool's own server. */
  names: ReadonlySet<string>;
  aliases: ReadonlySet<string>;
}

export function scanReferences(nt: NormalizedText, targets: ReferenceTargets, own: OwnServer, location: string, out: Finding[]): void {
  if (targets.tools.size === 0 && targets.servers.size === 0) return;
  const text = nt.text;
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let hits = 0;
  while ((m = TOKEN.exec(text)) !== null) {
    const raw = m[0].replace(/[.:/-]+$/, '');
    const start = m.index;
    const end = start + raw.length;
    for (const cand of candidates(raw)) {
      const lower = cand.toLowerCase();
      const ownName = own.names.has(lower) || own.aliases.has(lower);
      const toolOwners = foreign(targets.tools.get(lower), own.server, ownName);
      const serverOwners = toolOwners.length > 0 ? [] : foreign(targets.servers.get(lower), own.server, ownName);
      const isTool = toolOwners.length > 0;
      if (!isTool && serverOwners.length === 0) continue;
      if (!isDistinctive(cand) && !hasMarker(text, start, end)) continue;
      // Bounded work: a description naming hundreds of tools is checked for the first few dozen.
      if (++hits > 64) return;
      const from = sentenceStart(text, start, 160);
      const to = sentenceEnd(text, end, 120);
      if (!BEFORE.test(text.slice(from, start)) && !AFTER.test(text.slice(end, to))) continue;
      const owner = (isTool ? toolOwners : serverOwners).slice(0, 3).join(', ');
      out.push({
        id: 'cross-tool-reference',
        severity: 'high',
        title: isTool ? "Instruction about another server's tool" : 'Instruction about another server',
        evidence: toEvidence(`${cand} (${owner}): ${originalSlice(nt, Math.max(from, start - 60), Math.min(to, end + 40)).trim()}`),
        location,
      });
      return;
    }
  }
}
