import { createHmac } from 'node:crypto';
import { canonicalJson, sha256Hex } from './chain.js';

/**
 * Argument redaction for the audit trail (product §6: "keys only unless configured").
 *
 * Every value becomes a description of its type — "<string:12>", "<number>", "<boolean>", "<null>", "<array:3>" —
 * and objects are walked so their keys stay visible. A path in the allow-list (top-level `query`, or dotted
 * `filter.status`) keeps its value. Secrets are never kept, allow-list or not: a value under a secret-looking key
 * ("password", "apiKey", "access_token", …) or a string that looks like a credential (bearer token, private key,
 * URL with a password, well-known token prefixes) becomes "<secret>". An operator who allow-lists `token` gets
 * "<secret>", on purpose.
 *
 * The output is bounded (depth, keys per object, nodes, string and key length) and the walk never throws: arguments
 * come from agents, and the audit path must not be the thing a crafted payload breaks.
 */

const MAX_DEPTH = 8;
const MAX_KEYS_PER_OBJECT = 64;
const MAX_NODES = 512;
const MAX_STRING = 256;
const MAX_KEY = 128;
const MAX_ARRAY_ITEMS = 32;

const SECRET = '<secret>';
const MORE_KEYS = '…';

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'apikey',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'authorization',
  'auth',
  'bearer',
  'privatekey',
  'sessionid',
  'accesskey',
  'signature',
]);

/** Two-word names that are secrets as a pair: api_key, private-key, accessKey, sessionId, client_secret… */
const SECRET_PAIRS = new Set(['api key', 'private key', 'access key', 'secret key', 'session id', 'session key', 'signing key']);

/** Splits `x-api-key`, `clientSecret`, `ACCESS_TOKEN`, `oauth.token` into lower-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

const secretKeyCache = new Map<string, boolean>();

/** True for keys whose value is a credential. Word-based so `max_tokens` or `author` are not caught. */
export function isSecretKey(key: string): boolean {
  const cached = secretKeyCache.get(key);
  if (cached !== undefined) return cached;
  const ws = words(key.length > MAX_KEY ? key.slice(0, MAX_KEY) : key);
  let secret = ws.some((w) => SECRET_WORDS.has(w));
  for (let i = 0; !secret && i + 1 < ws.length; i++) secret = SECRET_PAIRS.has(`${ws[i]} ${ws[i + 1]}`);
  if (secretKeyCache.size < 4096) secretKeyCache.set(key, secret); // bounded: keys are attacker-chosen
  return secret;
}

const SECRET_VALUE = new RegExp(
  [
    String.raw`^\s*(?:bearer|basic|token)\s+\S{8,}`, // an Authorization header value
    String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----`,
    String.raw`\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@`, // URL with user:password
    String.raw`\b(?:sk|rk|pk)[-_](?:live[-_]|test[-_]|proj[-_])?[A-Za-z0-9_-]{16,}`, // Stripe/OpenAI-style keys
    String.raw`\bgh[pousr]_[A-Za-z0-9]{20,}`, // GitHub tokens
    String.raw`\bgithub_pat_[A-Za-z0-9_]{20,}`,
    String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`, // Slack tokens
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, // AWS access key ids
    String.raw`\bAIza[0-9A-Za-z_-]{35}\b`, // Google API keys
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.`, // JWTs
  ].join('|'),
  'i',
);

/** True for strings that look like a credential whatever key they sit under. */
export function looksLikeSecret(value: string): boolean {
  return SECRET_VALUE.test(value.length > 4096 ? value.slice(0, 4096) : value);
}

interface AllowNode {
  keep: boolean;
  readonly children: Map<string, AllowNode>;
}

const compiledAllowLists = new WeakMap<readonly string[], AllowNode>();

/** The allow-list as a tree of keys, compiled once per (config-owned) array rather than per call. */
function allowTree(allowValues: readonly string[]): AllowNode {
  let root = compiledAllowLists.get(allowValues);
  if (root !== undefined) return root;
  root = { keep: false, children: new Map() };
  for (const path of allowValues) {
    let node: AllowNode = root;
    for (const part of path.split('.')) {
      let next = node.children.get(part);
      if (next === undefined) {
        next = { keep: false, children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    if (node !== root) node.keep = true;
  }
  compiledAllowLists.set(allowValues, root);
  return root;
}

function describe(value: unknown): string {
  if (value === null) return '<null>';
  if (typeof value === 'string') return `<string:${value.length}>`;
  if (Array.isArray(value)) return `<array:${value.length}>`;
  return `<${typeof value}>`;
}

function clipKey(key: string): string {
  return key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key;
}

/** Sets a property even when the key is "__proto__" (plain assignment would change the prototype instead). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

class Walk {
  private nodes = 0;
  private readonly onPath = new Set<object>();

  /** Keys kept, values described; allow-listed paths handed to `keep`. */
  redact(value: unknown, allow: AllowNode | undefined, depth: number): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return describe(value);
    return this.object(value, depth, (key, child) =>
      isSecretKey(key) ? SECRET : allow?.children.get(key)?.keep === true ? this.keep(child, depth + 1) : this.redact(child, allow?.children.get(key), depth + 1),
    );
  }

  /** An allow-listed value, bounded, with secrets still removed. */
  private keep(value: unknown, depth: number): unknown {
    if (typeof value === 'string') {
      if (looksLikeSecret(value)) return SECRET;
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…<+${value.length - MAX_STRING}>` : value;
    }
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value !== 'object') return describe(value);
    if (Array.isArray(value)) {
      if (this.onPath.has(value)) return '<circular>';
      if (depth >= MAX_DEPTH || this.nodes >= MAX_NODES) return describe(value);
      this.onPath.add(value);
      const shown = Math.min(value.length, MAX_ARRAY_ITEMS);
      const out: unknown[] = [];
      for (let i = 0; i < shown; i++) {
        if (++this.nodes > MAX_NODES) {
          out.push(`<+${value.length - i} items>`);
          break;
        }
        out.push(this.keep(value[i], depth + 1));
      }
      if (shown < value.length && out.length === shown) out.push(`<+${value.length - shown} items>`);
      this.onPath.delete(value);
      return out;
    }
    return this.object(value, depth, (key, child) => (isSecretKey(key) ? SECRET : this.keep(child, depth + 1)));
  }

  private object(value: object, depth: number, each: (key: string, child: unknown) => unknown): unknown {
    if (this.onPath.has(value)) return '<circular>';
    const keys = Object.keys(value);
    if (depth >= MAX_DEPTH) return `<object:${keys.length}>`;
    this.onPath.add(value);
    const out: Record<string, unknown> = {};
    let i = 0;
    for (; i < keys.length && i < MAX_KEYS_PER_OBJECT; i++) {
      if (++this.nodes > MAX_NODES) break;
      const key = keys[i] as string;
      put(out, clipKey(key), each(key, (value as Record<string, unknown>)[key]));
    }
    if (i < keys.length) put(out, MORE_KEYS, `<+${keys.length - i} keys>`);
    this.onPath.delete(value);
    return out;
  }
}

/**
 * Redacted copy of tool-call arguments for the audit record. `allowValues` lists top-level keys or dotted paths
 * whose values are kept; pass the same array each time (it is compiled once per array). Never throws.
 */
export function redactArguments(args: unknown, allowValues: readonly string[]): unknown {
  if (args === undefined) return null;
  try {
    return new Walk().redact(args, allowValues.length === 0 ? undefined : allowTree(allowValues), 0);
  } catch {
    // A getter or proxy that throws: the record still gets written, without the arguments.
    return '<unreadable>';
  }
}

/**
 * sha256 (hex) over the canonical JSON of the ORIGINAL arguments, so identical calls hash alike whatever their key
 * order. Low-entropy secrets in arguments can be guessed back from a plain hash; pass `key` (a per-deployment
 * secret) to get an HMAC instead, which still groups identical calls but cannot be brute-forced without the key.
 */
export function hashArguments(args: unknown, key?: string | Buffer): string {
  const text = canonicalJson(args === undefined ? null : args);
  return key === undefined ? sha256Hex(text) : createHmac('sha256', key).update(text, 'utf8').digest('hex');
}
