import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  AGENT_NAME,
  assertAgentName,
  formatKey,
  generateKeyMaterial,
  hashSecret,
  isKeyId,
  LAST_USED_RESOLUTION_MS,
  parsePresentedKey,
  PRESENTED_KEY_LENGTH,
  secretMatches,
  shouldRecordUse,
} from '../../src/core/keys.js';

/** Deterministic "random" bytes: 0, 1, 2, ... across calls. */
function counter(): (size: number) => Uint8Array {
  let next = 0;
  return (size) => Uint8Array.from({ length: size }, () => next++ & 0xff);
}

describe('generateKeyMaterial', () => {
  test('builds id, secret, presented key and hash from the random bytes', () => {
    const m = generateKeyMaterial(counter());
    assert.equal(m.id, '000102030405');
    assert.equal(m.secret, Buffer.from(Array.from({ length: 32 }, (_, i) => i + 6)).toString('base64url'));
    assert.equal(m.secret.length, 43);
    assert.ok(!m.secret.includes('='), 'no padding');
    assert.equal(m.presented, `gh_000102030405_${m.secret}`);
    assert.equal(m.presented.length, PRESENTED_KEY_LENGTH);
    assert.equal(m.secretHash, hashSecret(m.secret));
    assert.deepEqual(parsePresentedKey(m.presented), { id: m.id, secret: m.secret });
  });

  test('real randomness: well-formed and distinct every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const m = generateKeyMaterial();
      assert.match(m.presented, /^gh_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(parsePresentedKey(m.presented), { id: m.id, secret: m.secret });
      seen.add(m.id).add(m.secret);
    }
    assert.equal(seen.size, 400);
  });

  test('secrets containing _ and - still parse (base64url uses both)', () => {
    const m = generateKeyMaterial((size) => new Uint8Array(size).fill(0xff));
    assert.equal(m.secret, `${'_'.repeat(42)}8`);
    assert.deepEqual(parsePresentedKey(m.presented), { id: 'ffffffffffff', secret: m.secret });
    const dashes = generateKeyMaterial((size) => new Uint8Array(size).fill(0xfb));
    assert.ok(dashes.secret.includes('-') && dashes.secret.includes('_'));
    assert.deepEqual(parsePresentedKey(dashes.presented), { id: dashes.id, secret: dashes.secret });
  });

  test('refuses a random source that returns the wrong number of bytes', () => {
    assert.throws(() => generateKeyMaterial((size) => new Uint8Array(size - 1)), /randomBytes returned/);
  });
});

describe('parsePresentedKey', () => {
  const good = formatKey('0123456789ab', 'A'.repeat(43));

  test('accepts exactly gh_<12 lowercase hex>_<43 base64url>', () => {
    assert.deepEqual(parsePresentedKey(good), { id: '0123456789ab', secret: 'A'.repeat(43) });
  });

  test('a secret may itself begin with _: the fixed lengths, not the underscores, split the key', () => {
    assert.deepEqual(parsePresentedKey(`gh_0123456789ab__${'A'.repeat(42)}`), { id: '0123456789ab', secret: `_${'A'.repeat(42)}` });
  });

  test('rejects anything else, and never throws', () => {
    const bad: unknown[] = [
      '',
      'gh_',
      'gh__',
      'gh_0123456789ab',
      'gh_0123456789ab_',
      `gh__0123456789ab_${'A'.repeat(42)}`,
      `gh_0123456789ab__${'A'.repeat(43)}`,
      `${good}_`,
      `_${good}`,
      `${good}${'A'.repeat(10_240)}`,
      'x'.repeat(10_240),
      `gh_0123456789AB_${'A'.repeat(43)}`,
      `gh_0123456789ag_${'A'.repeat(43)}`,
      `gh_0123456789a_${'A'.repeat(44)}`,
      `GH_0123456789ab_${'A'.repeat(43)}`,
      `gh_0123456789ab_${'A'.repeat(42)}=`,
      `gh_0123456789ab_${'A'.repeat(42)}+`,
      `gh_0123456789ab_${'A'.repeat(42)}é`,
      `gh_0123456789ab_${'A'.repeat(41)}😀`,
      `gh_０123456789ab_${'A'.repeat(43)}`,
      ` ${good}`,
      `${good}\n`,
      `gh_0123456789ab_${'A'.repeat(42)}\u0000`,
      null,
      undefined,
      42,
      ['gh', '0123456789ab', 'A'.repeat(43)],
      { toString: () => good },
    ];
    for (const text of bad) assert.equal(parsePresentedKey(text), undefined, JSON.stringify(text)?.slice(0, 80));
  });
});

describe('hashing', () => {
  test('hashSecret is SHA-256 hex of the secret (known vector)', () => {
    assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashSecret('x'), createHash('sha256').update('x').digest('hex'));
  });

  test('secretMatches compares against the stored hash; a malformed stored hash is a mismatch', () => {
    const stored = hashSecret('s3cret');
    assert.equal(secretMatches('s3cret', stored), true);
    assert.equal(secretMatches('s3creT', stored), false);
    assert.equal(secretMatches('s3cret', stored.toUpperCase()), true, 'hex case does not matter');
    assert.equal(secretMatches('s3cret', ''), false);
    assert.equal(secretMatches('s3cret', stored.slice(0, -2)), false);
    assert.equal(secretMatches('s3cret', `${stored}00`), false);
    assert.equal(secretMatches('s3cret', `${stored.slice(0, -1)}z`), false, 'not hex');
    assert.equal(secretMatches('s3cret', 's3cret'), false);
  });
});

describe('ids and agent names', () => {
  test('isKeyId', () => {
    assert.equal(isKeyId('0123456789ab'), true);
    for (const id of ['', '0123456789a', '0123456789abc', '0123456789AB', 'gh_0123456789ab', 42, null]) assert.equal(isKeyId(id), false, String(id));
  });

  test('AGENT_NAME and assertAgentName', () => {
    for (const name of ['a', '7', 'claude-desktop', 'bot@example.com', 'A.b_c-d', 'a'.repeat(128)]) {
      assert.equal(AGENT_NAME.test(name), true, name);
      assert.doesNotThrow(() => assertAgentName(name));
    }
    for (const name of ['', ' a', 'a ', '-a', '.a', '_a', '@a', 'a b', 'a/b', 'a\n', 'bób', 'a'.repeat(129), 'a\u0000']) {
      assert.equal(AGENT_NAME.test(name), false, JSON.stringify(name));
      assert.throws(() => assertAgentName(name), /invalid agent name/);
    }
    assert.throws(() => assertAgentName(undefined), /invalid agent name undefined/);
  });

  test('the error for a long name is cut short', () => {
    assert.throws(
      () => assertAgentName('x'.repeat(10_000)),
      (error: unknown) => error instanceof Error && error.message.length < 300 && /invalid agent name "x+…"/.test(error.message),
    );
  });
});

describe('shouldRecordUse', () => {
  test('records the first use, then at most once per resolution interval', () => {
    assert.equal(LAST_USED_RESOLUTION_MS, 60_000);
    assert.equal(shouldRecordUse(null, 0), true);
    assert.equal(shouldRecordUse(1_000, 1_000), false);
    assert.equal(shouldRecordUse(1_000, 60_999), false);
    assert.equal(shouldRecordUse(1_000, 61_000), true);
    assert.equal(shouldRecordUse(61_000, 1_000), false, 'a clock that went back does not rewrite');
  });
});
