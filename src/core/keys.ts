import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Agent API keys: `gh_<id>_<secret>`. The id (12 lowercase hex characters, 48 random bits) locates the key and is
 * not secret: it appears in listings and logs. The secret is 32 random bytes in base64url without padding (43
 * characters); only its SHA-256 is stored.
 *
 * A single fast hash is enough here, unlike for passwords: the secret carries 256 bits of entropy, so a leaked hash
 * cannot be brute-forced however fast the hash is, and a slow KDF would only make every authenticated call slower.
 */

/** Agent names as accepted at key creation: they appear in policy rules, audit records and metrics labels. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;

export const KEY_PREFIX = 'gh_';
const ID_BYTES = 6;
const SECRET_BYTES = 32;
const ID_LENGTH = ID_BYTES * 2;
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 8) / 6);
/** The only length a well-formed key has, checked first so an oversized input costs nothing. */
export const PRESENTED_KEY_LENGTH = KEY_PREFIX.length + ID_LENGTH + 1 + SECRET_LENGTH;

const ID = /^[0-9a-f]{12}$/;
// The secret may itself contain `_` and `-` (base64url); the fixed lengths keep the split unambiguous.
const PRESENTED = /^gh_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface KeyMaterial {
  readonly id: string;
  /** The secret part alone. */
  readonly secret: string;
  /** The whole key as the agent presents it; shown once. */
  readonly presented: string;
  /** What is stored: hashSecret(secret). */
  readonly secretHash: string;
}

export type RandomBytes = (size: number) => Uint8Array;

/** Fresh key material. `randomBytes` is injectable so tests can be deterministic; it must be a CSPRNG otherwise. */
export function generateKeyMaterial(randomBytes: RandomBytes = cryptoRandomBytes): KeyMaterial {
  const draw = (size: number): Buffer => {
    const bytes = randomBytes(size);
    // A short buffer would silently shrink the key space; refuse rather than issue a weak key.
    if (bytes.length !== size) throw new Error(`randomBytes returned ${bytes.length} bytes, expected ${size}`);
    return Buffer.from(bytes);
  };
  const id = draw(ID_BYTES).toString('hex');
  const secret = draw(SECRET_BYTES).toString('base64url');
  return { id, secret, presented: formatKey(id, secret), secretHash: hashSecret(secret) };
}

export function formatKey(id: string, secret: string): string {
  return `${KEY_PREFIX}${id}_${secret}`;
}

/** The id and secret of a well-formed key, or undefined for anything else (never throws, whatever it is given). */
export function parsePresentedKey(text: unknown): { id: string; secret: string } | undefined {
  if (typeof text !== 'string' || text.length !== PRESENTED_KEY_LENGTH) return undefined;
  const match = PRESENTED.exec(text);
  const id = match?.[1];
  const secret = match?.[2];
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

/** True for a string shaped like a key id (stores may skip the lookup otherwise). */
export function isKeyId(text: unknown): text is string {
  return typeof text === 'string' && ID.test(text);
}

/** SHA-256 of the secret part, lowercase hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Whether `secret` matches a stored hash, compared in constant time so response timing does not reveal how many
 * leading bytes of a guess were right. A malformed stored hash is a mismatch, not an exception.
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  if (expected.length !== actual.length || storedHash.length !== actual.length * 2) return false;
  return timingSafeEqual(expected, actual);
}

/** Throws a readable error for a name agents could not be given keys under. */
export function assertAgentName(agent: unknown): asserts agent is string {
  if (typeof agent !== 'string' || !AGENT_NAME.test(agent)) {
    // Quoted and cut short: the name may be long or hold control characters, and ends up in a terminal or log.
    const shown = typeof agent === 'string' ? JSON.stringify(agent.length > 64 ? `${agent.slice(0, 64)}…` : agent) : typeof agent;
    throw new Error(`invalid agent name ${shown}: use 1-128 characters, letters, digits and _ . @ -, starting with a letter or digit`);
  }
}

/**
 * lastUsedAt is refreshed at most this often per key: it answers "is this key still in use?", which needs no
 * finer grain, and verify runs on every request, so writing each time would turn reads into writes.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Whether a verify at `now` should record the use, given the stored lastUsedAt. */
export function shouldRecordUse(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS;
}
