import type { Logger } from 'pino';
import type { ServerConfig } from '../config/schema.js';
import type { ClientConfigSchema } from '../config/client-config.js';
import { importServers, type ImportResult } from './import-servers.js';
import { describeIssues, type Parsed } from '../core/validation.js';
import type { Clock, RegisteredServer, ServerRegistry } from '../ports.js';
import type { Gateway } from '../proxy/gateway.js';
import type { Upstream } from '../proxy/upstream.js';
import { AdminError } from './errors.js';
import type { z } from 'zod';

export interface ServerView {
  readonly name: string;
  readonly source: 'config' | 'api';
  readonly transport: 'stdio' | 'streamable-http' | 'sse';
  readonly command?: string;
  readonly args: readonly string[];
  readonly url?: string;
  /** Only the names: values are credentials and never leave the gateway. */
  readonly envKeys: readonly string[];
  readonly headerKeys: readonly string[];
  readonly enabled: boolean;
  /** `invalid`: a registered config that no longer validates (say, an env variable it names is unset); not running. */
  readonly status: 'connecting' | 'ready' | 'down' | 'closed' | 'disabled' | 'invalid';
  readonly error?: string;
  readonly tools: number;
}

export interface ServerAdminOptions {
  /** Servers from the config file: shown, never changed through the API. */
  readonly fileServers: Readonly<Record<string, ServerConfig>>;
  readonly registry: ServerRegistry;
  readonly gateway: Gateway;
  /** The live map of every server's settings, shared with the gateway's per-server lookups. */
  readonly settings: Map<string, ServerConfig>;
  readonly createUpstream: (name: string, server: ServerConfig) => Upstream;
  /** Validates a registered config as the config file's `servers` entries are (env expansion included). */
  readonly resolve: (raw: unknown) => Parsed<ServerConfig>;
  readonly probe: (name: string, server: ServerConfig) => Promise<string[]>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** `{ [field]: map }` with each empty value replaced by the stored one, or nothing when the new config has no such map. */
function keepStoredSecrets(next: Record<string, unknown>, stored: Record<string, unknown>, field: 'env' | 'headers'): Record<string, unknown> {
  const map = next[field];
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return {};
  const previous = (stored[field] ?? {}) as Record<string, unknown>;
  const merged = Object.fromEntries(Object.entries(map).map(([key, value]) => [key, value === '' && typeof previous[key] === 'string' ? previous[key] : value]));
  return { [field]: merged };
}

/** What can be shown of a registered server whose config does not validate, with why it is not running. */
function invalidView(record: RegisteredServer, error: string): ServerView {
  const text = (key: string) => (typeof record.config[key] === 'string' ? (record.config[key] as string) : undefined);
  const keys = (key: string) => Object.keys((record.config[key] as object | undefined) ?? {});
  const command = text('command');
  const url = text('url');
  return {
    name: record.name,
    source: 'api',
    transport: command !== undefined ? 'stdio' : 'streamable-http',
    ...(command !== undefined ? { command } : {}),
    args: Array.isArray(record.config['args']) ? record.config['args'].map(String) : [],
    ...(url !== undefined ? { url } : {}),
    envKeys: keys('env'),
    headerKeys: keys('headers'),
    enabled: false,
    status: 'invalid',
    error,
    tools: 0,
  };
}

function transportOf(server: ServerConfig): ServerView['transport'] {
  return server.transport ?? (server.command !== undefined ? 'stdio' : 'streamable-http');
}

/**
 * Servers registered at run time. The registry (SQLite or PostgreSQL) is the truth; `sync` makes this replica's
 * upstreams match it, so a change made through any replica reaches all of them on their next sync.
 */
export class ServerAdmin {
  /** Registered servers running here, with the `updatedAt` of the config they run with. */
  private readonly running = new Map<string, number>();
  private syncing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServerAdminOptions) {}

  async list(): Promise<ServerView[]> {
    const registered = await this.options.registry.list();
    const views = [
      ...Object.entries(this.options.fileServers).map(([name, server]) => this.view(name, 'config', server)),
      ...registered
        .filter((r) => !(r.name in this.options.fileServers))
        .map((r) => {
          const parsed = this.options.resolve(r.config);
          return parsed.ok ? this.view(r.name, 'api', parsed.value) : invalidView(r, describeIssues(parsed.issues));
        }),
    ];
    return views.sort((a, b) => a.name.localeCompare(b.name));
  }

  async add(name: string, raw: Record<string, unknown>): Promise<ServerView> {
    const server = this.validate(raw);
    if (name in this.options.fileServers) throw new AdminError('conflict', `a server named '${name}' is defined in the config file`, 'name');
    if (await this.options.registry.get(name)) throw new AdminError('conflict', `a server named '${name}' is already registered`, 'name');
    await this.options.registry.put(name, raw, this.options.clock.now());
    await this.sync();
    return this.view(name, 'api', server);
  }

  /**
   * Replaces a registered server's config. Env and header values are never shown, so an editor cannot send them
   * back: an entry left empty keeps the value stored under that name.
   */
  async update(name: string, raw: Record<string, unknown>): Promise<ServerView> {
    this.assertNotFromFile(name);
    const stored = await this.options.registry.get(name);
    if (!stored) throw new AdminError('not_found', `no registered server named '${name}'`, 'name');
    const config = { ...raw, ...keepStoredSecrets(raw, stored.config, 'env'), ...keepStoredSecrets(raw, stored.config, 'headers') };
    const server = this.validate(config);
    await this.options.registry.put(name, config, this.options.clock.now());
    await this.sync();
    return this.view(name, 'api', server);
  }

  async remove(name: string): Promise<void> {
    this.assertNotFromFile(name);
    if (!(await this.options.registry.remove(name))) throw new AdminError('not_found', `no registered server named '${name}'`, 'name');
    await this.sync();
  }

  /** Connects to a server that need not be registered, and reports what it exposes or why it cannot be reached. */
  async test(raw: unknown): Promise<{ ok: true; tools: string[]; ms: number } | { ok: false; error: string; ms: number }> {
    const server = this.validate(raw);
    const started = this.options.clock.now();
    try {
      const tools = await this.options.probe('test', server);
      return { ok: true, tools, ms: this.options.clock.now() - started };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error), ms: this.options.clock.now() - started };
    }
  }

  /** Registers the servers of a client's config (`mcpServers`) and starts them; see importServers. */
  async importClientConfig(document: z.infer<typeof ClientConfigSchema>): Promise<ImportResult> {
    const { registry, fileServers, resolve, clock } = this.options;
    const result = await importServers(document, { registry, fileServers: Object.keys(fileServers), resolve, now: clock.now() });
    if (result.imported.length > 0) await this.sync();
    return result;
  }

  /** Re-reads the registry every `everyMs`, so servers changed through another replica are picked up. */
  start(everyMs: number): void {
    this.timer = setInterval(() => void this.sync().catch((error: unknown) => this.options.logger.error({ err: String(error) }, 'reading registered servers failed')), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Makes the running upstreams match the registry; one sync at a time. */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.reconcile());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  private async reconcile(): Promise<void> {
    const registered = new Map((await this.options.registry.list()).map((r) => [r.name, r]));
    for (const [name, updatedAt] of this.running) {
      const now = registered.get(name);
      if (now?.updatedAt === updatedAt) continue;
      await this.stopServer(name);
    }
    for (const record of registered.values()) {
      if (this.running.has(record.name) || record.name in this.options.fileServers) continue;
      await this.startServer(record);
    }
  }

  private async startServer(record: RegisteredServer): Promise<void> {
    const parsed = this.options.resolve(record.config);
    if (!parsed.ok) {
      this.options.logger.error({ server: record.name, issues: parsed.issues }, 'registered server has an invalid config; not started');
      return;
    }
    this.running.set(record.name, record.updatedAt);
    this.options.settings.set(record.name, parsed.value);
    if (!parsed.value.enabled) return;
    this.options.logger.info({ server: record.name }, 'starting registered server');
    await this.options.gateway.addUpstream(this.options.createUpstream(record.name, parsed.value));
  }

  private async stopServer(name: string): Promise<void> {
    this.running.delete(name);
    this.options.settings.delete(name);
    this.options.logger.info({ server: name }, 'stopping registered server');
    await this.options.gateway.removeUpstream(name);
  }

  private validate(raw: unknown): ServerConfig {
    const parsed = this.options.resolve(raw);
    if (!parsed.ok) throw AdminError.invalid('config', parsed.issues);
    return parsed.value;
  }

  private assertNotFromFile(name: string): void {
    if (name in this.options.fileServers) throw new AdminError('conflict', `'${name}' is defined in the config file; change it there`, 'name');
  }

  private view(name: string, source: ServerView['source'], server: ServerConfig): ServerView {
    const upstream = this.options.gateway.upstreams.find((u) => u.name === name);
    const status: ServerView['status'] = !server.enabled ? 'disabled' : (upstream?.status ?? 'connecting');
    return {
      name,
      source,
      transport: transportOf(server),
      ...(server.command !== undefined ? { command: server.command } : {}),
      args: server.args,
      ...(server.url !== undefined ? { url: server.url } : {}),
      envKeys: Object.keys(server.env),
      headerKeys: Object.keys(server.headers),
      enabled: server.enabled,
      status,
      ...(upstream?.lastError ? { error: upstream.lastError } : {}),
      tools: upstream?.tools.length ?? 0,
    };
  }
}
