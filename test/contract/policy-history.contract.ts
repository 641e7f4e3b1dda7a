import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PolicyHistory, PolicyRevision } from '../../src/ports.js';
import { withHarness } from './support.js';

export interface PolicyHistoryHarness {
  readonly store: PolicyHistory;
  /** A new store instance on the same file or database, as after a restart (or another replica). */
  reopen(): Promise<PolicyHistory>;
  /** Closes every store the harness opened and removes what the test stored. */
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;

export function revision(n: number, extra: Partial<Omit<PolicyRevision, 'id'>> = {}): Omit<PolicyRevision, 'id'> {
  return { version: `v${n}`, text: `version: 1\nrules: []  # ${n}\n`, savedAt: T0 + n, savedBy: 'admin', note: null, ...extra };
}

const ids = (revisions: readonly PolicyRevision[]): number[] => revisions.map((r) => r.id);
const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** Appends `count` revisions one after another. */
async function appendMany(store: PolicyHistory, count: number): Promise<void> {
  for (let n = 1; n <= count; n++) await store.append(revision(n));
}

export function policyHistoryContract(name: string, makeStore: () => Promise<PolicyHistoryHarness>): void {
  const withStore = withHarness(makeStore);

  describe(`PolicyHistory contract: ${name}`, () => {
    test('empty: nothing listed, no latest, no revision 1', withStore(async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.latest(), undefined);
      assert.equal(await store.get(1), undefined);
    }));

    test('append numbers revisions 1, 2, 3 and stores them exactly', withStore(async ({ store }) => {
      const text = 'version: 1\nrules:\n  - name: "déjà vu — 東京 😀"\n    deny: { tool: "*" }\n\n\ttrailing  \n';
      const saved = [
        await store.append(revision(1, { text, note: 'first, with a "note"' })),
        await store.append(revision(2, { savedBy: 'bot@example.com' })),
        await store.append(revision(3, { note: '' })),
      ];
      assert.deepEqual(saved[0], { id: 1, version: 'v1', text, savedAt: T0 + 1, savedBy: 'admin', note: 'first, with a "note"' });
      assert.deepEqual(ids(saved), [1, 2, 3]);
      assert.deepEqual([saved[1]?.note, saved[2]?.note], [null, ''], 'null and empty notes are told apart');
      for (const r of saved) assert.deepEqual(await store.get(r.id), r);
    }));

    test('list is newest first; latest is the newest', withStore(async ({ store }) => {
      await appendMany(store, 5);
      assert.deepEqual(ids(await store.list()), [5, 4, 3, 2, 1]);
      assert.deepEqual(await store.latest(), { id: 5, ...revision(5) });
      assert.deepEqual(ids(await store.list(2)), [5, 4]);
    }));

    test('ids that name no revision find nothing', withStore(async ({ store }) => {
      await appendMany(store, 2);
      for (const id of [0, -1, 3, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_VALUE]) assert.equal(await store.get(id), undefined, String(id));
    }));

    test('list: 100 by default, the limit clamped to [1, 1000]', { timeout: 60_000 }, withStore(async ({ store }) => {
      await appendMany(store, 1_005);
      assert.deepEqual(ids(await store.list()), range(1_005, 906, -1), 'default 100');
      assert.deepEqual(ids(await store.list(Number.NaN)), range(1_005, 906, -1), 'NaN: the default');
      assert.equal((await store.list(5_000)).length, 1_000);
      assert.equal((await store.list(Infinity)).length, 1_000);
      assert.equal(ids(await store.list(1_000)).at(-1), 6);
      for (const small of [0, -3, -Infinity, 0.5]) assert.deepEqual(ids(await store.list(small)), [1_005], String(small));
      assert.deepEqual(ids(await store.list(2.9)), [1_005, 1_004], 'fractions round down');
    }));

    test('data survives a restart, and numbering continues', withStore(async (h) => {
      await appendMany(h.store, 3);
      const before = await h.store.list();
      await h.store.close();
      const again = await h.reopen();
      assert.deepEqual(await again.list(), before);
      assert.equal((await again.append(revision(4))).id, 4);
      assert.deepEqual(ids(await again.list()), [4, 3, 2, 1]);
    }));

    test('two instances appending at once: ids unique and gapless, every revision kept', { timeout: 30_000 }, withStore(async (h) => {
      const instances = [h.store, await h.reopen()];
      const perInstance = 40;
      const saved = (
        await Promise.all(
          instances.map((store, s) => Promise.all(range(1, perInstance).map((n) => store.append(revision(n, { savedBy: `replica-${s}` }))))),
        )
      ).flat();
      assert.deepEqual(ids(saved).sort((a, b) => a - b), range(1, 2 * perInstance));
      const listed = await h.store.list();
      assert.deepEqual(ids(listed), range(2 * perInstance, 1, -1));
      const byId = new Map(listed.map((r) => [r.id, r]));
      for (const r of saved) assert.deepEqual(byId.get(r.id), r, 'what append returned is what was stored');
    }));
  });
}
