import type { Finding, Severity } from './types.js';
import { maxSeverity } from './types.js';
import {
  isBidiControl,
  isBidiMark,
  isRtlLetter,
  isTagChar,
  isVariationSelector,
  isZeroWidth,
  toEvidence,
} from './text.js';

/**
 * Invisible and deceptive code points. A model reads them; a human reviewing the tool in a
 * client UI does not. Benign uses are carved out: emoji ZWJ sequences, ZWNJ/ZWJ in scripts that
 * need them, a leading BOM, directional marks inside right-to-left text, emoji flag tag sequences
 * (🏴 + tags + CANCEL TAG), a single variation selector after a character.
 */

export interface UnicodeScan {
  findings: Finding[];
  /** ASCII carried by runs of Unicode tag characters, to be scanned for instructions. */
  decodedTags: string[];
}

const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;
const LATIN_OR_DIGIT = /[A-Za-z0-9]/;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
/** A run this long of invisible characters is a payload (binary or Morse-style smuggling), not typography. */
const SMUGGLING_RUN = 16;

interface Cp {
  cp: number;
  index: number;
  ch: string;
}

function codePoints(s: string): Cp[] {
  const out: Cp[] = [];
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) ?? 0;
    const w = cp > 0xffff ? 2 : 1;
    out.push({ cp, index: i, ch: s.slice(i, i + w) });
    i += w;
  }
  return out;
}

function context(s: string, start: number, end: number): string {
  return toEvidence(s.slice(Math.max(0, start - 24), Math.min(s.length, end + 24)));
}

function isInvisibleFamily(cp: number): boolean {
  return isZeroWidth(cp) || isVariationSelector(cp) || isBidiMark(cp) || isBidiControl(cp) || isTagChar(cp);
}

function neighbour(cps: readonly Cp[], from: number, step: 1 | -1): Cp | undefined {
  for (let k = from + step; k >= 0 && k < cps.length; k += step) {
    const c = cps[k];
    if (c === undefined) return undefined;
    if (!isInvisibleFamily(c.cp)) return c;
  }
  return undefined;
}

export function scanUnicode(s: string, location: string): UnicodeScan {
  const findings: Finding[] = [];
  const decodedTags: string[] = [];
  // Cheap exit: every character we look for is outside ASCII.
  if (!/[^\x00-\x7f]/.test(s)) return { findings, decodedTags };

  const cps = codePoints(s);
  const hasRtl = cps.some((c) => isRtlLetter(c.cp));

  let zw: { severity: Severity; start: number; end: number } | undefined;
  let bidi: { severity: Severity; start: number; end: number } | undefined;
  let tags: { start: number; end: number } | undefined;
  let vs: { start: number; end: number } | undefined;

  const noteZw = (severity: Severity, start: number, end: number): void => {
    if (zw === undefined) zw = { severity, start, end };
    else if (maxSeverity(zw.severity, severity) !== zw.severity) zw = { severity, start, end };
  };

  let k = 0;
  while (k < cps.length) {
    const c = cps[k];
    if (c === undefined) break;
    const cp = c.cp;

    if (isTagChar(cp)) {
      let j = k;
      let decoded = '';
      while (j < cps.length && isTagChar(cps[j]?.cp ?? 0)) {
        const t = (cps[j]?.cp ?? 0) - 0xe0000;
        if (t >= 0x20 && t < 0x7f) decoded += String.fromCharCode(t);
        j++;
      }
      const last = cps[j - 1];
      const prev = cps[k - 1];
      const isFlag = prev?.cp === BLACK_FLAG && last?.cp === CANCEL_TAG && j - k <= 8;
      if (!isFlag) {
        const endIdx = (last?.index ?? c.index) + (last?.ch.length ?? 1);
        if (tags === undefined) tags = { start: c.index, end: endIdx };
        if (decoded.length > 0) decodedTags.push(decoded);
      }
      k = j;
      continue;
    }

    if (isBidiControl(cp)) {
      if (bidi === undefined || bidi.severity !== 'high') bidi = { severity: 'high', start: c.index, end: c.index + 1 };
      k++;
      continue;
    }
    if (isBidiMark(cp)) {
      if (!hasRtl && bidi === undefined) bidi = { severity: 'medium', start: c.index, end: c.index + 1 };
      k++;
      continue;
    }

    if (isVariationSelector(cp)) {
      let j = k;
      while (j < cps.length && isVariationSelector(cps[j]?.cp ?? 0)) j++;
      // One selector picks an emoji/text or CJK glyph variant; a run of them encodes bytes.
      if (j - k >= 2 && vs === undefined) {
        const last = cps[j - 1];
        vs = { start: c.index, end: (last?.index ?? c.index) + (last?.ch.length ?? 1) };
      }
      k = j;
      continue;
    }

    if (isZeroWidth(cp)) {
      let j = k;
      while (j < cps.length && isZeroWidth(cps[j]?.cp ?? 0)) j++;
      const run = j - k;
      const last = cps[j - 1];
      const end = (last?.index ?? c.index) + (last?.ch.length ?? 1);
      if (run >= SMUGGLING_RUN) {
        noteZw('high', c.index, end);
        k = j;
        continue;
      }
      const before = neighbour(cps, k, -1);
      const after = neighbour(cps, j - 1, 1);
      const benign =
        (cp === 0xfeff && k === 0 && run === 1) ||
        (run === 1 &&
          (cp === 0x200d || cp === 0x200c) &&
          ((before !== undefined && PICTOGRAPHIC.test(before.ch)) ||
            (before !== undefined && after !== undefined && !LATIN_OR_DIGIT.test(before.ch) && LETTER_OR_DIGIT.test(before.ch)) ||
            (after !== undefined && !LATIN_OR_DIGIT.test(after.ch) && LETTER_OR_DIGIT.test(after.ch) && before === undefined))) ||
        (cp === 0x00ad && run === 1 && before !== undefined && !LATIN_OR_DIGIT.test(before.ch));
      if (!benign) {
        const inWord =
          before !== undefined && after !== undefined && LETTER_OR_DIGIT.test(before.ch) && LETTER_OR_DIGIT.test(after.ch);
        noteZw(inWord ? 'medium' : 'low', c.index, end);
      }
      k = j;
      continue;
    }
    k++;
  }

  if (tags !== undefined) {
    findings.push({
      id: 'unicode-tag-chars',
      severity: 'critical',
      title: 'Unicode tag characters (invisible ASCII smuggling)',
      evidence: context(s, tags.start, tags.end),
      location,
    });
  }
  if (bidi !== undefined) {
    findings.push({
      id: 'bidi-control',
      severity: bidi.severity,
      title: 'Bidirectional text control character',
      evidence: context(s, bidi.start, bidi.end),
      location,
    });
  }
  if (vs !== undefined) {
    findings.push({
      id: 'invisible-unicode',
      severity: 'high',
      title: 'Run of variation selectors (data hidden in invisible characters)',
      evidence: context(s, vs.start, vs.end),
      location,
    });
  } else if (zw !== undefined) {
    findings.push({
      id: 'invisible-unicode',
      severity: zw.severity,
      title:
        zw.severity === 'high'
          ? 'Long run of zero-width characters (hidden payload)'
          : zw.severity === 'medium'
            ? 'Zero-width character inside a word'
            : 'Zero-width character',
      evidence: context(s, zw.start, zw.end),
      location,
    });
  }
  return { findings, decodedTags };
}
