import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { JwtVerifier } from './authenticate.js';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string | undefined;
  readonly jwksFile?: string | undefined;
}

function jwksFor(settings: JwtSettings): JWTVerifyGetKey {
  if (settings.jwksFile) return createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
  if (settings.jwksUrl) return createRemoteJWKSet(new URL(settings.jwksUrl));
  throw new Error('auth.jwt needs jwks_url or jwks_file');
}

/** Verifies tokens against the configured keys (read now from a file, or fetched as needed from a URL). */
export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  const jwks = jwksFor(settings);
  return async (token) => (await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience })).payload;
}
