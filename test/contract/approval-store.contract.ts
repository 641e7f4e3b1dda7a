import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApprovalRequest, ApprovalStore, Clock } from '../../src/ports.js';
import { withHarness } from './support.js';

/** The clock every store in a harness reads; tests move it by assigning `t`. */
export class FakeClock implements Clock {
  constructor(public t = T0) {}
  now(): number {
    return this.t;
  }
}

export interface ApprovalStoreHarness {
  readonly store: ApprovalStore;
  readonly clock: FakeClock;
  /**
   * Another store instance on the same file or database, as after a restart or in another replica; the ones already
   * open stay open. Absent for stores that keep nothing beyond themselves.
   */
  reopen?(): Promise<ApprovalStore>;
  /** Resolves once `store` hears decisions, for stores whose notifications arrive asynchronously. */
  listening?(store: ApprovalStore): Promise<void>;
  /** Closes every store the harness opened and removes what the test stored. */
  cleanup(): Promise<void>;
}

export const T0 = 1_700_000_000_000;
const TTL = 60_000;

type NewRequest = Parameters<ApprovalStore['create']>[0];

export function request(id: string, extra: Partial<NewRequest> = {}): NewRequest {
  return {
    id,
    agent: 'agent-a',
    session: 'session-1',
    tool: 'files__delete',
    argsHash: 'args-1',
    policyVersion: 'policy-1',
    rule: 'approve-deletes',
    reason: 'deletes need a person',
    args: { path: '/tmp/x', recursive: true },
    createdAt: T0,
    expiresAt: T0 + TTL,
    ...extra,
  };
}

const CALL = { agent: 'agent-a', tool: 'files__delete', argsHash: 'args-1', policyVersion: 'policy-1' };

const ids = (requests: readonly ApprovalRequest[]): string[] => requests.map((r) => r.id);

/** The next request `store` announces as decided; rejects if none comes, so a missing notification fails, not hangs. */
function nextDecided(store: ApprovalStore, guardMs = 5_000): Promise<ApprovalRequest> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('no onDecided notification'));
    }, guardMs);
    const unsubscribe = store.onDecided((r) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(r);
    });
  });
}

export function approvalStoreContract(name: string, makeStore: () => Promise<ApprovalStoreHarness>): void {
  const withStore = withHarness(makeStore);

  describe(`ApprovalStore contract: ${name}`, () => {
    test('create stores a pending request and returns it; get finds it, unknown ids are undefined', withStore(async ({ store }) => {
      const created = await store.create(request('r1'));
      const expected: ApprovalRequest = { ...request('r1'), status: 'pending', decidedBy: null, note: null, decidedAt: null };
      assert.deepEqual(created, expected);
      assert.deepEqual(await store.get('r1'), expected);
      assert.equal(await store.get('nope'), undefined);
    }));

    test('an id already taken is refused and the first request kept', withStore(async ({ store }) => {
      await store.create(request('r1'));
      await assert.rejects(store.create(request('r1', { agent: 'intruder' })));
      assert.equal((await store.get('r1'))?.agent, 'agent-a');
    }));

    test('args round-trip as JSON: nested, unicode, absent', withStore(async ({ store }) => {
      const args = { path: 'Café ☕/日本語/👩‍👩‍👧', list: [1, 'two', null, { deep: [true, false] }], quote: `"' \\ \n` };
      await store.create(request('a', { args }));
      await store.create(request('b', { args: undefined }));
      assert.deepEqual((await store.get('a'))?.args, args);
      assert.equal((await store.get('b'))?.args, null);
    }));

    test('list orders by createdAt then id, and filters by status', withStore(async ({ store, clock }) => {
      await store.create(request('b', { createdAt: T0 + 1 }));
      await store.create(request('z', { createdAt: T0 }));
      await store.create(request('a', { createdAt: T0 + 1 }));
      await store.create(request('c', { createdAt: T0 + 2, expiresAt: T0 + 10 }));
      assert.deepEqual(ids(await store.list()), ['z', 'a', 'b', 'c']);
      await store.decide('a', { approve: true, by: 'alice' }, T0 + 5);
      await store.decide('b', { approve: false, by: 'bob' }, T0 + 5);
      clock.t = T0 + 10;
      assert.deepEqual(ids(await store.list({ status: 'pending' })), ['z']);
      assert.deepEqual(ids(await store.list({ status: 'approved' })), ['a']);
      assert.deepEqual(ids(await store.list({ status: 'denied' })), ['b']);
      assert.deepEqual(ids(await store.list({ status: 'expired' })), ['c']);
      assert.deepEqual(await store.list({ status: 'used' }), []);
      assert.deepEqual((await store.list()).map((r) => [r.id, r.status]), [['z', 'pending'], ['a', 'approved'], ['b', 'denied'], ['c', 'expired']]);
    }));

    test('decide approves once: the decision is recorded and a second decide gets undefined', withStore(async ({ store }) => {
      await store.create(request('r1'));
      const decided = await store.decide('r1', { approve: true, by: 'alice', note: 'looks fine' }, T0 + 100);
      const expected: ApprovalRequest = { ...request('r1'), status: 'approved', decidedBy: 'alice', note: 'looks fine', decidedAt: T0 + 100 };
      assert.deepEqual(decided, expected);
      assert.deepEqual(await store.get('r1'), expected);
      assert.equal(await store.decide('r1', { approve: false, by: 'mallory' }, T0 + 200), undefined);
      assert.deepEqual(await store.get('r1'), expected, 'the first decision stands');
    }));

    test('decide denies; without a note the note is null; unknown ids get undefined', withStore(async ({ store }) => {
      await store.create(request('r1'));
      const denied = await store.decide('r1', { approve: false, by: 'bob' }, T0 + 1);
      assert.deepEqual(denied && [denied.status, denied.decidedBy, denied.note, denied.decidedAt], ['denied', 'bob', null, T0 + 1]);
      assert.equal(await store.decide('r1', { approve: true, by: 'bob' }, T0 + 2), undefined);
      assert.equal(await store.decide('nope', { approve: true, by: 'bob' }, T0 + 2), undefined);
    }));

    test('an expired request lists as expired and can be neither decided nor consumed', withStore(async ({ store, clock }) => {
      await store.create(request('r1'));
      await store.create(request('r2'));
      clock.t = T0 + TTL - 1;
      assert.equal((await store.get('r1'))?.status, 'pending');
      // Expiry is inclusive: at expiresAt the request is over.
      clock.t = T0 + TTL;
      assert.equal((await store.get('r1'))?.status, 'expired');
      assert.deepEqual(ids(await store.list({ status: 'expired' })), ['r1', 'r2']);
      assert.deepEqual(await store.list({ status: 'pending' }), []);
      assert.equal(await store.decide('r1', { approve: true, by: 'alice' }, T0 + TTL), undefined);
      assert.equal(await store.decide('r1', { approve: true, by: 'alice' }, T0 + TTL + 1), undefined);
      assert.equal((await store.get('r1'))?.status, 'expired');
      // Approved just in time, then used too late.
      assert.ok(await store.decide('r2', { approve: true, by: 'alice' }, T0 + TTL - 1));
      assert.equal(await store.consume(CALL, T0 + TTL), undefined);
      assert.equal((await store.get('r2'))?.status, 'approved', 'not used by the failed consume');
    }));

    test('decide uses the time it is given, not the store clock', withStore(async ({ store, clock }) => {
      await store.create(request('r1'));
      clock.t = T0 + TTL + 1;
      assert.equal((await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1))?.status, 'approved');
    }));

    test('consume uses an approved request exactly once', withStore(async ({ store }) => {
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice', note: 'ok' }, T0 + 1);
      const used = await store.consume(CALL, T0 + 2);
      assert.deepEqual(used, { ...request('r1'), status: 'used', decidedBy: 'alice', note: 'ok', decidedAt: T0 + 1 });
      assert.equal(await store.consume(CALL, T0 + 3), undefined);
      assert.equal((await store.get('r1'))?.status, 'used');
      assert.deepEqual(ids(await store.list({ status: 'used' })), ['r1']);
      assert.equal(await store.decide('r1', { approve: true, by: 'alice' }, T0 + 4), undefined, 'a used request cannot be decided again');
    }));

    test('consume requires the exact agent, tool, argsHash and policyVersion', withStore(async ({ store }) => {
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      for (const field of ['agent', 'tool', 'argsHash', 'policyVersion'] as const) {
        assert.equal(await store.consume({ ...CALL, [field]: `${CALL[field]}-other` }, T0 + 2), undefined, field);
        assert.equal(await store.consume({ ...CALL, [field]: '' }, T0 + 2), undefined, `${field} empty`);
      }
      // Fields that run together the same way must not match either.
      assert.equal(await store.consume({ ...CALL, agent: 'agent-a|files__delete', tool: '' }, T0 + 2), undefined);
      assert.equal((await store.get('r1'))?.status, 'approved');
      assert.equal((await store.consume(CALL, T0 + 2))?.id, 'r1');
    }));

    test('pending and denied requests cannot be consumed', withStore(async ({ store }) => {
      await store.create(request('pending'));
      assert.equal(await store.consume(CALL, T0 + 1), undefined);
      await store.decide('pending', { approve: false, by: 'bob' }, T0 + 2);
      assert.equal(await store.consume(CALL, T0 + 3), undefined);
      assert.equal((await store.get('pending'))?.status, 'denied');
    }));

    test('several approvals for one call are used one per consume, oldest first', withStore(async ({ store }) => {
      await store.create(request('late', { createdAt: T0 + 2 }));
      await store.create(request('early', { createdAt: T0 + 1 }));
      await store.create(request('denied', { createdAt: T0 }));
      await store.create(request('other-call', { argsHash: 'args-2' }));
      for (const id of ['late', 'early', 'other-call']) await store.decide(id, { approve: true, by: 'alice' }, T0 + 3);
      await store.decide('denied', { approve: false, by: 'alice' }, T0 + 3);
      assert.equal((await store.consume(CALL, T0 + 4))?.id, 'early');
      assert.equal((await store.consume(CALL, T0 + 4))?.id, 'late');
      assert.equal(await store.consume(CALL, T0 + 4), undefined);
      assert.equal((await store.consume({ ...CALL, argsHash: 'args-2' }, T0 + 4))?.id, 'other-call');
    }));

    test('onDecided hears each decision with the decided request; unsubscribe stops it', withStore(async (h) => {
      const { store } = h;
      const heard: ApprovalRequest[] = [];
      const unsubscribe = store.onDecided((r) => heard.push(r));
      // A listener that throws must not break decide nor keep the others from hearing.
      const unsubscribeThrower = store.onDecided(() => {
        throw new Error('listener bug');
      });
      await h.listening?.(store);
      await store.create(request('r1'));
      await store.create(request('r2'));
      await store.create(request('r3'));

      const first = nextDecided(store);
      assert.ok(await store.decide('r1', { approve: true, by: 'alice', note: 'n' }, T0 + 1));
      const r1 = await first;
      assert.deepEqual([r1.id, r1.status, r1.decidedBy, r1.note, r1.decidedAt], ['r1', 'approved', 'alice', 'n', T0 + 1]);

      const second = nextDecided(store);
      await store.decide('r2', { approve: false, by: 'bob' }, T0 + 2);
      assert.equal((await second).status, 'denied');
      assert.deepEqual(heard.map((r) => [r.id, r.status]), [['r1', 'approved'], ['r2', 'denied']]);

      unsubscribe();
      unsubscribeThrower();
      // nextDecided's own listener proves the decision was announced; the unsubscribed one must not have heard it.
      const third = nextDecided(store);
      await store.decide('r3', { approve: true, by: 'carol' }, T0 + 3);
      assert.equal((await third).id, 'r3');
      assert.deepEqual(ids(heard), ['r1', 'r2']);
    }));

    test('a decide that changes nothing announces nothing', withStore(async (h) => {
      const { store } = h;
      const heard: string[] = [];
      store.onDecided((r) => heard.push(r.id));
      await h.listening?.(store);
      await store.create(request('r1'));
      await store.create(request('r2'));
      const first = nextDecided(store);
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      await first;
      assert.equal(await store.decide('r1', { approve: true, by: 'alice' }, T0 + 2), undefined);
      assert.equal(await store.decide('nope', { approve: true, by: 'alice' }, T0 + 2), undefined);
      // Announcements arrive in order, so once r2's is heard, any for the failed decides would have been too.
      const second = nextDecided(store);
      await store.decide('r2', { approve: true, by: 'alice' }, T0 + 3);
      await second;
      assert.deepEqual(heard, ['r1', 'r2']);
    }));

    test('20 concurrent decides: exactly one wins', withStore(async ({ store }) => {
      await store.create(request('r1'));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.decide('r1', { approve: i % 2 === 0, by: `approver-${i}` }, T0 + 1)),
      );
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      const stored = await store.get('r1');
      assert.equal(stored?.decidedBy, winners[0]?.decidedBy);
      assert.equal(stored?.status, winners[0]?.status);
    }));

    test('20 concurrent consumes: exactly one wins', withStore(async ({ store }) => {
      await store.create(request('r1'));
      await store.decide('r1', { approve: true, by: 'alice' }, T0 + 1);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(CALL, T0 + 2)));
      assert.deepEqual(results.filter((r) => r !== undefined).map((r) => [r.id, r.status]), [['r1', 'used']]);
    }));

    test('a closed store rejects', withStore(async ({ store }) => {
      await store.close();
      await assert.rejects(store.create(request('r1')));
      await assert.rejects(store.consume(CALL, T0));
    }));

    test('state survives a restart (a new store on the same storage)', withStore(async (h) => {
      if (!h.reopen) return;
      await h.store.create(request('pending'));
      await h.store.create(request('approved', { argsHash: 'args-approved' }));
      await h.store.create(request('used', { argsHash: 'args-used' }));
      await h.store.decide('approved', { approve: true, by: 'alice', note: 'ok' }, T0 + 1);
      await h.store.decide('used', { approve: true, by: 'alice' }, T0 + 1);
      await h.store.consume({ ...CALL, argsHash: 'args-used' }, T0 + 2);
      const before = await h.store.list();
      await h.store.close();

      const again = await h.reopen();
      assert.deepEqual(await again.list(), before);
      assert.equal((await again.get('pending'))?.status, 'pending');
      assert.equal((await again.consume({ ...CALL, argsHash: 'args-used' }, T0 + 3)), undefined, 'used stays used');
      assert.equal((await again.consume({ ...CALL, argsHash: 'args-approved' }, T0 + 3))?.id, 'approved');
      assert.equal((await again.decide('pending', { approve: true, by: 'bob' }, T0 + 4))?.status, 'approved');
      assert.equal((await again.consume(CALL, T0 + 5))?.id, 'pending');
    }));

    test('two store instances on one storage: concurrent decides and consumes have exactly one winner', withStore(async (h) => {
      if (!h.reopen) return;
      const other = await h.reopen();
      const stores = [h.store, other];
      await h.store.create(request('r1'));
      const decided = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]?.decide('r1', { approve: true, by: `a${i}` }, T0 + 1)));
      assert.equal(decided.filter((r) => r !== undefined).length, 1);
      const used = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]?.consume(CALL, T0 + 2)));
      assert.equal(used.filter((r) => r !== undefined).length, 1);
      assert.equal((await other.get('r1'))?.status, 'used');
    }));
  });
}
