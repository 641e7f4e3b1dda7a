/**
 * Paths into a tool call's arguments: `amount`, `args.reason`, `items[0].price`, `metadata["x-y"]`, `items.0`.
 *
 * Grammar (whitespace is not allowed anywhere outside quotes):
 *   path     := first ( "." name | "[" index "]" | "[" quoted "]" )*
 *   first    := name | "[" index "]" | "[" quoted "]"
 *   name     := one or more letters, digits, "_", "$" or "-"
 *   index    := "0" | [1-9][0-9]*
 *   quoted   := a JSON string ("…") or a single-quoted string ('…', with \' and \\ escapes)
 *
 * A leading bare `args` segment names the arguments object itself, because PolicyLayer writes `args.reason`:
 * `args.reason` and `reason` are the same path, and `args` alone is the whole arguments object. An argument that
 * is really called "args" is reached with `args.args` or `["args"]`.
 */

export type PathSegment = string | number;

export type ParsedPath =
  | { readonly ok: true; readonly segments: readonly PathSegment[] }
  | { readonly ok: false; readonly message: string };

export const MAX_PATH_LENGTH = 512;
export const MAX_PATH_SEGMENTS = 32;

const NAME_CHAR = /[\p{L}\p{N}_$-]/u;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const CANONICAL_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;
// Larger indexes cannot address a real JS array element; refusing them keeps every index a safe small integer.
const MAX_INDEX = 2 ** 32 - 2;

function fail(message: string): ParsedPath {
  return { ok: false, message };
}

/** Parses a path; the message of a failure says what was expected and at which character. */
export function parsePath(text: string): ParsedPath {
  if (text.length === 0) return fail('a path cannot be empty; write e.g. "amount" or "args.items[0].price"');
  if (text.length > MAX_PATH_LENGTH) return fail(`a path is at most ${MAX_PATH_LENGTH} characters`);
  const segments: PathSegment[] = [];
  let i = 0;
  let strippedArgs = false;
  let expectName = true; // at the start or just after a "."
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      const closed = parseBracket(text, i);
      if (!closed.ok) return fail(closed.message);
      segments.push(closed.segment);
      i = closed.next;
    } else if (expectName) {
      const start = i;
      while (i < text.length && NAME_CHAR.test(text[i] as string)) i++;
      if (i === start) return fail(`expected a name at character ${start + 1} of "${text}"`);
      const name = text.slice(start, i);
      if (segments.length === 0 && !strippedArgs && start === 0 && name === 'args') strippedArgs = true;
      else segments.push(name);
    } else {
      return fail(`unexpected "${c}" at character ${i + 1} of "${text}"; expected ".", "[" or the end`);
    }
    if (i === text.length) break;
    if (text[i] === '.') {
      i++;
      if (i === text.length) return fail(`"${text}" ends with "."; expected a name after it`);
      expectName = true;
      if (text[i] === '[' || text[i] === '.') return fail(`expected a name at character ${i + 1} of "${text}"`);
    } else {
      expectName = false;
    }
    if (segments.length > MAX_PATH_SEGMENTS) return fail(`a path has at most ${MAX_PATH_SEGMENTS} segments`);
  }
  return { ok: true, segments };
}

type Bracket = { ok: true; segment: PathSegment; next: number } | { ok: false; message: string };

function parseBracket(text: string, open: number): Bracket {
  let i = open + 1;
  const q = text[i];
  if (q === '"' || q === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== q) j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) return { ok: false, message: `unterminated quoted key at character ${i + 1} of "${text}"` };
    const raw = text.slice(i, j + 1);
    let key: string;
    if (q === '"') {
      try {
        key = JSON.parse(raw) as string;
      } catch {
        return { ok: false, message: `invalid quoted key ${raw}: use JSON string escapes` };
      }
    } else {
      key = raw.slice(1, -1).replace(/\\(.)/gsu, '$1');
    }
    i = j + 1;
    if (text[i] !== ']') return { ok: false, message: `expected "]" at character ${i + 1} of "${text}"` };
    return { ok: true, segment: key, next: i + 1 };
  }
  const start = i;
  while (i < text.length && text[i] !== ']') i++;
  if (i >= text.length) return { ok: false, message: `unterminated "[" at character ${open + 1} of "${text}"` };
  const digits = text.slice(start, i);
  if (!CANONICAL_INDEX.test(digits) || Number(digits) > MAX_INDEX) {
    return { ok: false, message: `"[${digits}]" is not an array index or a quoted key; write e.g. [0] or ["x-y"]` };
  }
  return { ok: true, segment: Number(digits), next: i + 1 };
}

/** Human form of a path, used in reasons: `items[0].price`, `metadata["x-y"]`; the empty path is `args`. */
export function formatSegments(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return 'args';
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    // A leading "args" would read as the arguments object itself (see parsePath), so it is spelled args.args.
    else if (IDENTIFIER.test(seg)) out += out === '' ? (seg === 'args' ? 'args.args' : seg) : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * A path prepared for evaluation: each step carries its own-property key and, when the step can address an array
 * element, its index (else -1). `[0]`, `.0` and `["0"]` are therefore the same step: an element of an array or the
 * key "0" of an object.
 */
export interface CompiledPath {
  readonly keys: readonly string[];
  readonly indexes: readonly number[];
}

export function compilePath(segments: readonly PathSegment[]): CompiledPath {
  const keys: string[] = [];
  const indexes: number[] = [];
  for (const seg of segments) {
    const key = String(seg);
    keys.push(key);
    indexes.push(typeof seg === 'number' ? seg : CANONICAL_INDEX.test(key) && Number(key) <= MAX_INDEX ? Number(key) : -1);
  }
  return { keys, indexes };
}

/** Marks a path that leads nowhere: a missing key, an index past the end, or a step into a non-object. */
export const MISSING: unique symbol = Symbol('missing');

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Follows a compiled path. Only own properties are read, so `constructor`, `__proto__` or `toString` resolve to
 * an argument of that name or to MISSING — never to something inherited from Object.prototype. An own property
 * holding `undefined` (impossible in JSON) counts as missing. May throw if `root` contains a throwing getter or
 * proxy; the evaluator catches that.
 */
export function resolvePath(root: unknown, path: CompiledPath): unknown {
  const { keys, indexes } = path;
  let cur: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    if (typeof cur !== 'object' || cur === null) return MISSING;
    if (Array.isArray(cur)) {
      const index = indexes[i] as number;
      if (index < 0 || index >= cur.length) return MISSING;
      cur = cur[index];
    } else {
      const key = keys[i] as string;
      if (!hasOwn.call(cur, key)) return MISSING;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur === undefined ? MISSING : cur;
}
