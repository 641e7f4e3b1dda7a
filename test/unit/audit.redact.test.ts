import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../../src/core/audit/chain.js';
import { hashArguments, isSecretKey, looksLikeSecret, redactArguments } from '../../src/core/audit/redact.js';

const NONE: readonly string[] = [];

test('by default only keys survive: values become their type', () => {
  const out = redactArguments(
    { path: '/etc/passwd', count: 3, recursive: true, mode: null, files: ['a', 'b', 'c'], opts: { depth: 2, name: 'x', inner: { flag: false } } },
    NONE,
  );
  assert.deepEqual(out, {
    path: '<string:11>',
    count: '<number>',
    recursive: '<boolean>',
    mode: '<null>',
    files: '<array:3>',
    opts: { depth: '<number>', name: '<string:1>', inner: { flag: '<boolean>' } },
  });
});

test('undefined arguments become null, non-object arguments their type', () => {
  assert.equal(redactArguments(undefined, NONE), null);
  assert.equal(redactArguments([1, 2], NONE), '<array:2>');
  assert.equal(redactArguments('text', NONE), '<string:4>');
  assert.deepEqual(redactArguments({}, NONE), {});
});

test('allow-listed top-level and dotted paths keep their values, nothing else does', () => {
  const allow = ['repo', 'filter.state', 'limits'];
  const out = redactArguments(
    { repo: 'acme/api', body: 'secret plan', filter: { state: 'open', author: 'me' }, limits: { max: 5, tags: ['x', 'y'] } },
    allow,
  );
  assert.deepEqual(out, {
    repo: 'acme/api',
    body: '<string:11>',
    filter: { state: 'open', author: '<string:2>' },
    limits: { max: 5, tags: ['x', 'y'] },
  });
});

test('secrets are never kept, even when allow-listed', () => {
  const allow = ['token', 'headers', 'url', 'note', 'config', 'max_tokens'];
  const out = redactArguments(
    {
      token: 'abc123',
      max_tokens: 100,
      headers: { Authorization: 'Bearer xyz', 'x-api-key': 'k', accept: 'json' },
      url: 'postgres://admin:hunter2@db/prod',
      note: 'key is ghp_0123456789abcdefghij0123456789',
      config: { clientSecret: 's', sessionId: 'q', author: 'ann', nested: { password: 'p' } },
    },
    allow,
  );
  assert.deepEqual(out, {
    token: '<secret>',
    max_tokens: 100,
    headers: { Authorization: '<secret>', 'x-api-key': '<secret>', accept: 'json' },
    url: '<secret>',
    note: '<secret>',
    config: { clientSecret: '<secret>', sessionId: '<secret>', author: 'ann', nested: { password: '<secret>' } },
  });
});

test('secret detection is word-based', () => {
  for (const k of ['password', 'apiKey', 'api_key', 'X-Api-Key', 'access_token', 'refreshToken', 'AUTHORIZATION', 'private_key', 'cookie', 'client_secret']) {
    assert.equal(isSecretKey(k), true, k);
  }
  for (const k of ['max_tokens', 'author', 'path', 'keyword', 'passage', 'tokenizer_name', 'session']) {
    assert.equal(isSecretKey(k), false, k);
  }
  assert.equal(looksLikeSecret('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc'), true);
  assert.equal(looksLikeSecret('AKIAIOSFODNN7EXAMPLE'), true);
  assert.equal(looksLikeSecret('-----BEGIN RSA PRIVATE KEY-----\nMII'), true);
  assert.equal(looksLikeSecret('just a normal sentence about tokens'), false);
});

test('allow-listed long strings and big arrays are clipped', () => {
  const out = redactArguments({ q: 'x'.repeat(1000), list: Array.from({ length: 100 }, (_, i) => i) }, ['q', 'list']) as Record<string, unknown>;
  assert.equal(out['q'], `${'x'.repeat(256)}…<+744>`);
  const list = out['list'] as unknown[];
  assert.equal(list.length, 33);
  assert.equal(list.at(-1), '<+68 items>');
});

test('never throws: cycles, deep nesting, huge objects, throwing getters, __proto__ keys', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  assert.deepEqual(redactArguments(cyclic, NONE), { a: '<number>', self: '<circular>' });
  assert.deepEqual(redactArguments(cyclic, ['self']), { a: '<number>', self: '<circular>' });

  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  const text = JSON.stringify(redactArguments(deep, NONE));
  assert.ok(text.length < 200, text);
  assert.match(text, /<object:1>/);

  const huge = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
  const out = redactArguments(huge, NONE) as Record<string, unknown>;
  assert.equal(Object.keys(out).length, 65);
  assert.equal(out['…'], `<+${100_000 - 64} keys>`);

  const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, Object.fromEntries(Array.from({ length: 60 }, (_, j) => [`j${j}`, j]))]));
  assert.ok(JSON.stringify(redactArguments(wide, NONE)).length < 20_000, 'the node budget bounds the output');

  const hostile = {
    get boom(): never {
      throw new Error('no');
    },
  };
  assert.equal(redactArguments(hostile, NONE), '<unreadable>');

  const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}') as unknown;
  const safe = redactArguments(parsed, ['__proto__']) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(safe), Object.prototype);
  assert.equal(JSON.stringify(safe), '{"__proto__":{"polluted":"yes"},"ok":"<number>"}');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('the same allow-list array can be reused and edited lists are honoured', () => {
  const allow = ['a'];
  assert.deepEqual(redactArguments({ a: 1, b: 2 }, allow), { a: 1, b: '<number>' });
  assert.deepEqual(redactArguments({ a: 3, b: 4 }, allow), { a: 3, b: '<number>' });
  assert.deepEqual(redactArguments({ a: 3, b: 4 }, ['b']), { a: '<number>', b: 4 });
});

test('hashArguments hashes the original arguments canonically: identical calls hash alike', () => {
  const a = { path: '/tmp/x', opts: { b: 1, a: [1, 2] } };
  const b = { opts: { a: [1, 2], b: 1 }, path: '/tmp/x' };
  assert.equal(hashArguments(a), hashArguments(b));
  assert.notEqual(hashArguments(a), hashArguments({ ...a, path: '/tmp/y' }));
  assert.equal(hashArguments(a), createHash('sha256').update(canonicalJson(a)).digest('hex'));
  assert.equal(hashArguments(undefined), hashArguments(null));
});

test('hashArguments with a key is an HMAC: stable, and different from the plain hash', () => {
  const args = { password: 'hunter2' };
  const keyed = hashArguments(args, 'deployment-secret');
  assert.equal(keyed, hashArguments({ password: 'hunter2' }, 'deployment-secret'));
  assert.notEqual(keyed, hashArguments(args));
  assert.equal(keyed, createHmac('sha256', 'deployment-secret').update('{"password":"hunter2"}').digest('hex'));
});
