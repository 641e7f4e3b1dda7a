/**
 * Deterministic JSON for hashing: object keys sorted, so equal values built in a different key order hash alike.
 * Used for policy versions, tool definition hashes and the audit chain.
 */
type Frame =
  | { readonly kind: 'array'; readonly items: readonly unknown[]; index: number }
  | { readonly kind: 'object'; readonly source: object; readonly keys: readonly string[]; index: number; written: number };

/** What JSON.stringify would serialise for `value` (after toJSON), or undefined when it would be omitted. */
function jsonValue(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  if (typeof value === 'bigint') return value.toString(); // JSON.stringify throws on bigint; a string is lossless
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

const FAST_DEPTH = 200;
const TOO_DEEP: unique symbol = Symbol('too deep');

/**
 * Recursive, appending to one string; throws TOO_DEEP past FAST_DEPTH (which is also where any cycle ends up).
 * Same results as jsonValue + the iterative path, written for speed: it hashes every call's arguments.
 */
function fastJson(v: unknown, key: string, depth: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? `${v}` : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `"${v.toString()}"`;
    case 'object': {
      if (v === null) return 'null';
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return fastJson((v as { toJSON: (k: string) => unknown }).toJSON(key), key, depth);
      if (depth >= FAST_DEPTH) throw TOO_DEEP;
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += fastJson(v[i], String(i), depth + 1) ?? 'null';
        }
        return out + ']';
      }
      const keys = Object.keys(v);
      if (keys.length > 1) keys.sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const item = fastJson((v as Record<string, unknown>)[k], k, depth + 1);
        if (item === undefined) continue;
        if (!first) out += ',';
        out += JSON.stringify(k) + ':' + item;
        first = false;
      }
      return out + '}';
    }
    default:
      return undefined; // undefined, function, symbol: omitted, as JSON.stringify omits them
  }
}

/**
 * Deterministic JSON: object keys sorted, so equal values serialise alike whatever order their keys were built in;
 * otherwise JSON.stringify's rules (toJSON, undefined and functions omitted, non-finite numbers as null), plus
 * bigint as a decimal string. Never throws on odd input: values nested deeper than the call stack are handled
 * iteratively, and a cycle becomes the string "[Circular]" (nothing on the audit path may throw).
 */
export function canonicalJson(value: unknown): string {
  try {
    return fastJson(value, '', 0) ?? 'null';
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    return canonicalJsonDeep(value);
  }
}

/** The slow path of canonicalJson: iterative, for values nested deeper than FAST_DEPTH or cyclic. */
function canonicalJsonDeep(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const onPath = new Set<object>();

  // `v` is already what JSON.stringify would serialise (jsonValue applied).
  const write = (v: unknown): void => {
    if (v === undefined || v === null) {
      out.push('null');
    } else if (typeof v === 'number') {
      out.push(Number.isFinite(v) ? JSON.stringify(v) : 'null');
    } else if (typeof v === 'object') {
      if (onPath.has(v)) {
        out.push('"[Circular]"');
      } else if (Array.isArray(v)) {
        onPath.add(v);
        out.push('[');
        stack.push({ kind: 'array', items: v, index: 0 });
      } else {
        onPath.add(v);
        out.push('{');
        stack.push({ kind: 'object', source: v, keys: Object.keys(v).sort(), index: 0, written: 0 });
      }
    } else {
      out.push(JSON.stringify(v));
    }
  };

  write(jsonValue(value, ''));
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    if (frame.kind === 'array') {
      if (frame.index < frame.items.length) {
        if (frame.index > 0) out.push(',');
        const i = frame.index++;
        write(jsonValue(frame.items[i], String(i)));
      } else {
        out.push(']');
        onPath.delete(frame.items);
        stack.pop();
      }
      continue;
    }
    let wrote = false;
    while (frame.index < frame.keys.length) {
      const key = frame.keys[frame.index++] as string;
      const v = jsonValue((frame.source as Record<string, unknown>)[key], key);
      if (v === undefined) continue; // omitted, as JSON.stringify omits it
      if (frame.written++ > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(v);
      wrote = true;
      break;
    }
    if (!wrote) {
      out.push('}');
      onPath.delete(frame.source);
      stack.pop();
    }
  }
  return out.join('');
}
