/** A key in `tools` or `hide` that contains `*` (any run of characters) or `?` (exactly one character). */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/**
 * Orders globs from most to least specific so that the first match wins and the order never depends on the
 * order of keys in the file: more literal characters first, then fewer `*`, then plain string order as the
 * final tie-break.
 */
export function compareGlobSpecificity(a: string, b: string): number {
  const literals = (p: string) => [...p].filter((c) => c !== '*' && c !== '?').length;
  const stars = (p: string) => [...p].filter((c) => c === '*').length;
  return literals(b) - literals(a) || stars(a) - stars(b) || (a < b ? -1 : a > b ? 1 : 0);
}
