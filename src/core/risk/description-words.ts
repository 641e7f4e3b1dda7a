import {
  MONEY_DESCRIPTION_WORDS,
  MONEY_PROVIDERS,
  PHRASES,
  READ_ONLY_QUERY_LANGUAGES,
  SECONDARY_DESTRUCTIVE_WORDS,
} from './lexicon.js';

/**
 * One pass over a description's words that answers every "does it mention …?" question at once.
 * Each interesting word maps to a bit mask of the questions it answers, so classifying a tool costs
 * one map lookup per word instead of one regex scan per phrase; that is what keeps bulk
 * classification of a large tool catalogue cheap.
 */

const PHRASE_BITS = PHRASES.length;
export const BIT_MONEY = 1 << PHRASE_BITS;
export const BIT_PROVIDER = 1 << (PHRASE_BITS + 1);
export const BIT_READ_ONLY_LANGUAGE = 1 << (PHRASE_BITS + 2);
export const BIT_SECONDARY_DESTRUCTIVE = 1 << (PHRASE_BITS + 3);
export const BIT_SQL = 1 << (PHRASE_BITS + 4);
export const BIT_SELECT = 1 << (PHRASE_BITS + 5);
export const BIT_QUERY = 1 << (PHRASE_BITS + 6);

export function phraseBit(index: number): number {
  return 1 << index;
}

const WORD_BITS: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  const mark = (word: string, bit: number): void => {
    map.set(word, (map.get(word) ?? 0) | bit);
  };
  PHRASES.forEach((phrase, i) => {
    for (const t of phrase.triggers) mark(t, phraseBit(i));
  });
  for (const w of MONEY_DESCRIPTION_WORDS) mark(w, BIT_MONEY);
  for (const w of MONEY_PROVIDERS) mark(w, BIT_PROVIDER);
  for (const w of READ_ONLY_QUERY_LANGUAGES) mark(w, BIT_READ_ONLY_LANGUAGE);
  for (const w of SECONDARY_DESTRUCTIVE_WORDS) mark(w, BIT_SECONDARY_DESTRUCTIVE);
  for (const w of ['sql', 'ddl', 'insert']) mark(w, BIT_SQL);
  mark('select', BIT_SELECT);
  for (const w of ['query', 'queries', 'statement', 'statements']) mark(w, BIT_QUERY);
  return map;
})();

function hashWord(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * Words are looked up by a rolling hash computed during the scan, so ordinary words cost no string
 * allocation; a hash hit is confirmed against the real word before it counts.
 */
const BY_HASH: ReadonlyMap<number, readonly (readonly [string, number])[]> = (() => {
  const map = new Map<number, (readonly [string, number])[]>();
  for (const [word, bits] of WORD_BITS) {
    const h = hashWord(word, 0, word.length);
    const list = map.get(h);
    if (list === undefined) map.set(h, [[word, bits]]);
    else list.push([word, bits]);
  }
  return map;
})();

export interface DescriptionWords {
  readonly mask: number;
  /** Up to two distinct money words, in the order they appear. */
  readonly moneyWords: readonly string[];
}

const EMPTY: DescriptionWords = { mask: 0, moneyWords: [] };

/** Scans lower-case text; letters and digits form words, everything else separates them. */
export function scanDescriptionWords(lower: string): DescriptionWords {
  if (lower.length === 0) return EMPTY;
  let mask = 0;
  const moneyWords: string[] = [];
  let start = -1;
  let h = 0;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) {
        start = i;
        h = 0;
      }
      h = (Math.imul(h, 31) + c) | 0;
      continue;
    }
    if (start < 0) continue;
    const candidates = BY_HASH.get(h);
    if (candidates !== undefined) {
      for (const [word, bits] of candidates) {
        if (word.length !== i - start || !lower.startsWith(word, start)) continue;
        mask |= bits;
        if ((bits & BIT_MONEY) !== 0 && moneyWords.length < 2 && !moneyWords.includes(word)) moneyWords.push(word);
      }
    }
    start = -1;
  }
  return { mask, moneyWords };
}
