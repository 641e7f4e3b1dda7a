import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentKey, AgentKeyStore } from '../../src/ports.js';
import { withHarness } from './support.js';

export interface AgentKeyStoreHarness {
  readonly store: AgentKeyStore;
  /** A new store instance on the same file or database, as after a restart. */
  reopen(): Promise<AgentKeyStore>;
  /** Every stored row, every column, as the storage holds it: to check that no secret is kept. */
  rawRows(): Promise<unknown[]>;
  /** Closes every store the harness opened and removes what the test stored. */
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const PRESENTED = /^gh_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The secret part of a presented key (what must never be stored). */
function secretPart(presented: string): string {
  const secret = PRESENTED.exec(presented)?.[2];
  return secret ?? assert.fail(`not a well-formed key: ${presented}`);
}

/** The same key with one secret character changed, keeping the shape valid. */
function tampered(presented: string): string {
  const last = presented.at(-1);
  return `${presented.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
}

export function agentKeyStoreContract(name: string, makeStore: () => Promise<AgentKeyStoreHarness>): void {
  const withStore = withHarness(makeStore);

  describe(`AgentKeyStore contract: ${name}`, () => {
    test('create returns a key that verifies and names its agent', withStore(async ({ store }) => {
      const { key, secret } = await store.create('claude-desktop', T0);
      assert.match(key.id, /^[0-9a-f]{12}$/);
      assert.deepEqual(key, { id: key.id, agent: 'claude-desktop', createdAt: T0, revokedAt: null, lastUsedAt: null });
      assert.match(secret, PRESENTED);
      assert.ok(secret.startsWith(`gh_${key.id}_`), 'the presented key carries its id');
      const verified = await store.verify(secret, T0 + 1);
      assert.deepEqual(verified, { ...key, lastUsedAt: T0 + 1 });
      assert.deepEqual(await store.list(), [verified]);
    }));

    test('the stored data never contains the secret', withStore(async ({ store, rawRows }) => {
      const created = [await store.create('a', T0), await store.create('b', T0 + 1), await store.create('a', T0 + 2)];
      const [first, second] = created;
      assert.ok(first && second);
      await store.verify(first.secret, T0 + 3);
      await store.revoke(second.key.id, T0 + 4);
      const rows = await rawRows();
      assert.equal(rows.length, created.length);
      const dump = JSON.stringify(rows);
      for (const { key, secret } of created) {
        assert.ok(dump.includes(key.id), 'rawRows shows the stored rows');
        assert.ok(!dump.includes(secretPart(secret)), 'secret stored');
        assert.ok(!dump.includes(secret), 'presented key stored');
      }
    }));

    test('a wrong secret with a right id, or an unknown id, does not verify and records no use', withStore(async ({ store }) => {
      const { key, secret } = await store.create('agent', T0);
      const other = await store.create('other', T0);
      assert.equal(await store.verify(tampered(secret), T0 + 1), undefined);
      // The other key's secret under this key's id.
      assert.equal(await store.verify(`gh_${key.id}_${secretPart(other.secret)}`, T0 + 1), undefined);
      const unknownId = key.id === '000000000000' ? '111111111111' : '000000000000';
      assert.equal(await store.verify(`gh_${unknownId}_${secretPart(secret)}`, T0 + 1), undefined);
      assert.deepEqual((await store.list()).map((k) => k.lastUsedAt), [null, null]);
      assert.equal((await store.verify(secret, T0 + 2))?.id, key.id, 'the right key still verifies');
    }));

    test('malformed keys are rejected without throwing', withStore(async ({ store }) => {
      const { key, secret } = await store.create('agent', T0);
      const part = secretPart(secret);
      const malformed: unknown[] = [
        '',
        'gh_',
        'gh__',
        `gh_${key.id}`,
        `gh_${key.id}_`,
        `gh__${key.id}_${part}`,
        `gh_${key.id}__${part}`,
        `gh_${key.id}_${part}_`,
        `_${secret}`,
        `gh_${key.id}_${part}_extra_underscores`,
        `${secret}${'x'.repeat(10_240)}`,
        'x'.repeat(10_240),
        `gh_${'a'.repeat(10_240)}`,
        `gh_${key.id}_${part.slice(0, -1)}é`,
        `gh_${key.id}_${part.slice(0, -2)}😀`,
        `gh_${key.id.slice(0, -1)}ａ_${part}`,
        `gh_${key.id}\u0000${part}`,
        ` ${secret}`,
        `${secret}\n`,
        `GH_${key.id}_${part}`,
        `gh_${key.id.slice(0, -1)}F_${part}`,
        `gh_${key.id}_${part.slice(0, -1)}`,
        `gh_${key.id}_${part}=`,
        `gh-${key.id}-${part}`,
        `Bearer ${secret}`,
        null,
        undefined,
        42,
        { toString: () => secret },
      ];
      for (const text of malformed) {
        assert.equal(await store.verify(text as string, T0 + 1), undefined, `accepted ${JSON.stringify(text)?.slice(0, 80)}`);
      }
      assert.deepEqual((await store.list()).map((k) => k.lastUsedAt), [null]);
      assert.equal((await store.verify(secret, T0 + 2))?.id, key.id);
    }));

    test('revoke stops the key verifying, once; an unknown id is not revoked', withStore(async ({ store }) => {
      const revoked = await store.create('agent', T0);
      const kept = await store.create('agent', T0 + 1);
      assert.ok(await store.verify(revoked.secret, T0 + 2));
      assert.equal(await store.revoke(revoked.key.id, T0 + 3), true);
      assert.equal(await store.verify(revoked.secret, T0 + 4), undefined);
      assert.equal(await store.revoke(revoked.key.id, T0 + 5), false, 'revoking again');
      assert.equal(await store.revoke(kept.key.id === '000000000000' ? '111111111111' : '000000000000', T0 + 5), false);
      assert.equal(await store.revoke('nope', T0 + 5), false);
      assert.equal(await store.revoke('', T0 + 5), false);
      assert.equal(await store.revoke(revoked.secret, T0 + 5), false, 'the presented key is not an id');
      assert.equal((await store.verify(kept.secret, T0 + 6))?.id, kept.key.id, 'other keys unaffected');
      const listed = await store.list();
      assert.deepEqual(listed.map((k) => [k.id, k.revokedAt]), [[revoked.key.id, T0 + 3], [kept.key.id, null]], 'the first revocation time is kept');
    }));

    test('list shows every key, revoked ones with revokedAt, ordered by createdAt then id', withStore(async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      const late = await store.create('late', T0 + 2);
      const early = [await store.create('early-1', T0), await store.create('early-2', T0), await store.create('early-3', T0)];
      const middle = await store.create('middle', T0 + 1);
      await store.revoke(middle.key.id, T0 + 10);
      await store.revoke(late.key.id, T0 + 11);
      const expected: AgentKey[] = [
        ...early.map((c) => c.key).sort((a, b) => (a.id < b.id ? -1 : 1)),
        { ...middle.key, revokedAt: T0 + 10 },
        { ...late.key, revokedAt: T0 + 11 },
      ];
      assert.deepEqual(await store.list(), expected);
    }));

    test('verify records lastUsedAt, at most once a minute', withStore(async ({ store }) => {
      const { key, secret } = await store.create('agent', T0);
      const lastUsed = async () => (await store.list()).find((k) => k.id === key.id)?.lastUsedAt;
      assert.equal(await lastUsed(), null);
      assert.equal((await store.verify(secret, T0 + 1_000))?.lastUsedAt, T0 + 1_000);
      assert.equal(await lastUsed(), T0 + 1_000);
      assert.equal((await store.verify(secret, T0 + 1_000 + MINUTE - 1))?.lastUsedAt, T0 + 1_000, 'within the minute: not rewritten');
      assert.equal(await lastUsed(), T0 + 1_000);
      assert.equal((await store.verify(secret, T0 + 1_000 + MINUTE))?.lastUsedAt, T0 + 1_000 + MINUTE);
      assert.equal(await lastUsed(), T0 + 1_000 + MINUTE);
      await store.revoke(key.id, T0 + 5 * MINUTE);
      assert.equal(await store.verify(secret, T0 + 10 * MINUTE), undefined);
      assert.equal(await lastUsed(), T0 + 1_000 + MINUTE, 'a revoked key records no use');
    }));

    test('data survives a restart (a new store on the same storage)', withStore(async (h) => {
      const kept = await h.store.create('kept', T0);
      const revoked = await h.store.create('revoked', T0 + 1);
      await h.store.verify(kept.secret, T0 + 2);
      await h.store.revoke(revoked.key.id, T0 + 3);
      const before = await h.store.list();
      await h.store.close();
      const again = await h.reopen();
      assert.deepEqual(await again.list(), before);
      assert.deepEqual(await again.verify(kept.secret, T0 + 4), { ...kept.key, lastUsedAt: T0 + 2 });
      assert.equal(await again.verify(revoked.secret, T0 + 4), undefined);
      assert.equal(await again.revoke(revoked.key.id, T0 + 5), false);
    }));

    test('two keys for one agent both work, independently', withStore(async ({ store }) => {
      const one = await store.create('shared-agent', T0);
      const two = await store.create('shared-agent', T0);
      assert.notEqual(one.key.id, two.key.id);
      assert.notEqual(secretPart(one.secret), secretPart(two.secret));
      assert.equal((await store.verify(one.secret, T0 + 1))?.id, one.key.id);
      assert.equal((await store.verify(two.secret, T0 + 1))?.id, two.key.id);
      await store.revoke(one.key.id, T0 + 2);
      assert.equal(await store.verify(one.secret, T0 + 3), undefined);
      assert.equal((await store.verify(two.secret, T0 + 3))?.agent, 'shared-agent');
    }));

    test('a bad agent name is rejected with a clear error and stores nothing', withStore(async ({ store }) => {
      const bad = ['', ' bob', 'bob ', '-bob', '.bob', '_bob', 'bob smith', 'bob/x', 'bob\n', 'bób', 'a'.repeat(129), 'x'.repeat(10_240), 'b\u0000'];
      for (const agent of bad) {
        await assert.rejects(store.create(agent, T0), /invalid agent name/, JSON.stringify(agent).slice(0, 40));
      }
      assert.deepEqual(await store.list(), []);
      for (const agent of ['a'.repeat(128), 'bot@example.com', 'A.b_c-d', '7']) {
        assert.equal((await store.create(agent, T0)).key.agent, agent);
      }
    }));
  });
}
