import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactResultSecrets, redactSecrets } from '../../src/core/scan/index.js';

/**
 * Secret redaction in tool results. Test secrets are assembled at run time so that the repository
 * itself never contains a string that secret scanners (or push protection) would flag.
 */

const rep = (unit: string, n: number): string => unit.repeat(n);
const aws = 'AKIA' + 'IOSFODNN7EXAMPL2';
const cases: readonly [kind: string, secret: string][] = [
  ['openai-key', 'sk-' + rep('a1B2c3D4', 6)],
  ['openai-key', 'sk-proj-' + rep('Xy9_Zw8-', 8)],
  ['anthropic-key', 'sk-ant-api03-' + rep('Q7r_s9T-', 10)],
  ['stripe-key', 'sk_live_' + rep('4eC39HqLyjWD', 2)],
  ['stripe-key', 'rk_test_' + rep('51Hx0aB', 4)],
  ['github-token', 'ghp_' + rep('a1B2c3D4e5', 4)],
  ['github-token', 'github_pat_' + rep('11ABCDEFG0', 3) + '_' + rep('xYz123', 9)],
  ['slack-token', 'xoxb-' + '1234567890-1234567890123-' + rep('AbCdEf', 4)],
  ['slack-token', 'xoxp-' + '1234567890-' + rep('9a8B', 5)],
  ['aws-access-key', aws],
  ['google-api-key', 'AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'],
  ['gitlab-token', 'glpat-' + rep('xY12zW34', 3)],
  ['jwt', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.' + 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
];

test('redactSecrets: each key kind is replaced by its tag', () => {
  for (const [kind, secret] of cases) {
    const r = redactSecrets(`token=${'x'.repeat(0)} value: ${secret} end`);
    assert.equal(r.text, `token= value: [REDACTED:${kind}] end`, kind);
    assert.equal(r.redactions, 1, kind);
  }
});

test('redactSecrets: bearer tokens keep the scheme', () => {
  const r = redactSecrets('Authorization: Bearer abc123DEF456ghi789JKL');
  assert.equal(r.text, 'Authorization: Bearer [REDACTED:bearer-token]');
  // A JWT after Bearer is reported as the more specific kind.
  const jwt = cases.find(([k]) => k === 'jwt')?.[1] ?? '';
  assert.equal(redactSecrets(`Bearer ${jwt}`).text, 'Bearer [REDACTED:jwt]');
  assert.equal(redactSecrets('Uses bearer authentication for every call.').redactions, 0);
});

test('redactSecrets: PEM private keys are removed as a whole block, public certificates kept', () => {
  const body = rep('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n', 5);
  const pem = `-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----`;
  const rsa = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
  const r = redactSecrets(`a\n${pem}\nb\n${rsa}\nc`);
  assert.equal(r.text, 'a\n[REDACTED:private-key]\nb\n[REDACTED:private-key]\nc');
  assert.equal(r.redactions, 2);
  const open = redactSecrets(`x -----BEGIN OPENSSH PRIVATE KEY-----\n${body}`);
  assert.equal(open.text, 'x [REDACTED:private-key]');
  const cert = `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----`;
  assert.equal(redactSecrets(cert).redactions, 0);
});

test('redactSecrets: passwords in URLs keep user and host', () => {
  const r = redactSecrets('db at postgres://admin:' + 'hunter2secret' + '@db.internal:5432/app and https://example.com/x');
  assert.equal(r.text, 'db at postgres://admin:[REDACTED:url-password]@db.internal:5432/app and https://example.com/x');
  assert.equal(redactSecrets('mailto:someone@example.com and git@github.com:org/repo.git').redactions, 0);
});

test('redactSecrets: credential assignments, but not pagination tokens', () => {
  assert.equal(redactSecrets('{"password": "' + 'correct-horse-battery' + '"}').text, '{"password": "[REDACTED:credential]"}');
  assert.equal(redactSecrets('API_KEY=' + 'abcd1234efgh5678').text, 'API_KEY=[REDACTED:credential]');
  assert.equal(redactSecrets('{"nextToken": "eyJwYWdlIjoyfQ", "page_token": "CAUQAA"}').redactions, 0);
});

test('redactSecrets: look-alike benign strings are untouched', () => {
  for (const s of [
    'Install sk-learn and scikit-learn-intelex.',
    'sk-learn-compatible-estimator-wrapper-for-pipelines',
    'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 and 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'uuid 123e4567-e89b-12d3-a456-426614174000',
    'AKIA is the prefix of AWS access key ids.',
    'The ghp_ prefix marks GitHub personal access tokens.',
    'xoxb-tokens are bot tokens.',
    'eyJhbGciOiJIUzI1NiJ9 alone is just base64 JSON.',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
    'Email me at someone@example.com',
    'password policy: at least 12 characters',
    '',
  ]) {
    const r = redactSecrets(s);
    assert.equal(r.text, s, s);
    assert.equal(r.redactions, 0, s);
  }
});

test('redactResultSecrets: text items, resources and structuredContent; input not mutated', () => {
  const gh = 'ghp_' + rep('a1B2c3D4e5', 4);
  const input = {
    content: [
      { type: 'text', text: `token ${gh}` },
      { type: 'image', data: 'iVBORw0KGgo' + gh, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'file:///x', text: `key ${aws}` } },
    ],
    structuredContent: { nested: [{ k: gh }, 42, null], ok: 'fine' },
    isError: false,
  };
  const before = structuredClone(input);
  const r = redactResultSecrets(input);
  assert.deepEqual(input, before);
  assert.equal(r.redactions, 3);
  assert.deepEqual(r.result, {
    content: [
      { type: 'text', text: 'token [REDACTED:github-token]' },
      { type: 'image', data: 'iVBORw0KGgo' + gh, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'file:///x', text: 'key [REDACTED:aws-access-key]' } },
    ],
    structuredContent: { nested: [{ k: '[REDACTED:github-token]' }, 42, null], ok: 'fine' },
    isError: false,
  });
  assert.notEqual(r.result, input);
});

test('redactResultSecrets: non-objects pass through; nothing to redact means zero', () => {
  assert.deepEqual(redactResultSecrets(null), { result: null, redactions: 0 });
  assert.deepEqual(redactResultSecrets(5), { result: 5, redactions: 0 });
  const clean = { content: [{ type: 'text', text: 'hello' }] };
  assert.deepEqual(redactResultSecrets(clean), { result: clean, redactions: 0 });
});
