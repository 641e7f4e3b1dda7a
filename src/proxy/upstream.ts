import { GATEHOUSE_VERSION } from '../version.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListPromptsResultSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  ListRootsRequestSchema,
  ListToolsResultSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { PassthroughResultSchema } from './passthrough.js';

export type UpstreamStatus = 'connecting' | 'ready' | 'down' | 'closed';
export type ListKind = 'tools' | 'prompts' | 'resources';

export interface UpstreamHooks {
  /** A list this upstream exposes changed (after connect, reconnect or a list_changed notification). */
  listsChanged(upstream: Upstream, kinds: readonly ListKind[]): void;
  /** A notification to pass on to agents (log messages, resource updates). */
  notification(upstream: Upstream, notification: ServerNotification): void;
  /** A server→client request (sampling, elicitation, roots) to answer through the agent that caused it. */
  serverRequest(upstream: Upstream, request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
}

export interface UpstreamOptions {
  readonly name: string;
  readonly createTransport: () => Promise<Transport>;
  readonly callTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly hooks: UpstreamHooks;
  readonly logger: Logger;
}

export class UpstreamUnavailableError extends Error {
  constructor(readonly upstream: string, detail: string) {
    super(`upstream '${upstream}' is unavailable: ${detail}`);
    this.name = 'UpstreamUnavailableError';
  }
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 30_000;

/** A cursor-paged list method, read to the end. */
async function readAllPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  // A bound on pages so that a server returning the same cursor forever cannot hang a refresh.
  for (let page = 0; page < 1000; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/**
 * One upstream MCP server behind one SDK `Client`. It reconnects with exponential backoff when the connection
 * drops, keeps the last lists it saw, and fails calls fast (never hangs them) while it is down.
 */
export class Upstream {
  readonly name: string;
  status: UpstreamStatus = 'connecting';
  lastError: string | undefined;
  tools: Tool[] = [];
  prompts: Prompt[] = [];
  resources: Resource[] = [];
  resourceTemplates: ResourceTemplate[] = [];
  private client: Client | undefined;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Per list kind, while a refresh for a list_changed notification runs: whether another notification came since. */
  private readonly notifiedDuringRefresh = new Map<ListKind, boolean>();

  constructor(private readonly options: UpstreamOptions) {
    this.name = options.name;
  }

  get capabilities(): ServerCapabilities {
    return this.client?.getServerCapabilities() ?? {};
  }

  get serverInfo(): { name: string; version: string } | undefined {
    return this.client?.getServerVersion();
  }

  /** Connects once; on failure the upstream stays down and retries in the background. Never throws. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.status === 'closed') return;
    this.status = 'connecting';
    const client = this.createClient();
    try {
      await client.connect(await this.options.createTransport(), { timeout: this.options.connectTimeoutMs });
      this.client = client;
      await this.refresh(['tools', 'prompts', 'resources']);
      this.status = 'ready';
      this.attempt = 0;
      this.lastError = undefined;
      this.options.logger.info({ upstream: this.name, server: client.getServerVersion(), tools: this.tools.length }, 'upstream connected');
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ upstream: this.name, err: this.lastError }, 'upstream connection failed');
      this.client = undefined;
      await client.close().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private createClient(): Client {
    const client = new Client(
      { name: 'gatehouse', version: GATEHOUSE_VERSION },
      // Declared so that upstreams offer their sampling/elicitation/roots features; each such request is answered
      // by the agent that caused it, or refused when that agent's client lacks the capability.
      { capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } },
    );
    const { hooks } = this.options;
    for (const schema of [CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema]) {
      client.setRequestHandler(schema, (request, extra) => hooks.serverRequest(this, request as ServerRequest, extra.signal) as never);
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.refreshAndReport('tools'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.refreshAndReport('prompts'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.refreshAndReport('resources'));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => hooks.notification(this, n));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => hooks.notification(this, n));
    client.onclose = () => this.lost('connection closed');
    client.onerror = (error) => this.options.logger.warn({ upstream: this.name, err: error.message }, 'upstream transport error');
    return client;
  }

  private lost(reason: string): void {
    if (this.status === 'closed' || this.client === undefined) return;
    this.client = undefined;
    this.status = 'down';
    this.lastError = reason;
    this.options.logger.warn({ upstream: this.name, reason }, 'upstream lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.status === 'closed') return;
    this.status = 'down';
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  /**
   * Re-reads one list after a list_changed notification. Notifications that arrive while that list is being read
   * are answered by one more read once it is done, since it starts after them: a server that registers several
   * tools in a row (server-everything sends five notifications right after connecting) costs two reads and two
   * catalog rebuilds instead of five.
   */
  private async refreshAndReport(kind: ListKind): Promise<void> {
    if (this.notifiedDuringRefresh.has(kind)) {
      this.notifiedDuringRefresh.set(kind, true);
      return;
    }
    try {
      do {
        this.notifiedDuringRefresh.set(kind, false);
        try {
          await this.refresh([kind]);
        } catch (error) {
          this.options.logger.warn({ upstream: this.name, err: String(error) }, 'refreshing lists failed');
        }
      } while (this.notifiedDuringRefresh.get(kind) === true);
    } finally {
      this.notifiedDuringRefresh.delete(kind);
    }
  }

  private async refresh(kinds: readonly ListKind[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    const caps = client.getServerCapabilities() ?? {};
    const opts = { timeout: this.options.callTimeoutMs };
    for (const kind of kinds) {
      if (kind === 'tools' && caps.tools) {
        this.tools = await readAllPages(async (cursor) => {
          const r = await client.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, ListToolsResultSchema, opts);
          return { items: r.tools, nextCursor: r.nextCursor };
        });
      } else if (kind === 'prompts' && caps.prompts) {
        this.prompts = await readAllPages(async (cursor) => {
          const r = await client.request({ method: 'prompts/list', params: cursor ? { cursor } : {} }, ListPromptsResultSchema, opts);
          return { items: r.prompts, nextCursor: r.nextCursor };
        });
      } else if (kind === 'resources' && caps.resources) {
        this.resources = await readAllPages(async (cursor) => {
          const r = await client.request({ method: 'resources/list', params: cursor ? { cursor } : {} }, ListResourcesResultSchema, opts);
          return { items: r.resources, nextCursor: r.nextCursor };
        });
        this.resourceTemplates = await readAllPages(async (cursor) => {
          const r = await client.request({ method: 'resources/templates/list', params: cursor ? { cursor } : {} }, ListResourceTemplatesResultSchema, opts);
          return { items: r.resourceTemplates, nextCursor: r.nextCursor };
        });
      }
    }
    this.options.hooks.listsChanged(this, kinds);
  }

  /**
   * Sends a request upstream and returns the result as the upstream sent it. Fails at once when the upstream is
   * down; otherwise bounded by the per-call timeout (reset by progress, as long-running tools report progress).
   */
  async request(method: string, params: Record<string, unknown> | undefined, options: RequestOptions = {}): Promise<Record<string, unknown>> {
    const client = this.client;
    if (!client || this.status !== 'ready') throw new UpstreamUnavailableError(this.name, this.lastError ?? this.status);
    return client.request({ method, ...(params ? { params } : {}) } as never, PassthroughResultSchema, {
      timeout: this.options.callTimeoutMs,
      resetTimeoutOnProgress: true,
      ...options,
    });
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.client && this.status === 'ready') await this.client.notification({ method, ...(params ? { params } : {}) } as never);
  }

  async close(): Promise<void> {
    this.status = 'closed';
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }
}
