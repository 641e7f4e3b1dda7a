import type { IncomingMessage } from 'node:http';
import type { AgentKeyStore, Clock } from '../../ports.js';

/** Checks a JWT's signature, issuer, audience and times; resolves with its claims, rejects with the reason. */
export type JwtVerifier = (token: string) => Promise<Record<string, unknown>>;

export interface AuthSettings {
  /** Unauthenticated agents are let in (as `anonymous`) only when this is true and the gateway is loopback-bound. */
  readonly allowAnonymous: boolean;
  /** When agents may present JWTs: how to verify one, and the claim that names the agent (`sub` by default). */
  readonly jwt?: { readonly verify: JwtVerifier; readonly agentClaim: string } | undefined;
}

export type AuthResult =
  | { readonly ok: true; readonly agent: string; readonly via: 'key' | 'jwt' | 'anonymous' }
  /** `unavailable`: the key store did not answer, so nobody can be let in (503, not 401: the key may be fine). */
  | { readonly ok: false; readonly reason: string; readonly unavailable?: true };

/**
 * Who is calling. Agents present `Authorization: Bearer <key or JWT>`; the header is consumed here and never
 * travels further (upstream requests are built from gateway config alone).
 */
export class Authenticator {
  constructor(
    private readonly settings: AuthSettings,
    private readonly keys: AgentKeyStore,
    private readonly clock: Clock,
  ) {}

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
    if (this.settings.jwt) {
      try {
        const payload = await this.settings.jwt.verify(token);
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
