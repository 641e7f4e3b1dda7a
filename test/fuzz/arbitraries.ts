/**
 * fast-check arbitraries for what an agent can send a gateway: JSON-RPC-ish messages (real MCP method names, valid
 * and wrong params), batches, garbage bytes, invalid UTF-8, deep nesting and huge strings; and the checks every
 * reply must pass (a valid JSON-RPC message, no stack trace, no file path of the repository).
 */
import fc from 'fast-check';

/** Placeholder for "leave this key out of the object". */
const OMIT = Symbol('omit');
type Maybe<T> = T | typeof OMIT;

export function withoutOmitted(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== OMIT));
}

const omittable = <T>(arb: fc.Arbitrary<T>, omitWeight = 1, keepWeight = 4): fc.Arbitrary<Maybe<T>> =>
  fc.oneof({ arbitrary: fc.constant(OMIT), weight: omitWeight }, { arbitrary: arb, weight: keepWeight });

export const REQUEST_METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'roots/list',
  'elicitation/create',
  'tasks/get',
] as const;

export const NOTIFICATION_METHODS = [
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/message',
  'notifications/resources/updated',
  'notifications/tools/list_changed',
  'notifications/unknown',
] as const;

const ODD_METHODS = ['no/such/method', '', ' ', 'tools/call/', 'TOOLS/CALL', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'rpc.discover', 'notifications/', 'tools\u0000call', '🔥'];

export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

/** Strings that stress parsers and logs: unicode, lone surrogates, control characters, very long ones. */
export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 20 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 }, // includes lone surrogates
  { arbitrary: fc.constantFrom('', '\u0000', '\ud800', '\udfff', '\u2028\u2029', '$', '${HOME}', '__proto__', 'constructor', '../../etc/passwd', 'echo', 'faulty__echo', 'hang', 'crash', '%s%s%n', '<script>'), weight: 2 },
  { arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'é'.repeat(n)), weight: 1 },
);

/** Any JSON value, including the awkward ones (-0, huge numbers, __proto__ keys). */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, -1, [], {}, '', [[[]]], JSON.parse('{"__proto__":null}')), weight: 2 },
  { arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown), weight: 1 },
  { arbitrary: weirdString, weight: 2 },
);

/** Request ids: mostly small integers (so duplicates happen), plus every invalid kind. */
export const idArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 30 }), weight: 10 },
  { arbitrary: fc.integer({ min: -1000, max: 2 ** 31 }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(null, 1.5, -0, 1e21, Number.MAX_SAFE_INTEGER + 1, true, [], {}, [1], '', '1'), weight: 1 },
);

/** Ids that no generated request uses (requests use -1000.. and strings of at most 8 characters). */
const cancelIdArb: fc.Arbitrary<unknown> = fc.oneof(fc.integer({ min: -(2 ** 31), max: -1001 }), fc.string({ maxLength: 6 }).map((s) => `cancelled-${s}`), fc.constantFrom(null, 1.5, true, {}, []));

const progressToken = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), jsonValue);

const meta = omittable(fc.oneof(fc.record({ progressToken }), jsonValue), 5, 1);

const toolArguments: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.record({ message: fc.string({ maxLength: 30 }) }), weight: 6 },
  { arbitrary: fc.record({ message: jsonValue }), weight: 2 },
  { arbitrary: fc.record({ message: fc.string(), extra: jsonValue }), weight: 1 },
  { arbitrary: fc.dictionary(weirdString, jsonValue, { maxKeys: 4 }), weight: 1 },
  { arbitrary: jsonValue, weight: 1 },
);

function paramsFor(method: string): fc.Arbitrary<unknown> {
  const valid = ((): fc.Arbitrary<unknown> => {
    switch (method) {
      case 'initialize':
        return fc
          .record({
            protocolVersion: omittable(fc.oneof(fc.constantFrom(...PROTOCOL_VERSIONS), weirdString, jsonValue), 1, 6),
            capabilities: omittable(fc.oneof(fc.constant({}), fc.constant({ sampling: {}, roots: { listChanged: true } }), jsonValue), 1, 6),
            clientInfo: omittable(fc.oneof(fc.record({ name: weirdString, version: weirdString }), jsonValue), 1, 6),
          })
          .map((r) => withoutOmitted(r));
      case 'tools/call':
        return fc
          .record({
            name: omittable(fc.oneof({ arbitrary: fc.constantFrom('echo', 'hang', 'crash', 'whoami', 'faulty__echo', 'nope'), weight: 4 }, { arbitrary: weirdString, weight: 1 }, { arbitrary: jsonValue, weight: 1 }), 1, 8),
            arguments: omittable(toolArguments, 1, 6),
            _meta: meta,
          })
          .map((r) => withoutOmitted(r));
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return fc.record({ uri: fc.oneof(fc.webUrl(), weirdString, jsonValue), _meta: meta }).map((r) => withoutOmitted(r));
      case 'prompts/get':
        return fc.record({ name: fc.oneof(weirdString, jsonValue), arguments: omittable(fc.oneof(fc.dictionary(fc.string(), fc.string()), jsonValue)) }).map((r) => withoutOmitted(r));
      case 'completion/complete':
        return fc.record({
          ref: fc.oneof(
            fc.record({ type: fc.constant('ref/prompt'), name: weirdString }),
            fc.record({ type: fc.constant('ref/resource'), uri: fc.oneof(fc.webUrl(), weirdString) }),
            jsonValue,
          ),
          argument: fc.oneof(fc.record({ name: weirdString, value: weirdString }), jsonValue),
        });
      case 'logging/setLevel':
        return fc.record({ level: fc.oneof(fc.constantFrom('debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'), jsonValue) });
      case 'notifications/cancelled':
        // Never the id of a request that may be in flight: a cancelled request gets no response by design (the
        // spec's rule), which would read as a hang here. Cancelling real in-flight calls is tested elsewhere.
        return fc.record({ requestId: cancelIdArb, reason: omittable(weirdString) }).map((r) => withoutOmitted(r));
      case 'notifications/progress':
        return fc.record({ progressToken, progress: fc.oneof(fc.double(), jsonValue), total: omittable(fc.double()) }).map((r) => withoutOmitted(r));
      case 'tools/list':
      case 'resources/list':
      case 'prompts/list':
      case 'resources/templates/list':
        return fc.record({ cursor: omittable(fc.oneof(weirdString, jsonValue, fc.base64String({ maxLength: 40 }))), _meta: meta }).map((r) => withoutOmitted(r));
      default:
        return fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 3 }));
    }
  })();
  // Wrong param types: a string, a number, an array, null where an object is required.
  return fc.oneof({ arbitrary: valid, weight: 10 }, { arbitrary: jsonValue, weight: 1 });
}

const methodArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...REQUEST_METHODS), weight: 14 },
  { arbitrary: fc.constantFrom(...NOTIFICATION_METHODS), weight: 4 },
  { arbitrary: fc.constantFrom(...ODD_METHODS), weight: 1 },
  { arbitrary: weirdString, weight: 1 },
  { arbitrary: jsonValue, weight: 1 },
);

/** A JSON-RPC-ish message: a request, notification or response, usually well formed, often subtly not. */
export const jsonRpcMessage: fc.Arbitrary<unknown> = fc.oneof(
  {
    // request or notification
    weight: 10,
    arbitrary: methodArb.chain((method) =>
      fc
        .record({
          jsonrpc: fc.oneof({ arbitrary: fc.constant('2.0'), weight: 20 }, { arbitrary: fc.constantFrom<unknown>(OMIT, '1.0', 2, '2', null, ' 2.0'), weight: 1 }),
          id: fc.oneof(
            { arbitrary: fc.constant(OMIT), weight: typeof method === 'string' && method.startsWith('notifications/') ? 6 : 1 },
            { arbitrary: idArb, weight: typeof method === 'string' && method.startsWith('notifications/') ? 1 : 6 },
          ),
          params: omittable(typeof method === 'string' ? paramsFor(method) : jsonValue, 1, 5),
          extra: fc.oneof({ arbitrary: fc.constant(OMIT), weight: 8 }, { arbitrary: fc.constantFrom('result', 'error', 'Method', '__proto__', 'id2'), weight: 1 }),
        })
        .map(({ jsonrpc, id, params, extra }) => {
          const m = withoutOmitted({ jsonrpc, id, method, params });
          if (extra !== OMIT) Object.defineProperty(m, extra, { value: extra === 'error' ? { code: 1, message: 'x' } : 1, enumerable: true, configurable: true, writable: true });
          return m;
        }),
    ),
  },
  {
    // a response from the "client" (to a server request that never happened)
    weight: 2,
    arbitrary: fc
      .record({
        jsonrpc: fc.constant('2.0'),
        id: idArb,
        result: omittable(jsonValue),
        error: omittable(fc.oneof(fc.record({ code: fc.integer(), message: weirdString }), jsonValue), 2, 1),
      })
      .map((r) => withoutOmitted(r)),
  },
  { weight: 1, arbitrary: jsonValue },
);

/** Batches: JSON arrays of messages, including empty ones, over-long ones and ones that repeat an id. */
export const batch: fc.Arbitrary<unknown[]> = fc.oneof(
  { arbitrary: fc.array(jsonRpcMessage, { minLength: 0, maxLength: 6 }), weight: 6 },
  { arbitrary: fc.tuple(jsonRpcMessage, fc.integer({ min: 2, max: 4 })).map(([m, n]) => Array.from({ length: n }, () => m)), weight: 2 },
  { arbitrary: fc.integer({ min: 95, max: 140 }).map((n) => Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' }))), weight: 1 },
  { arbitrary: fc.array(fc.constant({ jsonrpc: '2.0', method: 'notifications/initialized' }), { minLength: 1, maxLength: 120 }), weight: 1 },
);

/** Serialises a value the way a sloppy client might: indented, with a BOM, truncated, with trailing junk. */
export function encodings(value: unknown): fc.Arbitrary<Buffer> {
  const text = JSON.stringify(value) ?? 'undefined';
  return fc.oneof(
    { arbitrary: fc.constant(Buffer.from(text)), weight: 12 },
    { arbitrary: fc.constant(Buffer.from(JSON.stringify(value, null, 2) ?? '')), weight: 1 },
    { arbitrary: fc.constant(Buffer.from(`\ufeff${text}`)), weight: 1 },
    { arbitrary: fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => Buffer.from(text.slice(0, n))), weight: 1 },
    { arbitrary: fc.constantFrom(' ', '\n', ',', '}', ']', 'x', '\u0000', '{}').map((junk) => Buffer.from(text + junk)), weight: 1 },
    {
      // invalid UTF-8 spliced into the text
      arbitrary: fc.tuple(fc.nat({ max: text.length }), fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => x | 0x80))).map(([at, bad]) =>
        Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]),
      ),
      weight: 1,
    },
  );
}

/** Raw bytes: random, invalid UTF-8, almost-JSON. */
export const garbageBytes: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), weight: 3 },
  { arbitrary: fc.constantFrom('\xc3\x28', '\xa0\xa1', '\xe2\x28\xa1', '\xf0\x28\x8c\xbc', '\xff\xfe\xfd', '\xed\xa0\x80', '\xc0\xaf').map((s) => Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"${s}"}}`, 'latin1')), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 100 }).map((s) => Buffer.from(s)), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', 'null', 'true', '0', '""', '[]', '{}', '[{}]', '[[]]', '{"jsonrpc":"2.0"', '{"jsonrpc":"2.0",}', "{'jsonrpc':'2.0'}", 'NaN', 'Infinity', '1e999', '{"id":1e999}', '\u0000').map((s) => Buffer.from(s)), weight: 2 },
  { arbitrary: fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)), weight: 2 },
);

/** Deep nesting, in the body itself or inside params/arguments; and huge arrays. */
export function deepBodies(maxBytes: number): fc.Arbitrary<Buffer> {
  const depth = fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 2000, max: Math.floor(maxBytes / 2) + 100 }));
  return fc.oneof(
    depth.map((n) => Buffer.from('['.repeat(n))),
    depth.map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
    depth.map((n) => Buffer.from(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
    fc.tuple(depth, fc.constantFrom('tools/call', 'tools/list', 'ping', 'initialize', 'resources/read', 'completion/complete', 'notifications/progress', 'notifications/cancelled')).map(([n, method]) => {
      const nested = '['.repeat(n) + ']'.repeat(n);
      const params = method === 'tools/call' ? `{"name":"echo","arguments":{"message":${nested}}}` : `{"_meta":{"x":${nested}},"deep":${nested}}`;
      return Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`);
    }),
    depth.map((n) => Buffer.from(`{"jsonrpc":"2.0","id":${'['.repeat(n)}${']'.repeat(n)},"method":"ping"}`)),
    depth.map((n) => Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x","deep":${'{"a":'.repeat(Math.floor(n / 5))}1${'}'.repeat(Math.floor(n / 5))}}}}`)),
    fc.integer({ min: 1000, max: Math.floor(maxBytes / 2) }).map((n) => Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":[${Array(n).fill('1').join(',')}]}}}`)),
  );
}

/** Bodies around the size limit: an echo call whose message pads it to `limit ± delta` bytes, in 1-, 2- or 4-byte characters. */
export function hugeBodies(limit: number): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.integer({ min: -64, max: 64 }), fc.constantFrom('x', 'é', '😀', '\\u0000'), fc.boolean()).map(([delta, ch, batched]) => {
    const head = `${batched ? '[' : ''}{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"`;
    const tail = `"}}}${batched ? ']' : ''}`;
    const target = limit + delta - head.length - tail.length;
    const unit = Buffer.byteLength(ch);
    const count = Math.max(0, Math.floor(target / unit));
    const pad = 'x'.repeat(Math.max(0, target - count * unit));
    return Buffer.from(head + ch.repeat(count) + pad + tail);
  });
}

export interface RpcCheck {
  /** How many JSON-RPC responses (result/error) the reply held. */
  readonly responses: number;
  readonly ids: readonly string[];
}

/** A stack frame ("    at fn (file.js:1:2)") or a file location anywhere in a reply. */
const STACK = [/\n\s+at .+\(.+:\d+:\d+\)/, /\bat (async )?\S+ \((file:\/\/)?\/.+:\d+:\d+\)/, /\bat (file:\/\/)?\/\S+:\d+:\d+/];

export function stackProblem(text: string, rootDir: string, sent: string): string | undefined {
  for (const re of STACK) {
    const m = re.exec(text);
    if (m && !sent.includes(m[0])) return `a stack frame in a reply: ${JSON.stringify(m[0])}`;
  }
  if (text.includes(rootDir) && !sent.includes(rootDir)) return `a repository file path in a reply (${rootDir})`;
  if (/node_modules\//.test(text) && !sent.includes('node_modules/')) return 'a node_modules path in a reply';
  return undefined;
}

function collectStrings(value: unknown, out: string[], depth = 0): void {
  if (depth > 200) return;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out, depth + 1);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) (out.push(k), collectStrings(v, out, depth + 1));
}

/**
 * Checks one JSON-RPC message sent by the gateway (a response, or — on an SSE stream — a notification or a
 * server→client request) and returns what is wrong with it, if anything.
 */
export function messageProblem(message: unknown, allowServerMessages: boolean): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return `not a JSON-RPC object: ${JSON.stringify(message)?.slice(0, 200)}`;
  const m = message as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0') return `"jsonrpc" is ${JSON.stringify(m['jsonrpc'])}`;
  if ('method' in m) {
    if (!allowServerMessages) return 'a request or notification where a response was expected';
    if (typeof m['method'] !== 'string') return '"method" is not a string';
    return undefined;
  }
  if (!('id' in m)) return 'a response without "id"';
  const id = m['id'];
  if (id !== null && typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) return `a response id of the wrong type: ${JSON.stringify(id)}`;
  const hasResult = 'result' in m;
  const hasError = 'error' in m;
  if (hasResult === hasError) return 'a response needs exactly one of "result" and "error"';
  if (hasError) {
    const e = m['error'] as { code?: unknown; message?: unknown } | null;
    if (typeof e !== 'object' || e === null) return '"error" is not an object';
    if (typeof e.code !== 'number' || !Number.isInteger(e.code)) return `error code is not an integer: ${JSON.stringify(e.code)}`;
    if (typeof e.message !== 'string') return 'error message is not a string';
  } else if (typeof m['result'] !== 'object' || m['result'] === null || Array.isArray(m['result'])) {
    return `an MCP result must be an object: ${JSON.stringify(m['result'])?.slice(0, 200)}`;
  }
  if (!hasResult && id === undefined) return 'an error response without id';
  return undefined;
}

export interface ParsedReply {
  readonly messages: readonly Record<string, unknown>[];
  readonly strings: string;
}

/** Every JSON-RPC message in a reply body, whether one JSON value (object or batch array) or SSE `data:` events. */
export function parseReply(body: string, contentType: string | undefined): { ok: true; reply: ParsedReply } | { ok: false; problem: string } {
  const values: unknown[] = [];
  const sse = (contentType ?? '').startsWith('text/event-stream');
  try {
    if (sse) {
      for (const event of body.split(/\r?\n\r?\n/)) {
        const data = event
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''));
        if (data.length === 0) continue;
        const text = data.join('\n');
        if (text === '') continue; // a priming event carries an id and empty data
        values.push(JSON.parse(text));
      }
    } else {
      values.push(JSON.parse(body));
    }
  } catch (error) {
    return { ok: false, problem: `reply is not JSON (${error instanceof Error ? error.message : String(error)}): ${JSON.stringify(body.slice(0, 300))}` };
  }
  const messages: Record<string, unknown>[] = [];
  for (const value of values) {
    const list = Array.isArray(value) ? (value as unknown[]) : [value];
    if (Array.isArray(value) && value.length === 0) return { ok: false, problem: 'an empty JSON-RPC batch reply' };
    for (const m of list) {
      const problem = messageProblem(m, sse);
      if (problem) return { ok: false, problem: `${problem} in ${JSON.stringify(body.slice(0, 300))}` };
      messages.push(m as Record<string, unknown>);
    }
  }
  const strings: string[] = [];
  collectStrings(messages, strings);
  return { ok: true, reply: { messages, strings: strings.join('\n') } };
}

/** The request ids in a message or batch that must each get a response (only when the whole body was accepted). */
export function expectedResponseIds(body: unknown): string[] {
  const list = Array.isArray(body) ? body : [body];
  const ids: string[] = [];
  for (const m of list) {
    if (typeof m !== 'object' || m === null) continue;
    const r = m as Record<string, unknown>;
    if (typeof r['method'] === 'string' && (typeof r['id'] === 'string' || typeof r['id'] === 'number')) ids.push(JSON.stringify(r['id']));
  }
  return ids;
}

export function responseIds(messages: readonly Record<string, unknown>[]): string[] {
  return messages.filter((m) => !('method' in m)).map((m) => JSON.stringify(m['id']));
}
