import type { IncomingMessage, ServerResponse } from 'node:http';
import { InflightIds } from './inflight-ids.js';

/** What the edge needs of a session's transport: the SDK's StreamableHTTPServerTransport or NodeStreamableTransport. */
export interface SessionTransport {
  handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface HttpSession {
  readonly id: string;
  readonly agent: string;
  readonly transport: SessionTransport;
  readonly ids: InflightIds;
  lastActive: number;
}

export interface SessionLimits {
  readonly maxPerAgent: number;
  readonly idleMs: number;
}

/**
 * The open MCP sessions of the HTTP edge, with the limits that keep one agent from exhausting the gateway: a cap
 * on sessions per agent, and expiry of sessions nobody has used for a while (clients that vanish without DELETE).
 */
export class HttpSessions {
  private readonly byId = new Map<string, HttpSession>();
  private readonly perAgent = new Map<string, number>();

  constructor(private readonly limits: SessionLimits) {}

  get(id: string): HttpSession | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  hasRoomFor(agent: string): boolean {
    return (this.perAgent.get(agent) ?? 0) < this.limits.maxPerAgent;
  }

  add(id: string, agent: string, transport: SessionTransport, now: number): void {
    this.byId.set(id, { id, agent, transport, ids: new InflightIds(), lastActive: now });
    this.perAgent.set(agent, (this.perAgent.get(agent) ?? 0) + 1);
  }

  remove(id: string): void {
    const session = this.byId.get(id);
    if (!session) return;
    this.byId.delete(id);
    const left = (this.perAgent.get(session.agent) ?? 1) - 1;
    if (left > 0) this.perAgent.set(session.agent, left);
    else this.perAgent.delete(session.agent);
  }

  /** Sessions idle longer than the limit, with no request in flight (a held call or open stream is activity). */
  idle(now: number): HttpSession[] {
    return [...this.byId.values()].filter((s) => s.ids.size === 0 && now - s.lastActive > this.limits.idleMs);
  }

  all(): HttpSession[] {
    return [...this.byId.values()];
  }
}
