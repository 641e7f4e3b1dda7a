/**
 * Name tokeniser. Tool names arrive in every convention (snake_case, camelCase, kebab-case,
 * dotted, `server__tool`), so all of them are reduced to lower-case word tokens.
 */

/** Names longer than this are truncated: no real tool name is this long and the cap bounds the work. */
export const MAX_NAME_CHARS = 256;

const NAMESPACE_SEPARATOR = '__';

export interface NameTokens {
  /** The name after server prefixes were removed. */
  readonly stripped: string;
  /** Lower-case word tokens in order. */
  readonly tokens: readonly string[];
}

/**
 * Removes gateway/server namespace prefixes. A configured prefix is removed when it matches
 * case-insensitively; otherwise a `something__` namespace (the common gateway convention) is removed.
 * A single leading `server.` segment is removed only when it equals the known server name, because
 * dotted names such as `issues.list` carry meaning in their first segment.
 */
export function stripServerPrefixes(name: string, prefixes: readonly string[] | undefined, server?: string): string {
  let out = name;
  if (prefixes !== undefined) {
    const lower = out.toLowerCase();
    for (const prefix of prefixes) {
      if (typeof prefix === 'string' && prefix.length > 0 && prefix.length < out.length && lower.startsWith(prefix.toLowerCase())) {
        out = out.slice(prefix.length);
        break;
      }
    }
  }
  const ns = out.lastIndexOf(NAMESPACE_SEPARATOR);
  if (ns > 0 && ns + NAMESPACE_SEPARATOR.length < out.length) {
    out = out.slice(ns + NAMESPACE_SEPARATOR.length);
  }
  if (server !== undefined && server.length > 0) {
    const dot = out.indexOf('.');
    if (dot > 0 && dot < out.length - 1 && out.slice(0, dot).toLowerCase() === server.toLowerCase()) {
      out = out.slice(dot + 1);
    }
  }
  return out;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Splits an identifier into lower-case tokens. Handles acronyms the way people write them:
 * `InfluxDBWriteLP` → influx, db, write, lp; `getHTTPResponse` → get, http, response.
 * Anything that is not an ASCII letter or digit separates tokens, so unicode never breaks it.
 */
export function splitIdentifier(input: string): string[] {
  const s = input.length > MAX_NAME_CHARS ? input.slice(0, MAX_NAME_CHARS) : input;
  const tokens: string[] = [];
  let start = -1;
  const flush = (end: number): void => {
    if (start >= 0 && end > start) tokens.push(s.slice(start, end).toLowerCase());
    start = -1;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = isUpper(c) || isLower(c) || isDigit(c);
    if (!alnum) {
      flush(i);
      continue;
    }
    if (start < 0) {
      start = i;
      continue;
    }
    const prev = s.charCodeAt(i - 1);
    if (isUpper(c)) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      // lower→Upper starts a word (getIssue); in a run of capitals the last one starts a word when a lower-case letter follows (HTTPResponse).
      if (isLower(prev) || isDigit(prev) || (isUpper(prev) && isLower(next))) {
        flush(i);
        start = i;
      }
    }
  }
  flush(s.length);
  return tokens;
}

export function tokenizeName(name: string, prefixes?: readonly string[], server?: string): NameTokens {
  const bounded = name.length > MAX_NAME_CHARS ? name.slice(0, MAX_NAME_CHARS) : name;
  const stripped = stripServerPrefixes(bounded, prefixes, server);
  return { stripped, tokens: splitIdentifier(stripped) };
}
