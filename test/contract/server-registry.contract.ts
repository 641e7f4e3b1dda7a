import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServerRegistry } from '../../src/ports.js';
import { withHarness } from './support.js';

export interface ServerRegistryHarness {
  readonly store: ServerRegistry;
  /** A new store instance on the same file or database, as after a restart (or another replica). */
  reopen(): Promise<ServerRegistry>;
  /** Closes every store the harness opened and removes what the test stored. */
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;

/** A config with every kind of JSON value, nested, as the admin API would store one. */
export const NESTED_CONFIG = {
  transport: 'stdio',
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/data dir', ''],
  env: { TOKEN: '${GITHUB_TOKEN}', EMPTY: '', QUOTE: 'it\'s "quoted" \\ back', UNICODE: 'zürich — 東京 😀' },
  timeouts: { connectMs: 5_000, callMs: 30_000.5, retries: 0, negative: -1, big: 9_007_199_254_740_991 },
  tools: { allow: ['read_*'], deny: [], nested: { deeper: { deepest: [{ a: 1 }, [true, false, null]] } } },
  enabled: true,
  disabled: false,
  description: null,
  empty: {},
} satisfies Record<string, unknown>;

export function serverRegistryContract(name: string, makeStore: () => Promise<ServerRegistryHarness>): void {
  const withStore = withHarness(makeStore);

  describe(`ServerRegistry contract: ${name}`, () => {
    test('empty: list is empty, get and remove find nothing', withStore(async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('files'), undefined);
      assert.equal(await store.remove('files'), false);
    }));

    test('put stores a nested config that comes back equal from put, get and list', withStore(async ({ store }) => {
      const expected = { name: 'files', config: NESTED_CONFIG, createdAt: T0, updatedAt: T0 };
      assert.deepEqual(await store.put('files', NESTED_CONFIG, T0), expected);
      assert.deepEqual(await store.get('files'), expected);
      assert.deepEqual(await store.list(), [expected]);
    }));

    test('put on a known name replaces the config, keeps createdAt and moves updatedAt', withStore(async ({ store }) => {
      await store.put('files', NESTED_CONFIG, T0);
      await store.put('other', { url: 'https://other.example/mcp' }, T0 + 1);
      const replacement = { url: 'https://files.example/mcp', headers: { authorization: 'Bearer ${FILES_TOKEN}' } };
      const expected = { name: 'files', config: replacement, createdAt: T0, updatedAt: T0 + 5_000 };
      assert.deepEqual(await store.put('files', replacement, T0 + 5_000), expected, 'replaced, not merged');
      assert.deepEqual(await store.get('files'), expected);
      assert.deepEqual((await store.list()).map((s) => [s.name, s.createdAt, s.updatedAt]), [['files', T0, T0 + 5_000], ['other', T0 + 1, T0 + 1]]);
    }));

    test('remove deletes one server, once; unknown names are not removed', withStore(async ({ store }) => {
      await store.put('files', { command: 'a' }, T0);
      await store.put('web', { command: 'b' }, T0);
      assert.equal(await store.remove('nope'), false);
      assert.equal(await store.remove('FILES'), false, 'names are case-sensitive');
      assert.equal(await store.remove('files'), true);
      assert.equal(await store.remove('files'), false, 'removing again');
      assert.equal(await store.get('files'), undefined);
      assert.deepEqual((await store.list()).map((s) => s.name), ['web']);
      const again = await store.put('files', { command: 'c' }, T0 + 9);
      assert.deepEqual([again.createdAt, again.updatedAt], [T0 + 9, T0 + 9], 'a removed name comes back as new');
    }));

    test('list is ordered by name, by code point', withStore(async ({ store }) => {
      const names = ['zeta', 'alpha', 'Beta', '9lives', 'alpha-2', 'alpha_2', 'a'];
      for (const [i, n] of names.entries()) await store.put(n, { i }, T0 + i);
      assert.deepEqual((await store.list()).map((s) => s.name), ['9lives', 'Beta', 'a', 'alpha', 'alpha-2', 'alpha_2', 'zeta']);
    }));

    test('a config that is not an object is refused and nothing is stored', withStore(async ({ store }) => {
      for (const bad of [null, undefined, [], ['a'], 'text', 42]) {
        await assert.rejects(store.put('bad', bad as unknown as Record<string, unknown>, T0), /must be an object/, JSON.stringify(bad));
      }
      assert.deepEqual(await store.list(), []);
    }));

    test('data survives a restart; another instance sees puts and removes at once', withStore(async (h) => {
      await h.store.put('files', NESTED_CONFIG, T0);
      await h.store.put('web', { url: 'https://web.example' }, T0 + 1);
      await h.store.put('web', { url: 'https://web2.example' }, T0 + 2);
      const before = await h.store.list();
      await h.store.close();
      const again = await h.reopen();
      assert.deepEqual(await again.list(), before);
      const replica = await h.reopen();
      assert.equal(await replica.remove('files'), true);
      await replica.put('new', { command: 'x' }, T0 + 3);
      assert.deepEqual((await again.list()).map((s) => s.name), ['new', 'web']);
      assert.equal(await again.remove('files'), false);
    }));
  });
}
