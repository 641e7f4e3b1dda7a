import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AgentKeyStore, Clock } from '../../ports.js';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string | undefined;
  readonly jwksFile?: string | undefined;
  /** The claim that names the agent; `sub` by default. */
  readonly agentClaim: string;
}

export interface AuthSettings {
  /** Unauthenticated agents are let in (as `anonymous`) only when this is true and the gateway is loopback-bound. */
  readonly allowAnonymous: boolean;
  readonly jwt?: JwtSettings | undefined;
}

export type AuthResult =
  | { readonly ok: true; readonly agent: string; readonly via: 'key' | 'jwt' | 'anonymous' }
  /** `unavailable`: the key store did not answer, so nobody can be let in (503, not 401: the key may be fine). */
  | { readonly ok: false; readonly reason: string; readonly unavailable?: true };

function jwksFor(settings: JwtSettings): JWTVerifyGetKey {
  if (settings.jwksFile) return createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
  if (settings.jwksUrl) return createRemoteJWKSet(new URL(settings.jwksUrl));
  throw new Error('auth.jwt needs jwks_url or jwks_file');
}

/**
 * Who is calling. Agents present `Authorization: Bearer <key or JWT>`; the header is consumed here and never
 * travels further (upstream requests are built from gateway config alone).
 */
export class Authenticator {
  private readonly jwks: JWTVerifyGetKey | undefined;

  constructor(
    private readonly settings: AuthSettings,
    private readonly keys: AgentKeyStore,
    private readonly clock: Clock,
  ) {
    this.jwks = settings.jwt ? jwksFor(settings.jwt) : undefined;
  }

  async authenticate(req: IncomingMessage): Promise<AuthResult> {
    const header = req.headers.authorization;
    if (header === undefined) {
      return this.settings.allowAnonymous ? { ok: true, agent: 'anonymous', via: 'anonymous' } : { ok: false, reason: 'authentication required: send Authorization: Bearer <agent key or token>' };
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (!token) return { ok: false, reason: 'the Authorization header must be "Bearer <agent key or token>"' };
    if (token.startsWith('gh_')) {
      let key: Awaited<ReturnType<AgentKeyStore['verify']>>;
      try {
        key = await this.keys.verify(token, this.clock.now());
      } catch (error) {
        return { ok: false, reason: `the agent key store is unavailable (${error instanceof Error ? error.message : String(error)})`, unavailable: true };
      }
      return key ? { ok: true, agent: key.agent, via: 'key' } : { ok: false, reason: 'unknown or revoked agent key' };
    }
    if (this.jwks && this.settings.jwt) {
      try {
        const { payload } = await jwtVerify(token, this.jwks, { issuer: this.settings.jwt.issuer, audience: this.settings.jwt.audience });
        const agent = payload[this.settings.jwt.agentClaim];
        if (typeof agent === 'string' && agent.length > 0) return { ok: true, agent, via: 'jwt' };
        return { ok: false, reason: `the token has no "${this.settings.jwt.agentClaim}" claim naming the agent` };
      } catch (error) {
        return { ok: false, reason: `invalid token: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    return { ok: false, reason: 'unknown agent key' };
  }
}
