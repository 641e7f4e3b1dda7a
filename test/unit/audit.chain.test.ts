import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, chainRecord, GENESIS_HASH, hashRecord, verifyChain } from '../../src/core/audit/chain.js';
import type { AuditEntry, AuditRecord } from '../../src/core/audit/record.js';

function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: 1_700_000_000_000 + i,
    agent: `agent-${i % 3}`,
    session: 's1',
    server: i % 4 === 0 ? null : 'github',
    tool: `tool_${i % 5}`,
    decision: i % 2 === 0 ? 'allow' : 'deny',
    rule: i % 2 === 0 ? null : 'tools["delete_*"]',
    reason: null,
    argsHash: 'ab'.repeat(32),
    args: { path: '<string:4>', nested: { n: '<number>' } },
    latencyMs: i % 3 === 0 ? null : 1.25 * i,
    outcome: i % 2 === 0 ? 'ok' : null,
    policyVersion: 'v1',
    ...over,
  };
}

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) out.push(chainRecord(out.at(-1), entry(i)));
  return out;
}

test('canonicalJson sorts keys at every level and otherwise follows JSON.stringify', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  const odd = { u: undefined, f: () => 1, n: Number.NaN, i: -Infinity, arr: [undefined, () => 1], date: new Date(0), neg: -0, s: 'é\u2028"' };
  const expected = JSON.stringify(Object.fromEntries(Object.entries(odd).sort(([a], [b]) => (a < b ? -1 : 1))));
  assert.equal(canonicalJson(odd), expected);
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson(12n), '"12"');
});

test('canonicalJson is stable through a JSON round trip (what the stores rely on)', () => {
  const values = [{ x: 1e21, y: -0, z: [1.5, 'a\u0000b', '\uD800'], w: { k: true } }, [], {}, 'text', 0.1 + 0.2];
  for (const v of values) {
    const once = canonicalJson(v);
    assert.equal(canonicalJson(JSON.parse(once)), once);
  }
});

test('canonicalJson never throws on cycles or nesting deeper than the stack', () => {
  const a: Record<string, unknown> = { name: 'a' };
  a['self'] = a;
  a['list'] = [a];
  assert.equal(canonicalJson(a), '{"list":["[Circular]"],"name":"a","self":"[Circular]"}');
  const shared = { v: 1 };
  assert.equal(canonicalJson({ x: shared, y: shared }), '{"x":{"v":1},"y":{"v":1}}', 'a repeated (acyclic) object is not a cycle');
  let deep: unknown = 'leaf';
  for (let i = 0; i < 200_000; i++) deep = [deep];
  const text = canonicalJson(deep);
  assert.equal(text.length, 200_000 * 2 + '"leaf"'.length);
});

test('canonicalJson: the deep (iterative) path produces the same text as the fast one', () => {
  const samples: unknown[] = [
    { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } },
    { u: undefined, f: () => 1, n: Number.NaN, arr: [undefined, () => 1, Symbol('s')], date: new Date(0), big: 5n, s: 'é\u0000"\uD800' },
    [],
    {},
    'x',
    -0,
    { toJSON: () => ({ replaced: true }) },
  ];
  for (const v of samples) {
    let wrapped: unknown = v;
    for (let i = 0; i < 250; i++) wrapped = [wrapped];
    const inner = canonicalJson(v);
    assert.equal(canonicalJson(wrapped), '['.repeat(250) + inner + ']'.repeat(250), inner);
  }
});

test('chainRecord starts at seq 1 from GENESIS and links each record to the one before', () => {
  const records = chain(3);
  assert.deepEqual(
    records.map((r) => r.seq),
    [1, 2, 3],
  );
  assert.equal(records[0]?.prevHash, GENESIS_HASH);
  assert.equal(records[1]?.prevHash, records[0]?.hash);
  assert.equal(records[2]?.prevHash, records[1]?.hash);
  assert.match(records[0]?.hash ?? '', /^[0-9a-f]{64}$/);
});

test('the hash format is the documented one: sha256(prevHash \\n canonicalJson(fields) \\n seq)', () => {
  const e = entry(7);
  const r = chainRecord(undefined, e);
  const fields = {
    time: e.time,
    agent: e.agent,
    session: e.session,
    server: e.server,
    tool: e.tool,
    decision: e.decision,
    rule: e.rule,
    reason: e.reason,
    argsHash: e.argsHash,
    args: e.args,
    latencyMs: e.latencyMs,
    outcome: e.outcome,
    policyVersion: e.policyVersion,
  };
  const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonicalJson(fields)}\n1`).digest('hex');
  assert.equal(r.hash, expected);
  assert.equal(hashRecord(GENESIS_HASH, 1, r), expected);
});

test('a value of the wrong type in a tampered row does not hash like the original (text where null was)', () => {
  const r = chainRecord(undefined, entry(3)); // latencyMs null
  assert.equal(r.latencyMs, null);
  const tampered = { ...r, latencyMs: 'abc' as unknown as number };
  assert.notEqual(hashRecord(r.prevHash, r.seq, tampered), r.hash);
  const asText = { ...r, time: String(r.time) as unknown as number };
  assert.notEqual(hashRecord(r.prevHash, r.seq, asText), r.hash);
});

test('chainRecord ignores properties that are not entry fields and key order of args', () => {
  const a = chainRecord(undefined, { ...entry(1), extra: 'x' } as AuditEntry);
  const b = chainRecord(undefined, { ...entry(1), args: { nested: { n: '<number>' }, path: '<string:4>' } });
  assert.equal(a.hash, b.hash);
  assert.equal('extra' in a, false);
});

test('chainRecord replaces characters the databases cannot store, before hashing', () => {
  const r = chainRecord(undefined, entry(1, { agent: 'a\u0000b', tool: 'x\uD800y', reason: 'ok 😀' }));
  assert.equal(r.agent, 'a\uFFFDb');
  assert.equal(r.tool, 'x\uFFFDy');
  assert.equal(r.reason, 'ok 😀', 'valid surrogate pairs are untouched');
  assert.equal(verifyChain([r]).ok, true);
});

test('chainRecord rejects malformed entries with a TypeError', () => {
  const bad: Partial<AuditEntry>[] = [
    { time: 1.5 },
    { time: Number.NaN },
    { decision: 'maybe' as AuditEntry['decision'] },
    { outcome: 'meh' as AuditEntry['outcome'] },
    { latencyMs: Number.POSITIVE_INFINITY },
    { agent: 42 as unknown as string },
    { server: undefined as unknown as null },
  ];
  for (const over of bad) assert.throws(() => chainRecord(undefined, entry(1, over)), TypeError, JSON.stringify(over));
});

test('verifyChain accepts an empty trail and an intact one', () => {
  assert.deepEqual(verifyChain([]), { ok: true, count: 0 });
  assert.deepEqual(verifyChain(chain(50)), { ok: true, count: 50 });
});

test('verifyChain: an edited field is reported as edited at that seq', () => {
  for (const [field, value] of [
    ['decision', 'hold'],
    ['tool', 'other'],
    ['args', { path: '<string:5>', nested: { n: '<number>' } }],
    ['latencyMs', 99],
    ['prevHash', 'f'.repeat(64)],
    ['hash', 'e'.repeat(64)],
  ] as const) {
    const records = chain(10);
    records[4] = { ...(records[4] as AuditRecord), [field]: value };
    const r = verifyChain(records);
    assert.equal(r.ok, false, field);
    assert.ok(!r.ok && r.seq === 5 && r.problem === 'edited', `${field}: ${JSON.stringify(r)}`);
  }
});

test('verifyChain: a deleted row is reported as missing (middle, first, several)', () => {
  const middle = chain(10).filter((r) => r.seq !== 6);
  assert.deepEqual(pick(verifyChain(middle)), { seq: 6, problem: 'missing' });
  const first = chain(10).filter((r) => r.seq !== 1);
  assert.deepEqual(pick(verifyChain(first)), { seq: 1, problem: 'missing' });
  const several = chain(10).filter((r) => r.seq < 3 || r.seq > 5);
  const v = verifyChain(several);
  assert.deepEqual(pick(v), { seq: 3, problem: 'missing' });
  assert.ok(!v.ok && v.detail.includes('3..5'));
});

function pick(v: ReturnType<typeof verifyChain>): unknown {
  return v.ok ? v : { seq: v.seq, problem: v.problem };
}

/** What a row swap in a database does: positions (seq) stay, contents move. */
function swapContents(records: AuditRecord[], a: number, b: number): AuditRecord[] {
  const ra = records[a - 1] as AuditRecord;
  const rb = records[b - 1] as AuditRecord;
  const out = [...records];
  out[a - 1] = { ...rb, seq: a };
  out[b - 1] = { ...ra, seq: b };
  return out;
}

test('verifyChain: swapped rows are reported as reordered (adjacent, distant, first and last)', () => {
  assert.deepEqual(pick(verifyChain(swapContents(chain(10), 4, 5))), { seq: 4, problem: 'reordered' });
  assert.deepEqual(pick(verifyChain(swapContents(chain(10), 2, 9))), { seq: 2, problem: 'reordered' });
  assert.deepEqual(pick(verifyChain(swapContents(chain(10), 1, 10))), { seq: 1, problem: 'reordered' });
});

test('verifyChain: a rotation of three rows is reordered, not edited', () => {
  const r = chain(10);
  const r3 = r[2] as AuditRecord;
  const r4 = r[3] as AuditRecord;
  const r5 = r[4] as AuditRecord;
  const rotated = [...r];
  rotated[2] = { ...r4, seq: 3 };
  rotated[3] = { ...r5, seq: 4 };
  rotated[4] = { ...r3, seq: 5 };
  assert.deepEqual(pick(verifyChain(rotated)), { seq: 3, problem: 'reordered' });
});

test('verifyChain: a stream that skips ahead reports the gap; one that goes back reports reordered', () => {
  const r = chain(5);
  assert.deepEqual(pick(verifyChain([r[0], r[2], r[1], r[3]] as AuditRecord[])), { seq: 2, problem: 'missing' });
  assert.deepEqual(pick(verifyChain([r[0], r[1], r[1], r[2]] as AuditRecord[])), { seq: 2, problem: 'reordered' });
});

test('verifyChain: an edit with a recomputed hash breaks the link to the next record', () => {
  const records = chain(10);
  const target = records[4] as AuditRecord;
  const forged = { ...target, decision: 'hold' as const };
  forged.hash = hashRecord(forged.prevHash, forged.seq, forged);
  records[4] = forged;
  assert.deepEqual(pick(verifyChain(records)), { seq: 6, problem: 'broken-link' });
});

test('verifyChain checks 100k records in one pass', () => {
  // Its speed is measured in bench/audit.bench.ts; a recursive walk would overflow the stack here.
  assert.deepEqual(verifyChain(chain(100_000)), { ok: true, count: 100_000 });
});
