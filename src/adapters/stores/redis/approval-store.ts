import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { firstConnectionAttempt, withinTimeout } from './connection.js';
import { systemClock, type ApprovalDecision, type ApprovalRequest, type ApprovalStore, type Clock } from '../../../ports.js';

type Listener = (request: ApprovalRequest) => void;
type Match = { agent: string; tool: string; argsHash: string; policyVersion: string };
type StoredStatus = 'pending' | 'approved' | 'denied' | 'used';

interface Script {
  readonly body: string;
  readonly sha: string;
}

function script(body: string): Script {
  return { body, sha: createHash('sha1').update(body).digest('hex') };
}

/*
 * Layout, under the key prefix:
 *   req:<id>      a hash per request (fields named as in ApprovalRequest; null fields are absent, args is JSON)
 *   match:<sha>   a sorted set of the ids asking for one exact call (agent, tool, argsHash, policyVersion), by createdAt
 *   all           a sorted set of every id, by createdAt, for list()
 *   decided       the pub/sub channel on which each decided id is published
 * Every key expires some time after the last request it holds does, so nothing needs a sweeper. The scripts build
 * request keys from ids they read, so the store needs standalone Redis (or Sentinel), not Redis Cluster.
 */

/**
 * KEYS[1] the request hash, KEYS[2] its match set, KEYS[3] the list of all
 * ARGV[1] id, ARGV[2] createdAt, ARGV[3] time to live (ms), ARGV[4] request key prefix, ARGV[5..] field, value, ...
 * Returns 0 when the id is taken, else 1.
 */
const CREATE = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ttl)
for i = 2, 3 do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
  -- A set lives as long as its longest-lived request; PTTL is -1 right after ZADD created it.
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
-- Drop a few ids whose hash has expired, oldest first, so the list of all stays about as large as what it lists.
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, 9)) do
  if redis.call('EXISTS', ARGV[4] .. id) == 0 then redis.call('ZREM', KEYS[3], id) end
end
return 1
`);

/**
 * KEYS[1] the request hash
 * ARGV[1] now, ARGV[2] 'approved' or 'denied', ARGV[3] decidedBy, ARGV[4] note, ARGV[5] '1' if there is a note,
 * ARGV[6] the channel, ARGV[7] the id
 * Returns the decided hash (HGETALL), or nil when the request is unknown, decided or expired.
 */
const DECIDE = script(`
local h = redis.call('HMGET', KEYS[1], 'status', 'expiresAt')
if h[1] ~= 'pending' or tonumber(h[2]) <= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedBy', ARGV[3], 'decidedAt', ARGV[1])
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'note', ARGV[4]) end
-- Published by the script, so a decision is never stored without being announced.
redis.call('PUBLISH', ARGV[6], ARGV[7])
return redis.call('HGETALL', KEYS[1])
`);

/**
 * KEYS[1] the match set
 * ARGV[1] now, ARGV[2] request key prefix, ARGV[3..6] agent, tool, argsHash, policyVersion
 * Returns the hash (HGETALL) of the oldest approved, unexpired request for exactly this call, now marked used, or nil.
 */
const CONSUME = script(`
local now = tonumber(ARGV[1])
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[2] .. id
  local h = redis.call('HMGET', key, 'status', 'expiresAt', 'agent', 'tool', 'argsHash', 'policyVersion')
  if not h[1] then
    redis.call('ZREM', KEYS[1], id)
  elseif h[3] == ARGV[3] and h[4] == ARGV[4] and h[5] == ARGV[5] and h[6] == ARGV[6] then
    -- Compared field by field as well: the set's name is a hash, and a collision must not hand over an approval.
    if h[1] == 'approved' and tonumber(h[2]) > now then
      redis.call('HSET', key, 'status', 'used')
      redis.call('ZREM', KEYS[1], id)
      return redis.call('HGETALL', key)
    elseif h[1] == 'denied' or h[1] == 'used' then
      -- Final states can never match again. Expired ones are left to their TTL: another replica's clock may differ.
      redis.call('ZREM', KEYS[1], id)
    end
  end
end
return false
`);

const DEFAULT_TIMEOUT_MS = 500;
const DEFAULT_KEY_PREFIX = 'gatehouse:approvals:';
const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_LISTENING_TIMEOUT_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 500;

export interface RedisApprovalStoreOptions {
  /**
   * A connection URL (`redis://host:port/db`), in which case the store opens and owns a connection tuned to fail
   * fast, or an existing client, which the store uses as is and does not close. Either way the store opens one more
   * connection of its own for pub/sub, on the first onDecided().
   */
  readonly redis: Redis | string;
  /** Prepended to every key and to the channel, so several gateways or test runs can share one Redis. */
  readonly keyPrefix?: string;
  /** For the expiry shown by get() and list(), and for keys' time to live. Default: the system clock. */
  readonly clock?: Clock;
  /** How long a request's keys outlive its expiry, so decided and expired requests stay listed a while. Default 24 h. */
  readonly retentionMs?: number;
  /** An operation with no answer after this long rejects (and the caller denies). Default 500 ms. */
  readonly timeoutMs?: number;
  /** Connection errors and failed notifications, for logging; operations report theirs by rejecting. */
  readonly onError?: (error: Error) => void;
}

/**
 * Approvals shared by every gateway replica through one Redis. decide and consume are single Lua scripts, hence atomic
 * across replicas; decisions reach every replica's onDecided listeners through Redis pub/sub. Fails closed: while
 * Redis is unreachable every operation rejects within `timeoutMs`.
 *
 * Pub/sub delivers at most once: a decision made while a replica's subscriber is reconnecting is not heard there.
 * The decision itself is stored, so a retried call still finds it with consume().
 */
export class RedisApprovalStore implements ApprovalStore {
  private readonly redis: Redis;
  private readonly url: string | undefined;
  private readonly prefix: string;
  private readonly channel: string;
  /** Where create() announces each new request's id, for onRequested listeners on every replica. */
  private readonly requestedChannel: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly timeoutMs: number;
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly requestListeners = new Set<Listener>();
  private subscriber: Redis | undefined;
  private subscribed: { promise: Promise<void>; resolve(): void } | undefined;
  /** Pending while the first connection attempt is under way; see run(). */
  private startup: Promise<void> | undefined;
  private closed = false;

  constructor(options: RedisApprovalStoreOptions) {
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.channel = `${this.prefix}decided`;
    this.requestedChannel = `${this.prefix}requested`;
    this.clock = options.clock ?? systemClock;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onError = options.onError;
    if (typeof options.redis === 'string') {
      this.url = options.redis;
      this.redis = new Redis(options.redis, {
        ...this.failFast(),
        // Without these, a command issued while Redis is down waits in a queue for a reconnect that may never
        // come, and the call it guards hangs instead of being denied.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: this.timeoutMs,
        // A consume whose reply was lost may already have marked the approval used; resending could use another.
        autoResendUnfulfilledCommands: false,
      });
    } else {
      this.url = undefined;
      this.redis = options.redis;
    }
    this.listenForErrors(this.redis, this.url !== undefined);
    this.startup = firstConnectionAttempt(this.redis)?.finally(() => (this.startup = undefined));
  }

  async create(request: Omit<ApprovalRequest, 'status' | 'decidedBy' | 'note' | 'decidedAt'>): Promise<ApprovalRequest> {
    const stored: ApprovalRequest = { ...request, status: 'pending', decidedBy: null, note: null, decidedAt: null };
    const ttl = Math.ceil(Math.max(request.expiresAt - this.clock.now(), 0) + this.retentionMs);
    const fields = toFields(stored);
    const created = await this.run(
      CREATE,
      [this.requestKey(request.id), this.matchKey(request), this.allKey()],
      [request.id, request.createdAt, Math.max(ttl, 1), this.requestKey(''), ...fields],
    );
    if (Number(created) !== 1) throw new Error(`approval ${request.id} already exists`);
    // Only live queues listen; the request is stored either way, so a lost announcement is reported, not thrown.
    this.redis.publish(this.requestedChannel, request.id).catch((error: unknown) => this.report(error));
    return this.view(fromFields(Object.fromEntries(pairs(fields))), this.clock.now());
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const fields = await this.withTimeout(this.ready().then(() => this.redis.hgetall(this.requestKey(id))));
    if (Object.keys(fields).length === 0) return undefined;
    return this.view(fromFields(fields), this.clock.now());
  }

  async list(filter: { status?: ApprovalRequest['status'] } = {}): Promise<ApprovalRequest[]> {
    const hashes = await this.withTimeout(
      this.ready().then(async () => {
        // Redis orders equal scores by member, so this is createdAt then id, as the other stores order.
        const ids = await this.redis.zrange(this.allKey(), '0', '-1');
        if (ids.length === 0) return [];
        const pipeline = this.redis.pipeline();
        for (const id of ids) pipeline.hgetall(this.requestKey(id));
        const replies = (await pipeline.exec()) ?? [];
        return replies.map(([error, fields]) => {
          if (error) throw error;
          return fields as Record<string, string>;
        });
      }),
    );
    const now = this.clock.now();
    // A hash may have expired while its id is still in the list of all: it is gone, not an error.
    const all = hashes.filter((h) => Object.keys(h).length > 0).map((h) => this.view(fromFields(h), now));
    return filter.status === undefined ? all : all.filter((r) => r.status === filter.status);
  }

  async decide(id: string, decision: ApprovalDecision, now: number): Promise<ApprovalRequest | undefined> {
    const reply = await this.run(
      DECIDE,
      [this.requestKey(id)],
      [now, decision.approve ? 'approved' : 'denied', decision.by, decision.note ?? '', decision.note === undefined ? '0' : '1', this.channel, id],
    );
    return reply === null ? undefined : this.view(fromFields(Object.fromEntries(pairs(replyStrings(reply)))), now);
  }

  async consume(match: Match, now: number): Promise<ApprovalRequest | undefined> {
    const reply = await this.run(CONSUME, [this.matchKey(match)], [now, this.requestKey(''), match.agent, match.tool, match.argsHash, match.policyVersion]);
    return reply === null ? undefined : this.view(fromFields(Object.fromEntries(pairs(replyStrings(reply)))), now);
  }

  /**
   * Listeners hear every decision made on any replica (this one included), with the request as re-read after the
   * announcement, so its status may already be 'used'. A decision made before the subscription is in place is not
   * heard: await listening() when that matters.
   */
  onDecided(listener: Listener): () => void {
    return this.listen(this.listeners, listener);
  }

  /** Listeners hear each request filed on any replica (this one included), as re-read after the announcement. */
  onRequested(listener: Listener): () => void {
    return this.listen(this.requestListeners, listener);
  }

  private listen(listeners: Set<Listener>, listener: Listener): () => void {
    // A wrapper per subscription, so subscribing the same function twice yields two independent subscriptions.
    const subscription: Listener = (request) => listener(request);
    listeners.add(subscription);
    this.subscribe();
    return () => {
      listeners.delete(subscription);
    };
  }

  /** Resolves once the pub/sub subscription is in place (starting it if need be); rejects after `timeoutMs`. */
  listening(timeoutMs = DEFAULT_LISTENING_TIMEOUT_MS): Promise<void> {
    const subscribed = this.subscribe();
    if (!subscribed) return Promise.reject(new Error('approval store is closed'));
    return this.withTimeout(subscribed, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.requestListeners.clear();
    if (this.subscriber) await quit(this.subscriber);
    if (this.url !== undefined) await quit(this.redis);
  }

  private subscribe(): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.subscribed) return this.subscribed.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.subscribed = { promise, resolve };
    // A connection in subscriber mode can run nothing else, hence one of its own. Subscribing on every 'ready'
    // (rather than ioredis' resubscription) also covers a SUBSCRIBE that failed while Redis was down.
    const options = { ...this.failFast(), enableOfflineQueue: false, autoResubscribe: false, lazyConnect: false };
    const subscriber = this.url !== undefined ? new Redis(this.url, options) : this.redis.duplicate(options);
    this.subscriber = subscriber;
    this.listenForErrors(subscriber, true);
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel, this.requestedChannel).then(
        () => this.subscribed?.resolve(),
        (error: unknown) => this.report(error),
      );
    });
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.channel) this.deliver(id, this.listeners);
      else if (channel === this.requestedChannel) this.deliver(id, this.requestListeners);
    });
    return promise;
  }

  private deliver(id: string, listeners: ReadonlySet<Listener>): void {
    if (this.closed || listeners.size === 0) return;
    this.get(id).then(
      (request) => {
        if (!request || this.closed) return;
        for (const listener of [...listeners]) notify(listener, request);
      },
      (error: unknown) => this.report(error),
    );
  }

  private requestKey(id: string): string {
    return `${this.prefix}req:${id}`;
  }

  private matchKey(match: Match): string {
    // Hashed: the four fields are free text, and any separator could appear in them.
    const digest = createHash('sha256').update(JSON.stringify([match.agent, match.tool, match.argsHash, match.policyVersion])).digest('base64url');
    return `${this.prefix}match:${digest}`;
  }

  private allKey(): string {
    return `${this.prefix}all`;
  }

  private view(request: ApprovalRequest, now: number): ApprovalRequest {
    // 'expired' is never stored: it depends on when one looks.
    return request.status === 'pending' && request.expiresAt <= now ? { ...request, status: 'expired' } : request;
  }

  private failFast(): { connectTimeout: number; retryStrategy: (attempt: number) => number } {
    return {
      connectTimeout: Math.max(this.timeoutMs, 1000),
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 4), MAX_RECONNECT_DELAY_MS),
    };
  }

  private listenForErrors(client: Redis, owned: boolean): void {
    if (this.onError) client.on('error', (error: Error) => this.report(error));
    // ioredis prints unhandled 'error' events; on a connection we own, rejected operations already report them.
    else if (owned) client.on('error', () => {});
  }

  private report(error: unknown): void {
    if (this.closed) return;
    this.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  /** Right after start the connection may still be opening; later, not ready means down, and waiting only delays. */
  private async ready(): Promise<void> {
    if (this.closed) throw new Error('approval store is closed');
    if (this.startup) await this.startup;
  }

  private run(s: Script, keys: readonly string[], argv: readonly (string | number)[]): Promise<unknown> {
    return this.withTimeout(
      this.ready().then(async () => {
        try {
          return await this.redis.evalsha(s.sha, keys.length, ...keys, ...argv);
        } catch (error) {
          // The script cache is empty after a Redis restart or failover; EVAL sends the body and caches it again.
          if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return this.redis.eval(s.body, keys.length, ...keys, ...argv);
          throw error;
        }
      }),
    );
  }

  private withTimeout<T>(work: Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    return withinTimeout(work, timeoutMs, 'redis approval store');
  }
}

/** Field, value, field, value, ... as HSET takes them; null fields are left out. */
function toFields(r: ApprovalRequest): string[] {
  const fields: string[] = [
    'id', r.id, 'agent', r.agent, 'session', r.session, 'tool', r.tool, 'argsHash', r.argsHash, 'policyVersion', r.policyVersion,
    'rule', r.rule, 'reason', r.reason, 'args', JSON.stringify(r.args) ?? 'null',
    'createdAt', String(r.createdAt), 'expiresAt', String(r.expiresAt), 'status', r.status,
  ];
  if (r.decidedBy !== null) fields.push('decidedBy', r.decidedBy);
  if (r.note !== null) fields.push('note', r.note);
  if (r.decidedAt !== null) fields.push('decidedAt', String(r.decidedAt));
  return fields;
}

function fromFields(h: Record<string, string>): ApprovalRequest {
  const text = (name: string): string => {
    const value = h[name];
    if (value === undefined) throw new Error(`redis approval store: stored request lacks ${name}`);
    return value;
  };
  const status = text('status');
  if (status !== 'pending' && status !== 'approved' && status !== 'denied' && status !== 'used') {
    throw new Error(`redis approval store: stored request has status ${status}`);
  }
  return {
    id: text('id'),
    agent: text('agent'),
    session: text('session'),
    tool: text('tool'),
    argsHash: text('argsHash'),
    policyVersion: text('policyVersion'),
    rule: text('rule'),
    reason: text('reason'),
    args: JSON.parse(text('args')) as unknown,
    createdAt: Number(text('createdAt')),
    expiresAt: Number(text('expiresAt')),
    status: status satisfies StoredStatus,
    decidedBy: h['decidedBy'] ?? null,
    note: h['note'] ?? null,
    decidedAt: h['decidedAt'] === undefined ? null : Number(h['decidedAt']),
  };
}

function replyStrings(reply: unknown): string[] {
  if (!Array.isArray(reply) || reply.some((v) => typeof v !== 'string')) throw new Error('redis approval store: malformed script reply');
  return reply as string[];
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting, and disconnect() also stops reconnecting.
    }
  }
  client.disconnect();
}

/** A listener that throws must not keep the other listeners from hearing of a decision. */
function notify(listener: Listener, request: ApprovalRequest): void {
  try {
    listener(request);
  } catch {
    // Deliberately ignored: see above. Listeners report their own failures.
  }
}
