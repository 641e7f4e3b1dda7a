/**
 * One suite every AuditSink must pass (style.md: one contract suite for every store adapter).
 * A store's test file calls `auditSinkContract(name, makeFixture)`; each test gets a fresh, empty database.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, hashRecord } from '../../src/core/audit/chain.js';
import type { AuditEntry, AuditRecord } from '../../src/core/audit/record.js';
import type { AuditSink } from '../../src/core/audit/sink.js';

/** Changes the database behind the sink's back, the way someone with write access to it could. */
export interface AuditTamper {
  /** Sets one column of row `seq`; `field` is the record's property name. */
  editRow(seq: number, field: keyof AuditRecord, value: string | number | null): Promise<void>;
  deleteRow(seq: number): Promise<void>;
  /** Swaps everything but seq between two rows: the records trade places. */
  swapRows(a: number, b: number): Promise<void>;
}

export interface AuditSinkFixture {
  /** A new sink with its own connection(s) to this fixture's database. */
  open(): Promise<AuditSink>;
  tamper: AuditTamper;
  /** Closes what the fixture opened and removes the database. */
  dispose(): Promise<void>;
}

/** Property name → column name, as both SQL stores lay out their table. */
export const AUDIT_COLUMN: Record<keyof AuditRecord, string> = {
  seq: 'seq',
  time: 'time_ms',
  agent: 'agent',
  session: 'session',
  server: 'server',
  tool: 'tool',
  decision: 'decision',
  rule: 'rule',
  reason: 'reason',
  argsHash: 'args_hash',
  args: 'args',
  latencyMs: 'latency_ms',
  outcome: 'outcome',
  policyVersion: 'policy_version',
  prevHash: 'prev_hash',
  hash: 'hash',
};

/** Columns a swap exchanges: all but the key. */
export const SWAPPED_COLUMNS = Object.values(AUDIT_COLUMN).filter((c) => c !== 'seq');

const T0 = 1_700_000_000_000;

export function auditEntry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  const decisions = ['allow', 'deny', 'limit', 'hold', 'approved', 'rejected', 'error'] as const;
  return {
    time: T0 + i * 1000,
    agent: `agent-${i % 3}`,
    session: `session-${i % 2}`,
    server: i % 4 === 0 ? null : 'github',
    tool: `tool_${i % 5}`,
    decision: decisions[i % decisions.length] ?? 'allow',
    rule: i % 2 === 0 ? null : `tools["tool_${i % 5}"]`,
    reason: i % 2 === 0 ? null : 'matched rule',
    argsHash: (i % 16).toString(16).repeat(64),
    args: { path: '<string:4>', i: String(i), nested: { ok: true, list: [1, 'two', null] } },
    latencyMs: i % 3 === 0 ? null : 0.125 + i,
    outcome: i % 2 === 0 ? 'ok' : null,
    policyVersion: i % 5 === 0 ? null : 'v3',
    ...over,
  };
}

function entries(from: number, count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, k) => auditEntry(from + k));
}

function entryOf(r: AuditRecord): AuditEntry {
  const { seq: _seq, prevHash: _prev, hash: _hash, ...rest } = r;
  return rest;
}

function problem(v: Awaited<ReturnType<AuditSink['verify']>>): unknown {
  return v.ok ? v : { seq: v.seq, problem: v.problem };
}

export function auditSinkContract(name: string, makeFixture: () => Promise<AuditSinkFixture>): void {
  describe(`AuditSink contract: ${name}`, () => {
    /** Runs `body` with a fresh fixture and one open sink; always disposes. */
    const withSink = async (body: (sink: AuditSink, fx: AuditSinkFixture) => Promise<void>): Promise<void> => {
      const fx = await makeFixture();
      const sink = await fx.open();
      try {
        await body(sink, fx);
      } finally {
        await sink.close();
        await fx.dispose();
      }
    };

    test('an empty trail queries empty and verifies', () =>
      withSink(async (sink) => {
        assert.deepEqual(await sink.query({}), []);
        assert.deepEqual(await sink.verify(), { ok: true, count: 0 });
        await sink.append([]);
        assert.deepEqual(await sink.query({}), []);
      }));

    test('append round-trips every field and chains from GENESIS with seq 1, 2, 3, …', () =>
      withSink(async (sink) => {
        const written = entries(0, 12);
        await sink.append(written.slice(0, 5));
        await sink.append(written.slice(5));
        const got = await sink.query({});
        assert.deepEqual(
          got.map((r) => r.seq),
          Array.from({ length: 12 }, (_, i) => i + 1),
        );
        assert.deepEqual(got.map(entryOf), written);
        assert.equal(got[0]?.prevHash, GENESIS_HASH);
        for (let i = 1; i < got.length; i++) assert.equal(got[i]?.prevHash, got[i - 1]?.hash);
        for (const r of got) assert.equal(r.hash, hashRecord(r.prevHash, r.seq, r));
        assert.deepEqual(await sink.verify(), { ok: true, count: 12 });
      }));

    test('text the databases cannot hold as is (NUL, lone surrogates, quotes, unicode) still verifies', () =>
      withSink(async (sink) => {
        await sink.append([
          auditEntry(1, { agent: 'a\u0000b', tool: 'x\uD800', reason: `it's "quoted" \\ {braces} ,comma 😀`, args: { 'k,"\\': 'v\u0000\uDC00' } }),
          auditEntry(2, { args: { big: 1e21, small: 5e-324, neg: -0, unicode: 'Grüße' } }),
        ]);
        const [a] = await sink.query({});
        assert.equal(a?.agent, 'a\uFFFDb');
        assert.deepEqual(a?.args, { 'k,"\\': 'v\u0000\uDC00' });
        assert.deepEqual(await sink.verify(), { ok: true, count: 2 });
      }));

    test('query filters by agent, tool, decision and time range, ordered by seq', () =>
      withSink(async (sink) => {
        const written = entries(0, 40);
        await sink.append(written);
        const all = await sink.query({});
        const expect = (pred: (e: AuditRecord) => boolean): number[] => all.filter(pred).map((r) => r.seq);
        const seqs = (rs: AuditRecord[]): number[] => rs.map((r) => r.seq);

        assert.deepEqual(seqs(await sink.query({ agent: 'agent-1' })), expect((r) => r.agent === 'agent-1'));
        assert.deepEqual(seqs(await sink.query({ tool: 'tool_2' })), expect((r) => r.tool === 'tool_2'));
        assert.deepEqual(seqs(await sink.query({ decision: 'deny' })), expect((r) => r.decision === 'deny'));
        const since = T0 + 10_000;
        const until = T0 + 20_000;
        assert.deepEqual(seqs(await sink.query({ since })), expect((r) => r.time >= since));
        assert.deepEqual(seqs(await sink.query({ until })), expect((r) => r.time < until));
        assert.deepEqual(seqs(await sink.query({ since, until })), expect((r) => r.time >= since && r.time < until), 'since inclusive, until exclusive');
        assert.deepEqual(
          seqs(await sink.query({ agent: 'agent-0', tool: 'tool_0', since })),
          expect((r) => r.agent === 'agent-0' && r.tool === 'tool_0' && r.time >= since),
        );
        assert.deepEqual(await sink.query({ agent: 'nobody' }), []);
      }));

    test('query pages with limit and afterSeq', () =>
      withSink(async (sink) => {
        await sink.append(entries(0, 25));
        assert.deepEqual(
          (await sink.query({ limit: 10 })).map((r) => r.seq),
          [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        );
        assert.deepEqual(
          (await sink.query({ afterSeq: 20 })).map((r) => r.seq),
          [21, 22, 23, 24, 25],
        );
        assert.deepEqual(
          (await sink.query({ afterSeq: 10, limit: 3 })).map((r) => r.seq),
          [11, 12, 13],
        );
        assert.deepEqual(await sink.query({ limit: 0 }), []);
        const pages: number[] = [];
        for (let after = 0; ; ) {
          const page = await sink.query({ afterSeq: after, limit: 7, agent: 'agent-2' });
          if (page.length === 0) break;
          pages.push(...page.map((r) => r.seq));
          after = page.at(-1)?.seq ?? after;
        }
        assert.deepEqual(pages, (await sink.query({ agent: 'agent-2' })).map((r) => r.seq));
      }));

    test('a large batch is written atomically in one append and verifies', () =>
      withSink(async (sink) => {
        await sink.append(entries(0, 2_500));
        await sink.append(entries(2_500, 1));
        assert.deepEqual(await sink.verify(), { ok: true, count: 2_501 });
        assert.equal((await sink.query({ afterSeq: 2_500 }))[0]?.seq, 2_501);
      }));

    test('a batch with a malformed entry writes nothing', () =>
      withSink(async (sink) => {
        await sink.append(entries(0, 3));
        await assert.rejects(sink.append([auditEntry(3), auditEntry(4, { time: Number.NaN })]), TypeError);
        assert.equal((await sink.query({})).length, 3);
        await sink.append(entries(5, 1));
        assert.deepEqual(await sink.verify(), { ok: true, count: 4 });
      }));

    test('a reopened sink continues the same chain', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 3));
        await sink.close();
        const again = await fx.open();
        try {
          await again.append(entries(3, 3));
          assert.deepEqual(
            (await again.query({})).map((r) => r.seq),
            [1, 2, 3, 4, 5, 6],
          );
          assert.deepEqual(await again.verify(), { ok: true, count: 6 });
        } finally {
          await again.close();
        }
      }));

    test('verify detects an edited row', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 10));
        await fx.tamper.editRow(4, 'decision', 'allow');
        assert.deepEqual(problem(await sink.verify()), { seq: 4, problem: 'edited' });
      }));

    test('verify detects edited arguments and an edited time', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 10));
        await fx.tamper.editRow(7, 'args', '{"path":"<string:4>"}');
        assert.deepEqual(problem(await sink.verify()), { seq: 7, problem: 'edited' });
        await fx.tamper.editRow(2, 'time', T0 + 99);
        assert.deepEqual(problem(await sink.verify()), { seq: 2, problem: 'edited' });
      }));

    test('verify detects a deleted row (middle and first)', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 10));
        await fx.tamper.deleteRow(6);
        assert.deepEqual(problem(await sink.verify()), { seq: 6, problem: 'missing' });
        await fx.tamper.deleteRow(1);
        assert.deepEqual(problem(await sink.verify()), { seq: 1, problem: 'missing' });
      }));

    test('verify detects reordered rows (adjacent and distant)', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 10));
        await fx.tamper.swapRows(3, 8);
        assert.deepEqual(problem(await sink.verify()), { seq: 3, problem: 'reordered' });
        await fx.tamper.swapRows(3, 8);
        assert.deepEqual(await sink.verify(), { ok: true, count: 10 }, 'swapping back restores the chain');
        await fx.tamper.swapRows(5, 6);
        assert.deepEqual(problem(await sink.verify()), { seq: 5, problem: 'reordered' });
      }));

    test('verify detects an edit whose hash was recomputed (the link to the next row breaks)', () =>
      withSink(async (sink, fx) => {
        await sink.append(entries(0, 10));
        const row = (await sink.query({ afterSeq: 4, limit: 1 }))[0] as AuditRecord;
        const forged = { ...row, decision: 'allow' as const, reason: null };
        await fx.tamper.editRow(5, 'decision', 'allow');
        await fx.tamper.editRow(5, 'reason', null);
        await fx.tamper.editRow(5, 'hash', hashRecord(forged.prevHash, forged.seq, forged));
        assert.deepEqual(problem(await sink.verify()), { seq: 6, problem: 'broken-link' });
      }));

    test('concurrent appends from two sinks on one database form a single valid chain', () =>
      withSink(async (first, fx) => {
        const second = await fx.open();
        try {
          const rounds = 25;
          const work: Promise<void>[] = [];
          for (let r = 0; r < rounds; r++) {
            work.push(first.append(entries(r * 10, 5)));
            work.push(second.append(entries(r * 10 + 5, 5)));
          }
          await Promise.all(work);
          const all = await first.query({ limit: 10_000 });
          assert.deepEqual(
            all.map((r) => r.seq),
            Array.from({ length: rounds * 10 }, (_, i) => i + 1),
          );
          assert.deepEqual(await first.verify(), { ok: true, count: rounds * 10 });
          assert.deepEqual(await second.verify(), { ok: true, count: rounds * 10 });
          // Each batch stayed contiguous: an append is one transaction.
          for (let i = 0; i < all.length; i += 5) {
            const batch = all.slice(i, i + 5).map((r) => Number((r.args as { i: string }).i));
            assert.deepEqual(
              batch,
              batch.map((_, k) => (batch[0] as number) + k),
            );
          }
        } finally {
          await second.close();
        }
      }));

    test('append after close rejects', () =>
      withSink(async (sink, fx) => {
        const other = await fx.open();
        await other.close();
        await assert.rejects(other.append(entries(0, 1)));
        assert.deepEqual(await sink.query({}), []);
      }));
  });
}
