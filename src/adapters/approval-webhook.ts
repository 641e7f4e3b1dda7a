import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { systemClock, type ApprovalEvents, type ApprovalRequest, type Clock } from '../ports.js';

export interface ApprovalWebhookOptions {
  readonly url: string;
  /** Signs every delivery; never logged. */
  readonly secret: string;
  /** Extra headers (e.g. a receiver's own auth); the gateway's own headers cannot be overridden (config schema). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Per attempt. */
  readonly timeoutMs?: number;
  readonly attempts?: number;
  /** Wait before the second attempt; doubled before each later one. */
  readonly backoffMs?: number;
}

type EventType = 'approval.requested' | 'approval.decided';

/** What the receiver learns of a request: never the session, the arguments hash or the policy version. */
function describeApproval(request: ApprovalRequest) {
  return {
    id: request.id,
    agent: request.agent,
    tool: request.tool,
    rule: request.rule,
    reason: request.reason,
    args: request.args,
    createdAt: new Date(request.createdAt).toISOString(),
    expiresAt: new Date(request.expiresAt).toISOString(),
  };
}

/** `sha256=<hex>` over `<timestamp>.<body>`: the timestamp is signed too, so an old delivery cannot be replayed as new. */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

class RetryableError extends Error {}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * Tells an HTTP endpoint about approvals as signed JSON POSTs. Delivery runs beside the held call and never
 * touches it: each event is tried up to `attempts` times (network errors, timeouts and 5xx answers are retried
 * with backoff; other answers are final), and a delivery that still fails is logged, not raised.
 */
export class ApprovalWebhook implements ApprovalEvents {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  /** Logged instead of the URL, whose path or query may itself be a credential (chat webhooks). */
  private readonly target: string;
  private readonly inflight = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(private readonly options: ApprovalWebhookOptions) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.target = new URL(options.url).origin;
  }

  requested(request: ApprovalRequest): void {
    const id = encodeURIComponent(request.id);
    this.send(request, 'approval.requested', {
      approval: describeApproval(request),
      decide: { approve: `/api/approvals/${id}/approve`, deny: `/api/approvals/${id}/deny` },
    });
  }

  decided(request: ApprovalRequest): void {
    this.send(request, 'approval.decided', {
      approval: {
        ...describeApproval(request),
        status: request.status,
        decidedBy: request.decidedBy,
        note: request.note,
        decidedAt: request.decidedAt === null ? null : new Date(request.decidedAt).toISOString(),
      },
    });
  }

  /** Resolves once every delivery started so far has succeeded or given up (for one-shot commands). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  /** Abandons deliveries still trying (at shutdown), logging each as not delivered. */
  async close(): Promise<void> {
    this.closing.abort(new Error('the gateway is shutting down'));
    await this.settled();
  }

  private send(request: ApprovalRequest, type: EventType, payload: Record<string, unknown>): void {
    const body = JSON.stringify({ type, ...payload });
    const delivery = randomUUID();
    const running = this.deliver(type, delivery, body, request.id).finally(() => this.inflight.delete(running));
    this.inflight.add(running);
  }

  private async deliver(type: EventType, delivery: string, body: string, approval: string): Promise<void> {
    const context = { event: type, approval, delivery, target: this.target };
    for (let attempt = 1; ; attempt++) {
      try {
        const status = await this.post(type, delivery, body);
        this.options.logger.debug({ ...context, attempt, status }, 'approval webhook delivered');
        return;
      } catch (error) {
        const err = describe(error);
        const retry = error instanceof RetryableError && attempt < this.attempts && !this.closing.signal.aborted;
        if (!retry) {
          this.options.logger.error({ ...context, attempt, err }, 'approval webhook not delivered');
          return;
        }
        this.options.logger.warn({ ...context, attempt, err }, 'approval webhook attempt failed; retrying');
        await pause(this.backoffMs * 2 ** (attempt - 1), this.closing.signal);
      }
    }
  }

  /** One attempt; the same delivery id on every attempt lets a receiver drop duplicates, the timestamp is fresh. */
  private async post(type: EventType, delivery: string, body: string): Promise<number> {
    if (this.closing.signal.aborted) throw this.closing.signal.reason;
    const timestamp = Math.floor(this.clock.now() / 1000);
    // A plain controller and timer, not AbortSignal.any(AbortSignal.timeout(…)): on Node 20 such a combined signal
    // can be garbage-collected mid-request, and then the timeout never fires.
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new TimeoutError(this.timeoutMs)), this.timeoutMs);
    const onClose = () => attempt.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          ...this.options.headers,
          'content-type': 'application/json',
          'x-gatehouse-event': type,
          'x-gatehouse-delivery': delivery,
          'x-gatehouse-timestamp': String(timestamp),
          'x-gatehouse-signature': signDelivery(this.options.secret, timestamp, body),
        },
        body,
        // A redirect would hand the signed event to a host nobody configured.
        redirect: 'manual',
        signal: attempt.signal,
      });
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      if (this.closing.signal.aborted) throw this.closing.signal.reason;
      throw new RetryableError(attempt.signal.reason instanceof TimeoutError ? attempt.signal.reason.message : describe(error));
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', onClose);
    }
    if (response.status >= 200 && response.status < 300) return response.status;
    if (response.status >= 500) throw new RetryableError(`HTTP ${response.status}`);
    throw new Error(`HTTP ${response.status}`);
  }
}

/** undici reports "fetch failed" with the reason (ECONNREFUSED, …) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) return `${error.message}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`;
  return error.message;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
