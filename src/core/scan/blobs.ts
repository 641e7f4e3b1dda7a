import type { Finding } from './types.js';
import { toEvidence } from './text.js';

/**
 * Long base64 / hex runs. A tool description has no reason to carry a kilobyte of encoded data;
 * published attacks use it to hide instructions from human reviewers while models decode them.
 * When a blob decodes to readable text, that text is returned so the caller can scan it too.
 */

export const BLOB_MIN = 200;
const MAX_BLOBS = 8;
const DECODE_MAX = 8192;

export interface BlobScan {
  findings: Finding[];
  decoded: { kind: 'base64' | 'hex'; text: string }[];
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function readable(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  let printable = 0;
  let out = '';
  for (const b of bytes) {
    if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
    out += String.fromCharCode(b);
  }
  return printable / bytes.length >= 0.9 ? out : undefined;
}

function decodeBase64(run: string): Uint8Array | undefined {
  const std = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const usable = std.slice(0, DECODE_MAX - (DECODE_MAX % 4));
  const padded = usable.length % 4 === 0 ? usable : usable.slice(0, usable.length - (usable.length % 4));
  try {
    const bin = atob(padded);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function decodeHex(run: string): Uint8Array {
  const usable = run.slice(0, DECODE_MAX - (DECODE_MAX % 2));
  const out = new Uint8Array(Math.floor(usable.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(usable.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function scanBlobs(s: string, location: string): BlobScan {
  const findings: Finding[] = [];
  const decoded: BlobScan['decoded'] = [];
  if (s.length < BLOB_MIN) return { findings, decoded };
  const re = /[A-Za-z0-9+/_-]{200,}={0,2}/g;
  let m: RegExpExecArray | null;
  let seen = 0;
  while ((m = re.exec(s)) !== null && seen < MAX_BLOBS) {
    const run = m[0];
    let kind: 'base64' | 'hex' | undefined;
    if (/^[0-9a-fA-F]+$/.test(run)) {
      // Random hex sits near 4 bits/char; a repeated filler pattern does not.
      if (entropy(run.slice(0, 1024)) >= 3.0) kind = 'hex';
    } else if (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && entropy(run.slice(0, 1024)) >= 4.5) {
      // Identifiers and paths of that length are low-entropy; encoded bytes are not.
      kind = 'base64';
    }
    if (kind === undefined) continue;
    seen++;
    if (findings.length === 0) {
      findings.push({
        id: 'encoded-blob',
        severity: 'medium',
        title: kind === 'hex' ? 'Long hex-encoded blob' : 'Long base64-encoded blob',
        evidence: toEvidence(run),
        location,
      });
    }
    const bytes = kind === 'hex' ? decodeHex(run) : decodeBase64(run);
    const text = bytes === undefined ? undefined : readable(bytes);
    if (text !== undefined) decoded.push({ kind, text });
  }
  return { findings, decoded };
}
