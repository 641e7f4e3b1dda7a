import type { Finding, ToolRef } from './types.js';
import { confusableOf, isHiddenChar, toAsciiEvidence } from './text.js';

/**
 * Cross-server name checks. Two servers offering `send_email` is a collision (the agent may call
 * the wrong one); `send_emaіl` with a Cyrillic "і", `send_emai1`, or `sendEmail` next to
 * `send_email` is a look-alike (someone may be imitating the other).
 *
 * Severity: a look-alike built from substituted characters (homoglyphs, 0/o, 1/l/i, rn/m,
 * invisible characters) is high for the name that carries the substitution and medium for the
 * name being imitated — the scanner cannot tell which server is legitimate, and flagging the
 * original as high would let any newly added server get a legitimate tool blocked. A difference
 * only in case or separators (-, _, ., space) is medium for both: real catalogs contain
 * `list_tables` next to `listTables` from unrelated servers.
 */

/** Lowercase, separators and invisible characters removed: what differs only cosmetically. */
export function foldName(name: string): string {
  let out = '';
  for (const ch of name.normalize('NFKC').toLowerCase()) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '-' || ch === '_' || ch === '.' || ch === ' ' || ch === '/' || ch === ':') continue;
    if (isHiddenChar(cp)) continue;
    out += ch;
  }
  return out;
}

/** Visual skeleton: foldName plus homoglyphs and confusable digits/letter pairs collapsed. */
export function nameSkeleton(name: string): string {
  let out = '';
  for (const ch of foldName(name)) {
    const cp = ch.codePointAt(0) ?? 0;
    const c = confusableOf(cp) ?? ch;
    out += c === '0' ? 'o' : c === '1' || c === 'i' || c === '|' ? 'l' : c.toLowerCase();
  }
  return out.replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** How many characters of `name` needed a non-cosmetic substitution to reach its skeleton. */
function deception(name: string): number {
  let n = 0;
  for (const ch of name) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80) n++;
    else if (ch === '0' || ch === '1' || ch === '|') n++;
  }
  n += (name.match(/rn|vv/g) ?? []).length;
  return n;
}

interface Entry {
  server: string;
  name: string;
}

export class NameIndex {
  private readonly bySkeleton = new Map<string, Entry[]>();
  /** lowercased names per server, for the cross-tool reference check. */
  readonly namesByServer = new Map<string, Set<string>>();

  constructor(tools: readonly ToolRef[]) {
    for (const t of tools) {
      const server = typeof t.server === 'string' ? t.server : String(t.server);
      const name = typeof t.name === 'string' ? t.name : String(t.name);
      const key = nameSkeleton(name);
      if (key.length > 0) {
        const list = this.bySkeleton.get(key);
        if (list === undefined) this.bySkeleton.set(key, [{ server, name }]);
        else list.push({ server, name });
      }
      let set = this.namesByServer.get(server);
      if (set === undefined) {
        set = new Set();
        this.namesByServer.set(server, set);
      }
      set.add(name.toLowerCase());
    }
  }

  /** Collision and look-alike findings for `name` on `server` against every other server. */
  check(server: string, name: string): Finding[] {
    const out: Finding[] = [];
    const others = this.bySkeleton.get(nameSkeleton(name));
    if (others === undefined) return out;
    let collision: Entry | undefined;
    let lookalike: { entry: Entry; severity: 'high' | 'medium' } | undefined;
    const folded = foldName(name);
    for (const o of others) {
      if (o.server === server) continue;
      if (o.name === name) {
        collision ??= o;
        continue;
      }
      const cosmetic = foldName(o.name) === folded;
      const severity: 'high' | 'medium' = cosmetic ? 'medium' : deception(name) >= deception(o.name) ? 'high' : 'medium';
      if (lookalike === undefined || (severity === 'high' && lookalike.severity !== 'high')) lookalike = { entry: o, severity };
    }
    if (lookalike !== undefined) {
      out.push({
        id: 'name-lookalike',
        severity: lookalike.severity,
        title: 'Tool name looks like a tool on another server',
        evidence: toAsciiEvidence(`"${name}" vs "${lookalike.entry.name}" on ${lookalike.entry.server}`),
        location: 'name',
      });
    }
    if (collision !== undefined) {
      out.push({
        id: 'name-collision',
        severity: 'medium',
        title: 'Tool name also offered by another server',
        evidence: toAsciiEvidence(`"${name}" also on ${collision.server}`),
        location: 'name',
      });
    }
    return out;
  }
}
