/**
 * Regexes in policies run on attacker-controlled arguments inside the gateway's event loop, on V8's backtracking
 * engine. A pattern is therefore accepted only if its worst case is bounded, in two layers:
 *
 * 1. Static rejection of the shapes that backtrack exponentially: backreferences (`\1`, `\k<name>`), a repeated
 *    group that itself contains a quantifier (`(a+)+`, `(.*)*`, `(a?){20}`) or an alternation (`(a|a)*`).
 *    Conservative on purpose: some rejected patterns are harmless, none accepted is exponential.
 *
 * 2. What remains is at worst polynomial: about L^d · P steps on a string of length L, where d counts the
 *    open-ended quantifiers (`*`, `+`, `{n,}`) plus one when the pattern is not anchored with `^` (the engine
 *    retries from every start position), and P multiplies the choices (max − min + 1) of every bounded one.
 *    Measured: `.*a.*b.*c` (d = 4) takes ~40 s on 4096 characters; `\s*x` (d = 2) ~20 ms. Each pattern gets
 *    the largest input length L ≤ REGEX_INPUT_LIMIT with L^d · P ≤ REGEX_STEP_BUDGET (about 1–2 ms of work);
 *    a pattern whose L would fall below MIN_REGEX_INPUT_LIMIT is a load error instead.
 *
 * A string longer than its pattern's input limit is NOT matched on a prefix: testing only a prefix would let an
 * agent dodge a `deny_if` regex by padding the argument. It evaluates to 'undetermined', which every caller
 * treats fail-closed (see index.ts).
 */

export const REGEX_INPUT_LIMIT = 4096;
export const REGEX_STEP_BUDGET = 2 ** 20;
export const MIN_REGEX_INPUT_LIMIT = 256;
export const MAX_PATTERN_LENGTH = 1024;
/** `g` and `y` are excluded because they make RegExp#test stateful (lastIndex); `d` and `v` add nothing here. */
export const REGEX_FLAGS = 'imsu';

export type RegexCheck =
  | { readonly ok: true; readonly regex: RegExp; readonly inputLimit: number }
  | { readonly ok: false; readonly field: 'value' | 'flags'; readonly message: string };

export function checkFlags(flags: string): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i] as string;
    if (!REGEX_FLAGS.includes(f)) return `unsupported regex flag "${f}"; allowed flags are ${[...REGEX_FLAGS].map((x) => `"${x}"`).join(', ')}`;
    if (flags.indexOf(f) !== i) return `regex flag "${f}" is given twice`;
  }
  return undefined;
}

interface Frame {
  quantified: boolean;
  alternation: boolean;
}

interface Shape {
  readonly unsafe?: string;
  readonly openEnded: number;
  readonly choices: number;
  readonly anchored: boolean;
}

/** Reads `{n}`, `{n,}`, `{n,m}` at `i`; anything else is a literal brace (outside `u` mode). */
function braces(p: string, i: number): { min: number; max: number; end: number } | undefined {
  const m = /^\{(\d{1,9})(,(\d{0,9}))?\}/.exec(p.slice(i, i + 24));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3]);
  return { min, max, end: i + m[0].length };
}

/** Walks the pattern source (already known to compile) and measures the shape described above. */
export function analysePattern(p: string, flags: string): Shape {
  const stack: Frame[] = [{ quantified: false, alternation: false }];
  let openEnded = 0;
  let choices = 1;
  // What the next quantifier would apply to.
  let atom: 'none' | 'simple' | 'group' = 'none';
  let lastGroup: Frame | undefined;
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '\\') {
      const d = p[i + 1] ?? '';
      if (d >= '1' && d <= '9') return unsafe('backreferences (\\1 …) are not allowed: they can take exponential time');
      if (d === 'k' && p[i + 2] === '<') return unsafe('named backreferences (\\k<…>) are not allowed: they can take exponential time');
      i += 2;
      // \u{…}, \p{…}, \P{…}: skip the braces so they are not read as a quantifier.
      if ((d === 'u' || d === 'p' || d === 'P') && p[i] === '{') {
        const close = p.indexOf('}', i);
        i = close < 0 ? p.length : close + 1;
      }
      atom = 'simple';
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (p[j] === '^') j++;
      while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
      i = j + 1;
      atom = 'simple';
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      i++;
      if (p[i] === '?') {
        const k = p[i + 1];
        if (k === ':' || k === '=' || k === '!') i += 2;
        else if (k === '<' && (p[i + 2] === '=' || p[i + 2] === '!')) i += 3;
        else if (k === '<') {
          const close = p.indexOf('>', i);
          i = close < 0 ? p.length : close + 1;
        } else i++;
      }
      atom = 'none';
      continue;
    }
    if (c === ')') {
      const closed = stack.length > 1 ? (stack.pop() as Frame) : { quantified: false, alternation: false };
      const parent = stack[stack.length - 1] as Frame;
      // Propagate upwards: ((a|b)c)+ and ((a+)b)+ are as ambiguous as (a|b)+ and (a+)+.
      parent.quantified ||= closed.quantified;
      parent.alternation ||= closed.alternation;
      lastGroup = closed;
      atom = 'group';
      i++;
      continue;
    }
    if (c === '|') {
      (stack[stack.length - 1] as Frame).alternation = true;
      atom = 'none';
      i++;
      continue;
    }
    let q: { min: number; max: number; end: number } | undefined;
    if (c === '*') q = { min: 0, max: Number.POSITIVE_INFINITY, end: i + 1 };
    else if (c === '+') q = { min: 1, max: Number.POSITIVE_INFINITY, end: i + 1 };
    else if (c === '?') q = { min: 0, max: 1, end: i + 1 };
    else if (c === '{') q = braces(p, i);
    if (q === undefined) {
      atom = c === '^' || c === '$' ? 'none' : 'simple';
      i++;
      continue;
    }
    i = q.end;
    if (p[i] === '?') i++; // lazy: same worst case
    if (atom === 'none') continue;
    if (q.max > 1 && atom === 'group' && lastGroup !== undefined && (lastGroup.quantified || lastGroup.alternation)) {
      return unsafe(
        lastGroup.quantified
          ? 'nested repetition: a repeated group contains another quantifier (like (a+)+ or (.*)*), which can take exponential time'
          : 'a repeated group contains an alternation (like (a|b)*), which can take exponential time',
      );
    }
    (stack[stack.length - 1] as Frame).quantified = true;
    if (q.max === Number.POSITIVE_INFINITY) openEnded++;
    else choices = Math.min(choices * (q.max - q.min + 1), Number.MAX_SAFE_INTEGER);
    atom = 'none';
  }
  const top = stack[0] as Frame;
  const anchored = p.startsWith('^') && !flags.includes('m') && !top.alternation;
  return { openEnded, choices, anchored };
}

function unsafe(message: string): Shape {
  return { unsafe: message, openEnded: 0, choices: 1, anchored: false };
}

/** Largest L ≤ REGEX_INPUT_LIMIT with L^degree · choices ≤ REGEX_STEP_BUDGET (0 when none fits). */
export function inputLimitFor(degree: number, choices: number): number {
  const budget = REGEX_STEP_BUDGET / choices;
  if (budget < 1) return 0;
  if (degree === 0) return REGEX_INPUT_LIMIT;
  let n = Math.min(REGEX_INPUT_LIMIT, Math.floor(Math.pow(budget, 1 / degree)));
  while (n > 0 && Math.pow(n, degree) > budget) n--; // floating-point roots can overshoot by one
  return n;
}

/** Compiles a policy regex once, or says why it cannot be used. */
export function checkRegex(pattern: string, flags = ''): RegexCheck {
  const flagProblem = checkFlags(flags);
  if (flagProblem !== undefined) return { ok: false, field: 'flags', message: flagProblem };
  if (pattern.length > MAX_PATTERN_LENGTH) return { ok: false, field: 'value', message: `a regex is at most ${MAX_PATTERN_LENGTH} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, field: 'value', message: `invalid regex: ${detail}` };
  }
  const shape = analysePattern(pattern, flags);
  if (shape.unsafe !== undefined) return { ok: false, field: 'value', message: `unsafe regex /${pattern}/: ${shape.unsafe}` };
  const degree = shape.openEnded + (shape.anchored ? 0 : 1);
  const inputLimit = inputLimitFor(degree, shape.choices);
  if (inputLimit < MIN_REGEX_INPUT_LIMIT) {
    return {
      ok: false,
      field: 'value',
      message:
        `unsafe regex /${pattern}/: too many open-ended or widely bounded repetitions; worst-case matching time grows like ` +
        `length^${degree}. Anchor it with ^, drop a leading .*, or bound repetitions (e.g. {1,64} instead of +)`,
    };
  }
  return { ok: true, regex, inputLimit };
}
