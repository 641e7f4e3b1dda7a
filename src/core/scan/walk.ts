/**
 * Collects the strings of a tool definition a model will read, under a fixed budget, so that a
 * hostile server cannot make the scan slow with a 5 MB description or a 10 000-level schema.
 * Cycles cannot occur in parsed JSON, but the scanner accepts any value and must not loop on one.
 */

export const MAX_SCAN_CHARS = 64 * 1024;
export const MAX_DEPTH = 16;
export const MAX_NODES = 10_000;

export interface ScanString {
  location: string;
  text: string;
  /** Property names: scanned for invisible characters only. */
  isKey: boolean;
}

export class StringCollector {
  readonly strings: ScanString[] = [];
  truncated = false;
  private budget: number;
  private nodes = 0;

  constructor(budget: number = MAX_SCAN_CHARS) {
    this.budget = budget;
  }

  add(location: string, text: string, isKey = false): void {
    if (text.length === 0) return;
    if (this.budget <= 0) {
      this.truncated = true;
      return;
    }
    let t = text;
    if (t.length > this.budget) {
      // Do not split a surrogate pair: a dangling half would read as an odd character.
      let cut = this.budget;
      const code = t.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      t = t.slice(0, cut);
      this.truncated = true;
    }
    this.budget -= t.length;
    this.strings.push({ location, text: t, isKey });
  }

  /** Walk a JSON-like value, adding string leaves (and non-ASCII keys) under `path`. */
  walk(value: unknown, path: string, depth = 0, ancestors: Set<object> = new Set()): void {
    if (this.budget <= 0) {
      if (value !== null && value !== undefined) this.truncated = true;
      return;
    }
    if (++this.nodes > MAX_NODES) {
      this.truncated = true;
      return;
    }
    if (typeof value === 'string') {
      this.add(path, value);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth >= MAX_DEPTH || ancestors.has(value)) {
      this.truncated = true;
      return;
    }
    ancestors.add(value);
    if (Array.isArray(value)) {
      const n = value.length;
      for (let i = 0; i < n && this.budget > 0 && this.nodes <= MAX_NODES; i++) {
        this.walk(value[i] as unknown, `${path}[${i}]`, depth + 1, ancestors);
      }
    } else {
      for (const key of Object.keys(value)) {
        if (this.budget <= 0 || this.nodes > MAX_NODES) {
          this.truncated = true;
          break;
        }
        const child = `${path}.${safeKey(key)}`;
        if (/[^\x00-\x7f]/.test(key)) this.add(child, key, true);
        this.walk((value as Record<string, unknown>)[key], child, depth + 1, ancestors);
      }
    }
    ancestors.delete(value);
  }
}

/** Keys appear in locations; keep them short and printable. */
function safeKey(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
  return printable.length > 64 ? `${printable.slice(0, 63)}…` : printable;
}
