import * as crypto from 'node:crypto';
import { AUDIT_DECISIONS, AUDIT_OUTCOMES, type AuditEntry, type AuditRecord } from './record.js';
import { canonicalJson } from '../canonical-json.js';

export { canonicalJson };

/**
 * Hash chain over audit records. The format is a contract with anything that re-verifies a trail outside this
 * process (`gatehouse audit verify`, an auditor's script), so it is spelled out here:
 *
 *   hash(seq) = sha256_hex( prevHash + "\n" + canonicalJson(entry fields) + "\n" + decimal(seq) )
 *
 * with prevHash = GENESIS_HASH for seq 1, and canonicalJson = JSON with object keys sorted by UTF-16 code units,
 * no whitespace, and JSON.stringify's rules for everything else. seq is inside the hash so a row moved to another
 * position no longer verifies there; prevHash is inside so a deleted or rewritten row breaks the next link.
 *
 * What a chain cannot show on its own: truncation of the newest rows, and a wholesale rewrite of every row after an
 * edit (there is no secret in the hash). Anchoring the head (seq, hash) somewhere else periodically closes both.
 */

export const GENESIS_HASH = '0'.repeat(64);

export type ChainProblem = 'edited' | 'missing' | 'reordered' | 'broken-link';

export type ChainVerification =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly seq: number; readonly problem: ChainProblem; readonly detail: string };

// crypto.hash (Node ≥ 20.12) skips the Hash object and is about twice as fast for record-sized input.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot !== undefined ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}


const MAYBE_BAD_TEXT = /[\u0000\uD800-\uDFFF]/;
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text rejects NUL, and both drivers turn lone surrogates into U+FFFD on the way to UTF-8. Either would
 * make the stored row differ from what was hashed (a false "edited") or poison a batch forever, so such characters
 * are replaced before hashing and the record says what the database can hold.
 */
function storable(text: string): string {
  // The cheap class test first: almost every string has no NUL and no surrogate at all.
  return MAYBE_BAD_TEXT.test(text) ? text.replace(BAD_TEXT, '\uFFFD') : text;
}

function storableOrNull(text: string | null): string | null {
  return text === null ? null : storable(text);
}

/**
 * Throws a TypeError when an entry breaks an invariant the stores rely on (integer time, known decision, …).
 * The AuditWriter calls it in `record()`, so a malformed entry fails at its caller instead of blocking a batch.
 */
export function assertAuditEntry(entry: AuditEntry): void {
  const fail = (what: string): never => {
    throw new TypeError(`invalid audit entry: ${what}`);
  };
  if (typeof entry !== 'object' || entry === null) fail('not an object');
  if (!Number.isSafeInteger(entry.time) || entry.time < 0) fail('time must be a non-negative integer (ms since epoch)');
  for (const field of ['agent', 'session', 'tool', 'argsHash'] as const) {
    if (typeof entry[field] !== 'string') fail(`${field} must be a string`);
  }
  for (const field of ['server', 'rule', 'reason', 'policyVersion'] as const) {
    const v = entry[field];
    if (v !== null && typeof v !== 'string') fail(`${field} must be a string or null`);
  }
  if (!AUDIT_DECISIONS.includes(entry.decision)) fail(`unknown decision ${JSON.stringify(entry.decision)}`);
  if (entry.outcome !== null && !AUDIT_OUTCOMES.includes(entry.outcome)) fail(`unknown outcome ${JSON.stringify(entry.outcome)}`);
  if (entry.latencyMs !== null && !(typeof entry.latencyMs === 'number' && Number.isFinite(entry.latencyMs))) {
    fail('latencyMs must be a finite number or null');
  }
}

/** Exactly the entry fields (extra properties on the input are not part of the record), in storable form. */
function normaliseEntry(entry: AuditEntry): AuditEntry {
  assertAuditEntry(entry);
  return {
    time: entry.time,
    agent: storable(entry.agent),
    session: storable(entry.session),
    server: storableOrNull(entry.server),
    tool: storable(entry.tool),
    decision: entry.decision,
    rule: storableOrNull(entry.rule),
    reason: storableOrNull(entry.reason),
    argsHash: storable(entry.argsHash),
    args: entry.args,
    latencyMs: entry.latencyMs,
    outcome: entry.outcome,
    policyVersion: storableOrNull(entry.policyVersion),
  };
}

/** One field's canonical JSON; strings (nearly every field) take the short way. */
const enc = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v));

/**
 * canonicalJson of the entry fields, written out by hand in sorted key order with the arguments' canonical JSON
 * spliced in: the same text the generic function produces for any field values (a unit test holds them equal),
 * including what a tampered row may hold (text in a number column must not hash like null), without building and
 * sorting a fresh object per record.
 */
function entryJson(e: AuditEntry, argsJson: string): string {
  return (
    `{"agent":${enc(e.agent)},"args":${argsJson},"argsHash":${enc(e.argsHash)},"decision":${enc(e.decision)}` +
    `,"latencyMs":${enc(e.latencyMs)},"outcome":${enc(e.outcome)},"policyVersion":${enc(e.policyVersion)}` +
    `,"reason":${enc(e.reason)},"rule":${enc(e.rule)},"server":${enc(e.server)},"session":${enc(e.session)}` +
    `,"time":${enc(e.time)},"tool":${enc(e.tool)}}`
  );
}

function hashWithArgsJson(prevHash: string, seq: number, entry: AuditEntry, argsJson: string): string {
  return sha256Hex(`${prevHash}\n${entryJson(entry, argsJson)}\n${seq}`);
}

/** The hash a record with these contents has at position `seq` (see the format at the top of this file). */
export function hashRecord(prevHash: string, seq: number, entry: AuditEntry): string {
  return hashWithArgsJson(prevHash, seq, entry, canonicalJson(entry.args));
}

/**
 * chainRecord for stores: also returns the canonical JSON of the arguments, which is what they store (so the text
 * read back re-hashes identically) and which was computed for the hash anyway.
 */
export function chainForStorage(
  prev: { readonly seq: number; readonly hash: string } | undefined,
  entry: AuditEntry,
): { record: AuditRecord; argsJson: string } {
  const seq = prev === undefined ? 1 : prev.seq + 1;
  const prevHash = prev === undefined ? GENESIS_HASH : prev.hash;
  const f = normaliseEntry(entry);
  const argsJson = canonicalJson(f.args);
  const hash = hashWithArgsJson(prevHash, seq, f, argsJson);
  // Spelled out rather than `{ ...f, seq, prevHash, hash }`: object spread was the largest cost in a profile.
  const record: AuditRecord = {
    time: f.time,
    agent: f.agent,
    session: f.session,
    server: f.server,
    tool: f.tool,
    decision: f.decision,
    rule: f.rule,
    reason: f.reason,
    argsHash: f.argsHash,
    args: f.args,
    latencyMs: f.latencyMs,
    outcome: f.outcome,
    policyVersion: f.policyVersion,
    seq,
    prevHash,
    hash,
  };
  return { record, argsJson };
}

/** The record that follows `prev` (or starts the chain). Throws a TypeError on a malformed entry. */
export function chainRecord(prev: { readonly seq: number; readonly hash: string } | undefined, entry: AuditEntry): AuditRecord {
  return chainForStorage(prev, entry).record;
}

/**
 * Streaming verification, for stores that read their rows page by page. Feed records in the order the store
 * returns them (by seq); `push` returns false once the verdict can no longer change, so the caller may stop reading.
 *
 * The first row whose hash does not match is either edited or a row moved from elsewhere. The two are told apart by
 * reading on: if a later row verifies when hashed at the first row's position, rows were reordered; if none does
 * by the end, the row was edited. This costs one extra hash per remaining row, only when a problem was found.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private count = 0;
  private verdict: Extract<ChainVerification, { ok: false }> | undefined;
  private suspectSeq: number | undefined;

  push(record: AuditRecord): boolean {
    if (this.verdict !== undefined) return false;
    if (this.suspectSeq !== undefined) {
      const at = this.suspectSeq;
      if (record.seq !== at && hashRecord(record.prevHash, at, record) === record.hash) {
        this.verdict = {
          ok: false,
          seq: at,
          problem: 'reordered',
          detail: `the record stored at seq ${record.seq} belongs at seq ${at}: rows were moved`,
        };
        return false;
      }
      return true;
    }
    if (record.seq !== this.expectedSeq) {
      this.verdict =
        record.seq < this.expectedSeq
          ? {
              ok: false,
              seq: record.seq,
              problem: 'reordered',
              detail: `seq ${record.seq} came after seq ${this.expectedSeq - 1}: records are out of order or duplicated`,
            }
          : {
              ok: false,
              seq: this.expectedSeq,
              problem: 'missing',
              detail:
                record.seq === this.expectedSeq + 1
                  ? `seq ${this.expectedSeq} is absent: a row was deleted`
                  : `seq ${this.expectedSeq}..${record.seq - 1} are absent: rows were deleted`,
            };
      return false;
    }
    if (hashRecord(record.prevHash, record.seq, record) !== record.hash) {
      this.suspectSeq = record.seq;
      this.expectedSeq++;
      return true;
    }
    if (record.prevHash !== this.prevHash) {
      this.verdict = {
        ok: false,
        seq: record.seq,
        problem: 'broken-link',
        detail: `seq ${record.seq} does not link to seq ${record.seq - 1}: one of them was rewritten with a recomputed hash`,
      };
      return false;
    }
    this.count++;
    this.expectedSeq++;
    this.prevHash = record.hash;
    return true;
  }

  result(): ChainVerification {
    if (this.verdict !== undefined) return this.verdict;
    if (this.suspectSeq !== undefined) {
      return {
        ok: false,
        seq: this.suspectSeq,
        problem: 'edited',
        detail: `seq ${this.suspectSeq} does not match its hash: its contents were changed`,
      };
    }
    return { ok: true, count: this.count };
  }
}

/** Verifies a whole trail, given in seq order from seq 1. */
export function verifyChain(records: Iterable<AuditRecord>): ChainVerification {
  const verifier = new ChainVerifier();
  for (const record of records) {
    if (!verifier.push(record)) break;
  }
  return verifier.result();
}
