/**
 * Character classes and text normalisation shared by the detectors.
 *
 * Instruction detectors match on a normalised copy of the text (invisible characters removed,
 * homoglyphs and fullwidth forms folded to ASCII) so that "ig\u200Bnore previous instructions" or
 * a Cyrillic "о" cannot slip past them; an offset table maps every match back to the original so
 * evidence shows what the server actually sent.
 */

export const EVIDENCE_MAX = 120;

/** Zero-width and other default-ignorable characters that render as nothing. */
export function isZeroWidth(cp: number): boolean {
  return (
    cp === 0x200b || // zero width space
    cp === 0x200c || // zero width non-joiner
    cp === 0x200d || // zero width joiner
    (cp >= 0x2060 && cp <= 0x2064) || // word joiner, invisible operators
    cp === 0xfeff || // zero width no-break space / BOM
    cp === 0x180e || // mongolian vowel separator
    cp === 0x00ad || // soft hyphen
    cp === 0x034f || // combining grapheme joiner
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x3164 ||
    cp === 0xffa0 || // hangul fillers
    cp === 0x17b4 ||
    cp === 0x17b5
  );
}

/** Embedding, override and isolate controls: the Trojan Source set (CVE-2021-42574). */
export function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/** Directional marks: legitimate inside right-to-left text, deceptive elsewhere. */
export function isBidiMark(cp: number): boolean {
  return cp === 0x200e || cp === 0x200f || cp === 0x061c;
}

export function isTagChar(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

export function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/** Anything that is invisible when rendered and that we therefore escape in evidence. */
export function isHiddenChar(cp: number): boolean {
  return (
    isZeroWidth(cp) ||
    isBidiControl(cp) ||
    isBidiMark(cp) ||
    isTagChar(cp) ||
    isVariationSelector(cp) ||
    (cp < 0x20 && cp !== 0x0a && cp !== 0x09 && cp !== 0x0d) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xd800 && cp <= 0xdfff) // lone surrogate
  );
}

export function isRtlLetter(cp: number): boolean {
  return (cp >= 0x0590 && cp <= 0x08ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfefc);
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Render text for a human: whitespace collapsed, invisible characters as \u{XXXX}, at most
 * EVIDENCE_MAX characters (an escape is never cut in half).
 */
export function toEvidence(raw: string, max: number = EVIDENCE_MAX): string {
  let out = '';
  let pendingSpace = false;
  for (const ch of raw) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x20 || cp === 0x0a || cp === 0x09 || cp === 0x0d) {
      pendingSpace = out.length > 0;
      continue;
    }
    const piece = (pendingSpace ? ' ' : '') + (isHiddenChar(cp) ? `\\u{${hex(cp)}}` : ch);
    pendingSpace = false;
    if (out.length + piece.length > max - 1) {
      return `${out}…`;
    }
    out += piece;
  }
  return out;
}

/** Show every non-ASCII character escaped: for names, where a Cyrillic "а" is the whole point. */
export function toAsciiEvidence(raw: string, max: number = EVIDENCE_MAX): string {
  let out = '';
  for (const ch of raw) {
    const cp = ch.codePointAt(0) ?? 0;
    const piece = cp >= 0x20 && cp < 0x7f ? ch : `\\u{${hex(cp)}}`;
    if (out.length + piece.length > max - 1) return `${out}…`;
    out += piece;
  }
  return out;
}

/**
 * Homoglyphs of Latin letters from Cyrillic, Greek and Latin extensions (subset of Unicode
 * confusables.txt limited to lowercase-ASCII targets that matter for English instructions and
 * tool names).
 */
const CONFUSABLES: ReadonlyMap<number, string> = new Map<number, string>(
  (
    [
      // Cyrillic lowercase
      ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['һ', 'h'], ['і', 'i'], ['ї', 'i'], ['ј', 'j'], ['к', 'k'],
      ['м', 'm'], ['н', 'h'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['т', 't'], ['у', 'y'], ['х', 'x'], ['ѕ', 's'],
      ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['ӏ', 'l'], ['ɡ', 'g'], ['ɩ', 'i'], ['ʟ', 'l'], ['ո', 'n'], ['ս', 'u'],
      // Cyrillic uppercase
      ['А', 'a'], ['В', 'b'], ['Е', 'e'], ['Ѕ', 's'], ['І', 'i'], ['Ј', 'j'], ['К', 'k'], ['М', 'm'], ['Н', 'h'],
      ['О', 'o'], ['Р', 'p'], ['С', 'c'], ['Т', 't'], ['У', 'y'], ['Х', 'x'], ['Ԁ', 'd'], ['Ԛ', 'q'], ['Ԝ', 'w'],
      // Greek
      ['α', 'a'], ['β', 'b'], ['γ', 'y'], ['ε', 'e'], ['ι', 'i'], ['κ', 'k'], ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'],
      ['τ', 't'], ['υ', 'u'], ['χ', 'x'], ['ω', 'w'], ['Α', 'a'], ['Β', 'b'], ['Ε', 'e'], ['Ζ', 'z'], ['Η', 'h'],
      ['Ι', 'i'], ['Κ', 'k'], ['Μ', 'm'], ['Ν', 'n'], ['Ο', 'o'], ['Ρ', 'p'], ['Τ', 't'], ['Υ', 'y'], ['Χ', 'x'],
      // Latin look-alikes
      ['ı', 'i'], ['ȷ', 'j'], ['ℓ', 'l'], ['ǀ', 'l'], ['ꓲ', 'l'], ['ɑ', 'a'], ['ꞵ', 'b'],
    ] as const
  ).map(([from, to]) => [from.codePointAt(0) ?? 0, to] as [number, string]),
);

/** The ASCII letter a character imitates, or undefined when it is not a known homoglyph. */
export function confusableOf(cp: number): string | undefined {
  if (cp < 0x80) return undefined;
  const direct = CONFUSABLES.get(cp);
  if (direct !== undefined) return direct;
  // Fullwidth ASCII (U+FF01–FF5E) and mathematical alphanumerics fold to ASCII under NFKC.
  if ((cp >= 0xff01 && cp <= 0xff5e) || (cp >= 0x1d400 && cp <= 0x1d7ff)) {
    const folded = String.fromCodePoint(cp).normalize('NFKC');
    if (folded.length === 1 && folded.charCodeAt(0) < 0x80) return folded;
  }
  return undefined;
}

export interface NormalizedText {
  readonly original: string;
  /** Invisible characters dropped, homoglyphs folded to ASCII; case preserved. */
  readonly text: string;
  /** offsets[i] = index in `original` of text[i]; offsets[text.length] = original.length. */
  readonly offsets: Uint32Array;
}

export function normalizeForMatching(original: string): NormalizedText {
  const offsets = new Uint32Array(original.length + 1);
  let text = '';
  let n = 0;
  let i = 0;
  // Fast path for the common all-ASCII case: identity mapping.
  if (!/[^\x00-\x7f]/.test(original)) {
    for (let k = 0; k <= original.length; k++) offsets[k] = k;
    return { original, text: original, offsets };
  }
  const parts: string[] = [];
  while (i < original.length) {
    const cp = original.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    if (isZeroWidth(cp) || isBidiControl(cp) || isBidiMark(cp) || isTagChar(cp) || isVariationSelector(cp)) {
      i += width;
      continue;
    }
    const folded = confusableOf(cp);
    if (folded !== undefined) {
      parts.push(folded);
      offsets[n++] = i;
    } else {
      parts.push(original.slice(i, i + width));
      for (let k = 0; k < width; k++) offsets[n++] = i + k;
    }
    i += width;
  }
  text = parts.join('');
  offsets[n] = original.length;
  return { original, text, offsets: offsets.subarray(0, n + 1) };
}

/** Original text behind normalised range [start, end). */
export function originalSlice(nt: NormalizedText, start: number, end: number): string {
  const s = nt.offsets[Math.max(0, Math.min(start, nt.text.length))] ?? 0;
  const e = nt.offsets[Math.max(0, Math.min(end, nt.text.length))] ?? nt.original.length;
  return nt.original.slice(s, e);
}

/** Index of the start of the sentence containing `pos`, looking back at most `limit` characters. */
export function sentenceStart(text: string, pos: number, limit: number): number {
  const floor = Math.max(0, pos - limit);
  for (let i = pos - 1; i >= floor; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) return i + 1;
    if ((c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b) && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x20 || next === 0x0a || next === 0x09) return i + 2;
    }
  }
  return floor;
}

/** Index just past the end of the sentence containing `pos`, looking ahead at most `limit` characters. */
export function sentenceEnd(text: string, pos: number, limit: number): number {
  const ceil = Math.min(text.length, pos + limit);
  for (let i = pos; i < ceil; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) return i;
    if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0x20;
      if (next === 0x20 || next === 0x0a || next === 0x09) return i + 1;
    }
  }
  return ceil;
}
