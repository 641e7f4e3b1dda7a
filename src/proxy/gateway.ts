import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError, type RequestId, type ServerCapabilities, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { systemClock, type ApprovalRequest, type ApprovalStore, type AuditRecorder, type CallObserver, type CatalogStore, type Clock, type PolicyProvider, type RateLimitStore } from '../ports.js';
import { auditEntry, type AuditedCall, type AuditSettings } from './audit-entry.js';
import { ToolGuard, type PinMode } from './tool-guard.js';
import { lineDiff } from '../core/text-diff.js';
import { catalogEntries, type CatalogEntry, type RiskOverrides } from '../core/catalog/entries.js';
import type { CompiledPolicy } from '../core/policy/index.js';
import { assertNoCollisions, buildCatalog, routeResource, type Catalog } from './catalog.js';
import type { ListKind, Upstream } from './upstream.js';
import { PassthroughResultSchema } from './passthrough.js';
import type { PrefixMode } from '../config/schema.js';

/** One agent session: an MCP session over HTTP, or the whole process over stdio. */
export class DownstreamSession {
  /** Downstream request ids with a call in flight, per upstream: used to route server→client requests. */
  readonly inflight = new Map<Upstream, Set<RequestId>>();
  readonly subscriptions = new Set<string>();

  constructor(
    readonly id: string,
    /** Who the agent is; `anonymous` until agents authenticate. */
    readonly agent: string,
    readonly server: Server,
  ) {}

  track(upstream: Upstream, requestId: RequestId): () => void {
    let ids = this.inflight.get(upstream);
    if (!ids) this.inflight.set(upstream, (ids = new Set()));
    ids.add(requestId);
    return () => {
      ids.delete(requestId);
      if (ids.size === 0) this.inflight.delete(upstream);
    };
  }
}

export interface GatewayOptions {
  readonly upstreams: readonly Upstream[];
  readonly policy: PolicyProvider;
  readonly limits: RateLimitStore;
  readonly prefixMode: PrefixMode;
  readonly prefixSeparator: string;
  readonly pageSize: number;
  readonly hideDefaultDenied: boolean;
  readonly riskOverrides?: RiskOverrides;
  /** Where every decision is recorded (off the hot path); absent only in one-shot commands. */
  readonly audit?: AuditRecorder;
  readonly auditSettings?: AuditSettings;
  /** Per server: hold calls to a tool whose definition changed (`block`), only log it (`warn`), or ignore (`off`). */
  readonly pinMode?: (server: string) => PinMode;
  /** Where held calls wait for a person; without one, held calls are denied. */
  readonly approvals?: ApprovalStore;
  /** For approval stores that cannot announce decisions across processes (SQLite): how often a waiter re-reads. */
  readonly approvalPollMs?: number;
  /** Ask the agent's own user (MCP elicitation) about held calls whose rule does not say. */
  readonly askClient?: boolean;
  /** Per server: replace secrets in tool results before agents see them. */
  readonly redactSecrets?: (server: string) => boolean;
  /** Metrics for each decision and upstream call. */
  readonly observer?: CallObserver;
  /** Where tools seen are remembered across restarts; changed definitions are reported. */
  readonly catalogStore?: CatalogStore;
  readonly clock?: Clock;
  readonly logger: Logger;
}

const SERVER_REQUEST_CAPABILITY: Record<string, 'sampling' | 'elicitation' | 'roots'> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/**
 * The state shared by all agent sessions: upstreams, the merged catalog, the policy, and the routing of
 * upstream-initiated traffic back to the right session.
 */
export class Gateway {
  private upstreamList: Upstream[];
  readonly policy: PolicyProvider;
  readonly limits: RateLimitStore;
  readonly pageSize: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Set once metrics exist (they need the gateway for their gauges). */
  observer: CallObserver | undefined;
  readonly sessions = new Set<DownstreamSession>();
  private catalogState: Catalog;
  readonly guard: ToolGuard;
  private pinTimer: NodeJS.Timeout | undefined;
  private readonly uriSubscribers = new Map<string, Set<DownstreamSession>>();
  private readonly approvalListeners = new Set<(request: ApprovalRequest) => void>();
  /**
   * Set while start() connects the upstreams: those whose tools came in meanwhile. No agent is connected yet, so the
   * catalog is built (and each server's tools recorded) once, when all of them have answered, instead of once per
   * list an upstream reports, which made start-up quadratic in the number of upstreams.
   */
  private toolsSeenWhileStarting: Set<Upstream> | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.upstreamList = [...options.upstreams];
    this.policy = options.policy;
    this.limits = options.limits;
    this.pageSize = options.pageSize;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.observer = options.observer;
    this.catalogState = buildCatalog([], options.prefixMode, options.prefixSeparator);
    this.guard = new ToolGuard(options.pinMode ?? (() => 'off'));
    options.policy.onChange(() => this.broadcast((s) => s.server.sendToolListChanged()));
  }

  get catalog(): Catalog {
    return this.catalogState;
  }

  get upstreams(): readonly Upstream[] {
    return this.upstreamList;
  }

  /**
   * Adds a server at run time (registered through the admin API): it is connected (or left retrying in the
   * background if it cannot be reached), its tools join the catalog, and every session hears the lists changed.
   */
  async addUpstream(upstream: Upstream): Promise<void> {
    if (this.upstreamList.some((u) => u.name === upstream.name)) throw new Error(`an upstream named '${upstream.name}' is already running`);
    this.upstreamList.push(upstream);
    await upstream.start();
    if (!this.upstreamList.includes(upstream)) return; // removed while it was connecting
    this.listsChanged(upstream, ['tools', 'prompts', 'resources']);
  }

  /** Stops a server and takes its tools out of the catalog; its in-flight calls fail as upstream errors. */
  async removeUpstream(name: string): Promise<boolean> {
    const upstream = this.upstreamList.find((u) => u.name === name);
    if (!upstream) return false;
    this.upstreamList = this.upstreamList.filter((u) => u !== upstream);
    await upstream.close();
    this.rebuildCatalog();
    this.broadcastListsChanged(['tools', 'prompts', 'resources']);
    return true;
  }

  /** Connects every upstream (each bounded by its connect timeout) and refuses to start on a forbidden collision. */
  async start(onUpstreamStarted: (upstream: Upstream) => void = () => undefined): Promise<void> {
    await this.reloadPins();
    if (this.options.catalogStore) {
      // Other replicas and `gatehouse pins approve` change pins in the shared store; pick their approvals up.
      this.pinTimer = setInterval(() => void this.reloadPins(), 5000);
      this.pinTimer.unref();
    }
    const toolsSeen = (this.toolsSeenWhileStarting = new Set());
    try {
      await Promise.all(this.upstreams.map((u) => u.start().then(() => onUpstreamStarted(u))));
    } finally {
      this.toolsSeenWhileStarting = undefined;
    }
    this.rebuildCatalog();
    for (const upstream of toolsSeen) void this.recordTools(upstream);
    assertNoCollisions(this.catalogState, this.options.prefixMode);
  }

  private async reloadPins(): Promise<void> {
    const store = this.options.catalogStore;
    if (!store) {
      this.guard.loadPins([]);
      return;
    }
    try {
      this.guard.loadPins(await store.list());
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'approved tool definitions could not be read; calls to pinned servers are held');
    }
  }

  /** Tools held because their definition differs from the approved one, each with a line diff of the change. */
  async changedDefinitions(): Promise<{ tool: string; server: string; pinnedHash: string | undefined; currentHash: string; diff: string }[]> {
    const held = [...this.catalogState.tools.keys()].filter((tool) => this.guard.pinState(tool) === 'changed');
    if (held.length === 0) return [];
    const records = (await this.options.catalogStore?.list()) ?? [];
    return held.flatMap((tool) => {
      const current = this.guard.current(tool);
      const route = this.catalogState.tools.get(tool);
      if (!current || !route) return [];
      const pinned = records.find((r) => r.server === current.server && r.tool === current.upstreamName);
      const show = (definition: unknown) => JSON.stringify(definition, null, 2);
      const diff = lineDiff(pinned ? show(pinned.definition) : '', show({ ...route.definition, name: current.upstreamName }));
      return [{ tool, server: current.server, pinnedHash: this.guard.pinnedHash(current.server, current.upstreamName), currentHash: current.hash, diff }];
    });
  }

  /** Pins the definition a tool has now, so calls to it flow again after a change (an admin's decision). */
  async approveDefinition(tool: string): Promise<{ server: string; tool: string; hash: string } | undefined> {
    const current = this.guard.current(tool);
    const route = this.catalogState.tools.get(tool);
    if (!current || !route) return undefined;
    const definition = { ...route.definition, name: current.upstreamName };
    if (this.options.catalogStore) await this.options.catalogStore.approve(current.server, current.upstreamName, current.hash, definition, this.clock.now());
    this.guard.pin(current.server, current.upstreamName, current.hash);
    this.logger.warn({ upstream: current.server, tool: current.upstreamName, hash: current.hash }, 'tool definition approved');
    return { server: current.server, tool: current.upstreamName, hash: current.hash };
  }

  rebuildCatalog(): void {
    const previous = new Set(this.catalogState.collisions.map((c) => `${c.kind}:${c.name}`));
    this.catalogState = buildCatalog(this.upstreams, this.options.prefixMode, this.options.prefixSeparator);
    this.guard.refresh(this.catalogState);
    for (const collision of this.catalogState.collisions) {
      if (previous.has(`${collision.kind}:${collision.name}`)) continue;
      const level = this.options.prefixMode === 'never' ? 'error' : 'warn';
      this.logger[level]({ collision, prefixMode: this.options.prefixMode }, this.options.prefixMode === 'never' ? `${collision.kind} name collision: only the first server's ${collision.kind} is reachable` : `${collision.kind} name collision`);
    }
  }

  /** Every routed tool (hidden ones included), classified, with what the policy in force (or `candidate`) does with it. */
  describeCatalog(candidate?: CompiledPolicy): CatalogEntry[] {
    return this.describeTools(() => true, candidate);
  }

  /** Like describeCatalog, for the tools of the servers `include` names only: classifying is the costly part. */
  private describeTools(include: (server: string) => boolean, candidate?: CompiledPolicy): CatalogEntry[] {
    const tools = [...this.catalogState.tools.entries()].filter(([, route]) => include(route.upstream.name)).map(([name, route]) => ({
      server: route.upstream.name,
      name,
      upstreamName: route.upstreamName,
      definition: route.definition,
    }));
    let policy: CompiledPolicy | undefined = candidate;
    try {
      policy ??= this.policy.current();
    } catch {
      policy = undefined;
    }
    const byServerThenName = (a: CatalogEntry, b: CatalogEntry) => a.server.localeCompare(b.server) || a.name.localeCompare(b.name);
    return catalogEntries(tools, policy, this.options.riskOverrides).sort(byServerThenName);
  }

  get approvals(): ApprovalStore | undefined {
    return this.options.approvals;
  }

  approvalPollMs(): number | undefined {
    return this.options.approvalPollMs;
  }

  asksClient(): boolean {
    return this.options.askClient === true;
  }

  auditAllowValues(): readonly string[] {
    return this.options.auditSettings?.allowValues ?? [];
  }

  /** Calls `listener` for each call held here from now on; returns an unsubscribe function. */
  onApprovalRequested(listener: (request: ApprovalRequest) => void): () => void {
    this.approvalListeners.add(listener);
    return () => this.approvalListeners.delete(listener);
  }

  approvalRequested(request: ApprovalRequest): void {
    for (const listener of this.approvalListeners) listener(request);
    this.logger.warn({ approval: request.id, agent: request.agent, tool: request.tool, rule: request.rule, expiresAt: new Date(request.expiresAt).toISOString() }, 'call held for approval');
  }

  redactsSecrets(server: string): boolean {
    return this.options.redactSecrets?.(server) === true;
  }

  /** True when decisions can no longer be recorded: allowing more calls would act unrecorded. */
  auditBacklogFull(): boolean {
    return this.options.audit?.overflowing === true;
  }

  /** Records a decided call. Never throws: the decision was made already, and a lost record is logged loudly. */
  recordAudit(call: AuditedCall): void {
    const audit = this.options.audit;
    if (!audit) return;
    try {
      audit.record(auditEntry(call, this.options.auditSettings ?? { allowValues: [] }));
    } catch (error) {
      this.logger.error({ tool: call.tool, decision: call.decision.kind, err: error instanceof Error ? error.message : String(error) }, 'audit record could not be queued');
    }
  }

  /** Persists what this upstream exposes now; a definition that differs from the one on record is reported. */
  private async recordTools(upstream: Upstream): Promise<void> {
    const store = this.options.catalogStore;
    if (!store) return;
    const observations = this.describeTools((server) => server === upstream.name).map(({ upstreamName, definitionHash, definition, assessment: { category, level, confidence, rationale } }) => ({ tool: upstreamName, definitionHash, definition, category, level, confidence, rationale }));
    const mode = this.options.pinMode?.(upstream.name) ?? 'off';
    try {
      const changes = await store.observe(upstream.name, observations, this.clock.now(), { keepChanged: mode === 'block' });
      if (changes.added.length > 0) this.logger.info({ upstream: upstream.name, tools: changes.added }, 'new tools recorded in the catalog');
      for (const changed of changes.changed) {
        const held = mode === 'block';
        if (!held) {
          const now = observations.find((o) => o.tool === changed.tool);
          if (now) this.guard.pin(upstream.name, changed.tool, now.definitionHash);
        }
        this.logger[held ? 'error' : 'warn'](
          { upstream: upstream.name, tool: changed.tool, previousHash: changed.previousHash, pin: mode },
          held ? 'tool definition changed since it was approved; calls are held until an admin approves it' : 'tool definition changed since it was last seen',
        );
      }
    } catch (error) {
      this.logger.error({ upstream: upstream.name, err: error instanceof Error ? error.message : String(error) }, 'recording the catalog failed');
    }
  }

  /** What agents are offered: the union of what the connected upstreams can do. */
  capabilities(): ServerCapabilities {
    const caps = this.upstreams.map((u) => u.capabilities);
    const any = (pick: (c: ServerCapabilities) => unknown) => caps.some((c) => pick(c) !== undefined && pick(c) !== false);
    return {
      tools: { listChanged: true },
      ...(any((c) => c.prompts) ? { prompts: { listChanged: true } } : {}),
      ...(any((c) => c.resources) ? { resources: { listChanged: true, subscribe: any((c) => c.resources?.subscribe || undefined) } } : {}),
      ...(any((c) => c.completions) ? { completions: {} } : {}),
      ...(any((c) => c.logging) ? { logging: {} } : {}),
    };
  }

  addSession(session: DownstreamSession): void {
    this.sessions.add(session);
  }

  async removeSession(session: DownstreamSession): Promise<void> {
    if (!this.sessions.delete(session)) return;
    for (const uri of session.subscriptions) await this.unsubscribe(session, uri).catch(() => undefined);
  }

  listsChanged(upstream: Upstream, kinds: readonly ListKind[]): void {
    if (this.toolsSeenWhileStarting) {
      if (kinds.includes('tools')) this.toolsSeenWhileStarting.add(upstream);
      return;
    }
    this.rebuildCatalog();
    if (kinds.includes('tools')) void this.recordTools(upstream);
    this.broadcastListsChanged(kinds);
  }

  private broadcastListsChanged(kinds: readonly ListKind[]): void {
    for (const kind of kinds) {
      this.broadcast((s) =>
        kind === 'tools' ? s.server.sendToolListChanged() : kind === 'prompts' ? s.server.sendPromptListChanged() : s.server.sendResourceListChanged(),
      );
    }
  }

  notification(upstream: Upstream, notification: ServerNotification): void {
    if (notification.method === 'notifications/resources/updated') {
      for (const session of this.uriSubscribers.get(notification.params.uri) ?? []) void session.server.notification(notification).catch(() => undefined);
      return;
    }
    this.logger.trace({ upstream: upstream.name, method: notification.method }, 'relaying notification');
    this.broadcast((s) => s.server.notification(notification));
  }

  /**
   * Upstream-initiated requests carry nothing on the wire that names the call that caused them, so they go to
   * the one session with a call in flight to that upstream (or, with none in flight, the only session). When
   * that is ambiguous the request is refused rather than guessed: a sampling prompt sent to the wrong agent
   * would leak one session's data into another.
   */
  async serverRequest(upstream: Upstream, request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>> {
    const busy = [...this.sessions].filter((s) => s.inflight.has(upstream));
    const candidates = busy.length > 0 ? busy : [...this.sessions];
    const [session] = candidates;
    if (candidates.length !== 1 || session === undefined) {
      throw new McpError(ErrorCode.InvalidRequest, `gatehouse cannot tell which agent session '${request.method}' from '${upstream.name}' belongs to (${candidates.length} candidates); refused`);
    }
    const capability = SERVER_REQUEST_CAPABILITY[request.method];
    if (capability && session.server.getClientCapabilities()?.[capability] === undefined) {
      throw new McpError(ErrorCode.MethodNotFound, `the agent's client does not support ${capability}`);
    }
    const ids = session.inflight.get(upstream);
    const related = ids?.size === 1 ? [...ids][0] : undefined;
    return session.server.request(request, PassthroughResultSchema, {
      signal,
      timeout: 10 * 60_000,
      ...(related !== undefined ? { relatedRequestId: related } : {}),
    });
  }

  async subscribe(session: DownstreamSession, uri: string, upstream: Upstream): Promise<void> {
    let subscribers = this.uriSubscribers.get(uri);
    if (!subscribers) this.uriSubscribers.set(uri, (subscribers = new Set()));
    if (subscribers.size === 0) await upstream.request('resources/subscribe', { uri });
    subscribers.add(session);
    session.subscriptions.add(uri);
  }

  async unsubscribe(session: DownstreamSession, uri: string, upstream?: Upstream): Promise<void> {
    const subscribers = this.uriSubscribers.get(uri);
    session.subscriptions.delete(uri);
    if (!subscribers?.delete(session) || subscribers.size > 0) return;
    this.uriSubscribers.delete(uri);
    const owner = upstream ?? routeResource(this.catalogState, uri);
    await owner?.request('resources/unsubscribe', { uri });
  }

  private broadcast(send: (session: DownstreamSession) => Promise<void>): void {
    for (const session of this.sessions) {
      send(session).catch((error: unknown) => this.logger.debug({ session: session.id, err: String(error) }, 'notification not delivered'));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pinTimer);
    await Promise.all([...this.sessions].map((s) => s.server.close().catch(() => undefined)));
    await Promise.all(this.upstreams.map((u) => u.close()));
  }
}
