/**
 * Property-based fuzzing of the policy and config formats: documents generated from the real grammar stay valid
 * (and compile), and mutations of them — dropped and renamed keys, wrong types, huge numbers, unicode and
 * `__proto__` keys, deep nesting, broken JSON text — never throw (resolveConfig throws only ConfigError) and are
 * reported issue by issue, each with a `$` path that points into the document and a message. `policy validate`
 * on generated invalid files exits 2 listing the paths, without a stack trace.
 *
 * `FUZZ_SEED` replays a run; `FUZZ_SCALE` multiplies the case counts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ConfigError, resolveConfig } from '../../src/config/load.js';
import { compilePolicy, parsePolicy, parsePolicyText } from '../../src/core/policy/index.js';
import type { ValidationIssue } from '../../src/core/validation.js';
import { CLI } from '../helpers/harness.js';
import { jsonValue, weirdString } from './arbitraries.js';
import { FUZZ_SCALE as SCALE, fuzzSeed } from './run-settings.js';

const SEED = fuzzSeed('policy-config');
const ENV = { HOME: '/home/fuzz', TOKEN: 't'.repeat(24), EMPTY: '' };

// ---------------------------------------------------------------------------------------------------------------
// Valid documents, generated from the grammar

const window = fc.oneof(fc.double({ min: 0.001, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.constantFrom('ms', 's', 'm', 'h', 'd', ' s')).map(([n, u]) => `${n}${u}`));
const limit = fc.record({ max: fc.integer({ min: 1, max: 1e9 }), window, scope: fc.constantFrom('session', 'agent', 'global') }, { requiredKeys: ['max', 'window'] });
const argPath = fc.constantFrom('amount', 'args.amount', 'items[0].price', 'a.b.c', 'metadata["x-y"]', 'args', "['quoted']", 'währung');
const leaf = fc.oneof(
  fc.record({ path: argPath, op: fc.constantFrom('eq', 'neq', 'contains'), value: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null)) }),
  fc.record({ field: argPath, operator: fc.constantFrom('in', 'not_in'), value: fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { minLength: 1, maxLength: 5 }) }),
  fc.record({ path: argPath, op: fc.constantFrom('lt', 'lte', 'gt', 'gte'), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
  fc.record({ path: argPath, op: fc.constant('regex'), value: fc.constantFrom('^urgent', 'abc', '^[a-z]{1,8}$', 'x|y'), flags: fc.constantFrom('', 'i', 'im') }, { requiredKeys: ['path', 'op', 'value'] }),
  fc.record({ path: argPath, op: fc.constant('exists'), value: fc.boolean() }, { requiredKeys: ['path', 'op'] }),
);
const condition: fc.Arbitrary<unknown> = fc.letrec<{ c: unknown }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
  ),
})).c;
// `depthSize: small` keeps groups shallow; the schema allows 8 levels, so deeper lists are cut down to a leaf.
const conditions = fc.oneof(fc.array(condition, { minLength: 1, maxLength: 3 }), condition).map((c) => (depthOf(c) > 7 ? [{ path: 'amount', op: 'gt', value: 1 }] : c));
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return Math.max(0, ...v.map(depthOf));
  if (typeof v === 'object' && v !== null) return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}
const rule = fc.record(
  {
    action: fc.constantFrom('allow', 'deny', 'require_approval'),
    reason: fc.string({ maxLength: 40 }),
    rate_limit: limit,
    limits: fc.array(limit, { maxLength: 3 }),
    require: conditions,
    deny_if: conditions,
    require_approval_if: conditions,
  },
  { requiredKeys: [] },
);
const toolKey = fc.oneof(fc.stringMatching(/^[a-z_*][a-z0-9_*.-]{0,15}$/), fc.constantFrom('echo', 'delete_*', '*', 'github__*', 'a/b', 'ünïcode'));
const agentName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,20}$/);
const hide = fc.array(toolKey, { maxLength: 3 });
const allTools = fc.record({ limits: fc.array(limit, { maxLength: 2 }) }, { requiredKeys: [] });
const agentSection = fc.record(
  { default: fc.constantFrom('allow', 'deny'), tools: fc.dictionary(toolKey, rule, { maxKeys: 3 }), hide, all_tools: allTools },
  { requiredKeys: [] },
);
const validPolicy = fc.record(
  {
    version: fc.constant('1'),
    default: fc.constantFrom('allow', 'deny'),
    tools: fc.dictionary(toolKey, rule, { maxKeys: 5 }),
    hide,
    all_tools: allTools,
    agents: fc.dictionary(agentName, agentSection, { maxKeys: 3 }),
  },
  { requiredKeys: ['version', 'default'] },
);

const serverName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,12}$/);
const stringMap = fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), fc.oneof(fc.string({ maxLength: 10 }).map((s) => s.replace(/\$\{/g, '')), fc.constantFrom('${HOME}', 'Bearer ${TOKEN}', '${EMPTY}x')), { maxKeys: 3 });
const server = fc.oneof(
  fc.record(
    { command: fc.constantFrom('node', '/usr/bin/env', 'npx'), args: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), env: stringMap, cwd: fc.constantFrom('.', 'sub/dir', '/abs'), call_timeout_ms: fc.integer({ min: 1, max: 1e6 }), enabled: fc.boolean(), transport: fc.constant('stdio') },
    { requiredKeys: ['command'] },
  ),
  fc.record(
    { url: fc.constantFrom('http://127.0.0.1:9000/mcp', 'https://example.com/mcp', 'http://[::1]:1/x'), headers: stringMap, transport: fc.constantFrom('streamable-http', 'sse'), connect_timeout_ms: fc.integer({ min: 1, max: 1e6 }) },
    { requiredKeys: ['url'] },
  ),
);
const validConfig = fc.record(
  {
    listen: fc.record(
      { host: fc.constantFrom('127.0.0.1', '::1', 'localhost'), port: fc.integer({ min: 0, max: 65535 }), allowed_hosts: fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }), max_body_bytes: fc.integer({ min: 1, max: 1e9 }), response_mode: fc.constantFrom('sse', 'json') },
      { requiredKeys: [] },
    ),
    policy: fc.record({ path: fc.constantFrom('policy.json', '/etc/gatehouse/policy.json', '../p.json'), hide_default_denied: fc.boolean(), watch: fc.boolean() }, { requiredKeys: ['path'] }),
    prefix: fc.record({ mode: fc.constantFrom('always', 'on-collision', 'never'), separator: fc.constantFrom('__', '.', '/') }, { requiredKeys: [] }),
    upstream_defaults: fc.record({ call_timeout_ms: fc.integer({ min: 1, max: 1e7 }), connect_timeout_ms: fc.integer({ min: 1, max: 1e7 }) }, { requiredKeys: [] }),
    page_size: fc.integer({ min: 1, max: 10_000 }),
    servers: fc.dictionary(serverName, server, { maxKeys: 3 }),
    storage: fc.record({ sqlite_path: fc.constantFrom(':memory:', 'state/g.db'), redis_url: fc.constant('redis://localhost:6379'), redis_key_prefix: fc.constant('g:') }, { requiredKeys: [] }),
    audit: fc.record({ allow_values: fc.array(fc.constantFrom('region', 'query.limit'), { maxLength: 2 }), hash_key: fc.constant('k'.repeat(16)) }, { requiredKeys: [] }),
    auth: fc.record(
      { anonymous_on_loopback: fc.boolean(), jwt: fc.record({ issuer: fc.constant('https://issuer'), audience: fc.constant('gatehouse'), jwks_file: fc.constant('jwks.json') }) },
      { requiredKeys: [] },
    ),
    admin: fc.record({ token: fc.constantFrom('a'.repeat(16), '${TOKEN}') }),
    risk_overrides: fc.dictionary(toolKey, fc.record({ category: fc.constantFrom('Read', 'Write', 'Execute', 'Destructive', 'Financial', 'Other'), level: fc.constantFrom('Low', 'Medium', 'High', 'Critical') }, { requiredKeys: [] }), { maxKeys: 2 }),
    log_level: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
  { requiredKeys: ['policy', 'servers'] },
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations

type Key = string | number;

function allPaths(value: unknown, at: Key[] = [], out: Key[][] = [], depth = 0): Key[][] {
  out.push(at);
  if (depth > 50 || typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) allPaths(v, [...at, Array.isArray(value) ? Number(k) : k], out, depth + 1);
  return out;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that "__proto__" becomes an own key (as JSON.parse makes it) instead of the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

const KEY_POOL = ['__proto__', 'constructor', 'prototype', 'acton', 'Action', 'version ', '', ' ', 'tools\u0000', '🔥', 'ключ', 'a'.repeat(300), 'toString', 'hasOwnProperty', '$', '[0]', 'a.b', '"'];
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  jsonValue,
  fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53 + 1, -1, 0, 0.5, 65536, 99999, '', ' ', '1', 'allow ', 'ALLOW', [], {}, [[]], [{}], new Date(0), 'x'.repeat(5000)),
  weirdString,
  fc.integer({ min: 1, max: 40 }).map((n) => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

interface Mutation {
  readonly at: number;
  readonly op: 'delete' | 'rename' | 'replace' | 'wrap' | 'add';
  readonly key: string;
  readonly value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'rename', 'replace', 'replace', 'wrap', 'add'),
  key: fc.oneof(fc.constantFrom(...KEY_POOL), fc.string({ maxLength: 8 })),
  value: weirdValue,
});

/**
 * Applies mutations to a deep copy of `doc`, each at a path chosen among the copy's current paths. Each value is
 * placed as a copy: fast-check hands out one instance of each constant (the `{}` of every run is the same object),
 * and placing it by reference let a later `add` grow it in place, across runs, until it held itself under two
 * keys and `allPaths` had 2^50 paths to list (a hang under CI).
 */
function mutate(doc: unknown, mutations: readonly Mutation[]): unknown {
  const root = { doc: structuredClone(doc) as unknown };
  for (const mutation of mutations) {
    const m = { ...mutation, value: structuredClone(mutation.value) };
    const paths = allPaths(root.doc);
    const path = paths[m.at % paths.length] ?? [];
    let parent: Record<string, unknown> = root as unknown as Record<string, unknown>;
    let key: Key = 'doc';
    for (const k of path) {
      parent = parent[key] as Record<string, unknown>;
      key = k;
    }
    const current = parent[key];
    if (m.op === 'delete' && path.length > 0) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === 'rename' && path.length > 0 && !Array.isArray(parent)) {
      delete parent[key];
      setOwn(parent, m.key, current);
    } else if (m.op === 'wrap') {
      parent[key] = m.key.length % 2 ? [current] : { [m.key]: current };
    } else if (m.op === 'add' && typeof current === 'object' && current !== null && !Array.isArray(current)) {
      setOwn(current as Record<string, unknown>, m.key, m.value);
    } else {
      parent[key] = m.value;
    }
  }
  return root.doc;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

/** Parses a path as formatPath writes it: `$`, `.name`, `[3]`, `["any key"]`. */
function parseIssuePath(path: string): Key[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const keys: Key[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(path.slice(i + 1));
      if (!m) return undefined;
      keys.push(m[0]);
      i += 1 + m[0].length;
    } else if (path.startsWith('["', i)) {
      // a JSON string up to the matching quote
      let j = i + 2;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      if (path[j + 1] !== ']') return undefined;
      keys.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
      i = j + 2;
    } else if (path[i] === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i));
      if (!m) return undefined;
      keys.push(Number(m[1]));
      i += m[0].length;
    } else {
      return undefined;
    }
  }
  return keys;
}

/** Whether `keys` (all but the last) lead to an existing own value of `doc`. */
function parentExists(doc: unknown, keys: readonly Key[]): boolean {
  let v: unknown = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, k)) return false;
    v = (v as Record<string, unknown>)[k as string];
  }
  return true;
}

/** Every issue has a `$` path that parses and points into the document (its parent exists), and a message. */
function checkIssues(issues: readonly ValidationIssue[], doc: unknown, where: string): void {
  assert.ok(issues.length > 0, `${where}: an invalid document without any issue`);
  for (const issue of issues) {
    assert.equal(typeof issue.message, 'string', `${where}: message of ${issue.path}`);
    assert.ok(issue.message.trim().length > 0, `${where}: empty message at ${issue.path}`);
    assert.doesNotMatch(issue.message, /\n\s+at .+:\d+:\d+/, `${where}: a stack trace in the message at ${issue.path}`);
    const keys = parseIssuePath(issue.path);
    assert.ok(keys, `${where}: the path ${JSON.stringify(issue.path)} is not a $ path`);
    assert.ok(parentExists(doc, keys), `${where}: the path ${issue.path} does not point into the document (${issue.message})`);
  }
}

function checkPolicy(doc: unknown): void {
  const parsed = parsePolicy(doc);
  if (parsed.ok) {
    // Anything the schema accepts must compile, as `policy validate` and the gateway do next.
    compilePolicy(parsed.value, { hideDefaultDenied: true });
  } else {
    checkIssues(parsed.issues, doc, 'parsePolicy');
  }
}

function checkConfig(doc: unknown): void {
  try {
    const config = resolveConfig(doc, '/base', 'fuzz.yaml', ENV);
    assert.ok(isAbsolute(config.policy.path));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`resolveConfig threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}, not a ConfigError`);
    checkIssues(error.issues, doc, 'resolveConfig');
  }
}

/** Text-level damage: truncation, junk, BOM, duplicate keys, comments, trailing commas. */
function damagedText(doc: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(doc) ?? '';
  return fc.oneof(
    fc.constant(text),
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom(',', '}', ']', '"', '\\', '\u0000', '//x\n', '/*', 'NaN', '\ud800', '\u2028')).map(([at, junk]) => text.slice(0, at) + junk + text.slice(at)),
    fc.constant(`\ufeff${text}`),
    fc.constant(text.replace(/^\{/, '{"version":"0",')),
    fc.constant(text.replace(/\}$/, ',}')),
    fc.constant(''),
  );
}

// ---------------------------------------------------------------------------------------------------------------

describe('fuzzing the policy and config formats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-policy-'));
  let total = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run<T>(t: TestContext, name: string, arb: fc.Arbitrary<T>, runs: number, check: (v: T) => void, seedOffset: number): void {
    let cases = 0;
    const started = Date.now();
    fc.assert(
      fc.property(arb, (v) => {
        cases++;
        check(v);
      }),
      { numRuns: Math.ceil(runs * SCALE), seed: SEED + seedOffset, includeErrorInReport: true },
    );
    total += cases;
    t.diagnostic(`${name}: ${cases} cases in ${Date.now() - started} ms (FUZZ_SEED=${SEED})`);
  }

  it('generated valid policies are valid, compile, and survive a JSON round trip', (t) =>
    run(t, 'valid policies', validPolicy, 1000, (doc) => {
      const parsed = parsePolicy(doc);
      assert.ok(parsed.ok, JSON.stringify(parsed.ok ? [] : parsed.issues));
      compilePolicy(parsed.value, { hideDefaultDenied: true });
      const text = parsePolicyText(JSON.stringify(doc));
      assert.ok(text.ok, JSON.stringify(text.ok ? [] : text.issues));
    }, 0));

  it('mutated policies never throw; every issue has a $ path into the document and a message', (t) =>
    run(t, 'mutated policies', fc.tuple(validPolicy, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([doc, ms]) => mutate(doc, ms)), 4000, checkPolicy, 1));

  it('damaged policy text never throws; issues have $ paths', (t) =>
    run(t, 'policy text', validPolicy.chain((doc) => fc.tuple(fc.constant(doc), damagedText(doc))), 1500, ([, text]) => {
      const parsed = parsePolicyText(text);
      if (parsed.ok) return;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = undefined;
      }
      checkIssues(parsed.issues, doc, 'parsePolicyText');
    }, 2));

  it('any JSON value as a policy or a config never throws', (t) =>
    run(t, 'arbitrary values', fc.oneof(jsonValue, weirdValue, fc.anything()), 1000, (doc) => {
      checkPolicy(doc);
      checkConfig(doc);
    }, 3));

  it('generated valid configs resolve', (t) =>
    run(t, 'valid configs', validConfig, 1000, (doc) => {
      const config = resolveConfig(doc, '/base', 'fuzz.yaml', ENV);
      assert.ok(isAbsolute(config.policy.path));
      assert.ok(config.storage.sqlite_path === ':memory:' || isAbsolute(config.storage.sqlite_path));
    }, 4));

  for (const [i, field] of ['admin.token', 'audit.hash_key'].entries()) {
  it(`${field} given as ${'${VAR}'}: the length rule applies to the expanded value`, (t) =>
    run(
      t,
      `expanded ${field}`,
      fc.record({
        name: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/),
        value: fc.oneof(fc.string({ maxLength: 15 }), fc.string({ minLength: 16, maxLength: 40 }), fc.constant('')).map((v) => v.replace(/\$\{/g, '')),
      }),
      500,
      ({ name, value }) => {
        const [section, key] = field.split('.') as [string, string];
        const doc = { policy: { path: 'p.json' }, servers: {}, [section]: { [key]: `\${${name}}` } };
        let resolved: string | undefined;
        try {
          const config = resolveConfig(doc, '/base', 'fuzz.yaml', { [name]: value });
          resolved = section === 'admin' ? config.admin.token : config.audit.hash_key;
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
          assert.ok(value.length < 16, `a ${value.length}-character value from $\{${name}} was refused for ${field}: ${error.message}`);
          assert.ok(error.issues.some((i) => i.path === `$.${field}`), error.message);
          return;
        }
        // Accepted: then the secret in force is the whole value, and long enough (an empty or 3-character HMAC
        // key, or one silently dropped, would leave short argument values guessable from their audit hashes).
        assert.equal(resolved, value, `${field} from $\{${name}}=${JSON.stringify(value)} resolved to ${JSON.stringify(resolved)}`);
        assert.ok(value.length >= 16, `${field} accepted a ${value.length}-character value from $\{${name}}`);
      },
      8 + i,
    ));
  }

  it('mutated configs throw only ConfigError, with a $ path into the document for each issue', (t) =>
    run(t, 'mutated configs', fc.tuple(validConfig, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([doc, ms]) => mutate(doc, ms)), 3000, checkConfig, 5));

  it('deeply nested documents get an issue with a path, not a stack overflow', (t) =>
    run(
      t,
      'deep nesting',
      fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('tools.x', 'extra', 'top', 'servers.a.env', 'object')),
      30,
      ([depth, where]) => {
        const nested = '['.repeat(depth) + ']'.repeat(depth);
        const policyText =
          where === 'top' ? nested : where === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `{"version":"1","default":"deny",${where === 'extra' ? '"extra"' : '"tools":{"x"'}:${nested}${where === 'extra' ? '' : '}'}}`;
        let parsed: ReturnType<typeof parsePolicyText>;
        try {
          parsed = parsePolicyText(policyText);
        } catch (error) {
          throw new Error(`parsePolicyText threw ${String(error)} for ${depth} levels (${where})`);
        }
        assert.equal(parsed.ok, false);
        const config = JSON.parse(`{"policy":{"path":"p.json"},"servers":{"a":{"command":"x","env":${where === 'servers.a.env' ? nested : '{}'}}},"extra":${nested}}`) as unknown;
        checkConfig(config);
      },
      6,
    ));

  it('policy validate on generated invalid files: exit code 2, every issue path on stderr, no stack trace', (t) => {
    const invalid = fc
      .tuple(validPolicy, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([doc, ms]) => JSON.stringify(mutate(doc, ms)) ?? 'undefined')
      .filter((text) => !parsePolicyText(text).ok);
    const files = fc.sample(invalid, { numRuns: 6, seed: SEED + 7 });
    // Also text that is not JSON, and a document too deep for a recursive walk.
    files.push('{"version":"1","default":', '['.repeat(20_000) + ']'.repeat(20_000));
    for (const [i, text] of files.entries()) {
      const file = join(dir, `policy-${i}.json`);
      writeFileSync(file, text);
      // Bounded, so a validator that never returns fails here with the input instead of stalling the run.
      const run = spawnSync(process.execPath, [CLI, 'policy', 'validate', file], { encoding: 'utf8', timeout: 30_000 });
      const where = `policy validate ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}… (${text.length} characters)` : text)}`;
      assert.equal(run.signal, null, `${where}: killed by ${run.signal} after 30 s`);
      assert.equal(run.status, 2, `${where}: exit ${run.status}; ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, `${where}: a stack trace`);
      let issues: readonly ValidationIssue[] = [];
      try {
        const parsed = parsePolicyText(text);
        if (!parsed.ok) issues = parsed.issues;
      } catch {
        // the deep document: the in-process check above reports that parsePolicyText throws
      }
      for (const issue of issues) assert.ok(run.stderr.includes(`${issue.path}: `), `${where}: ${issue.path} missing from ${run.stderr}`);
      // A path can hold any key, spaces and quotes included: `$["a b"]`.
      assert.match(run.stderr, /^ {2}\$.*?: /m, `${where}: no "$…: message" line in ${JSON.stringify(run.stderr.slice(0, 500))}`);
      total++;
    }
    t.diagnostic(`policy validate: ${files.length} files; total policy/config cases: ${total}`);
  });
});
