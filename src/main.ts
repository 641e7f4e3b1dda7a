import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { startHttp, type HttpLimits, type RunningHttp } from './adapters/http/server.js';
import { createLogger } from './adapters/logger.js';
import { serveStdio } from './adapters/stdio.js';
import { createUpstreamTransport } from './adapters/upstream/transport.js';
import { loadConfigFile, resolveServerConfig } from './config/load.js';
import { PolicyFile } from './config/policy-file.js';
import { openCatalogStore, openServerRegistry, openStores, type Stores } from './adapters/stores/open.js';
import { MemoryRateLimitStore } from './adapters/stores/memory/rate-limit-store.js';
import { AUTO_ADMIN_TOKEN, type GatewayConfig, type ServerConfig } from './config/schema.js';
import { probeServer } from './adapters/upstream/probe.js';
import { ServerAdmin } from './admin/servers.js';
import { PolicyAdmin } from './admin/policy.js';
import type { AdminServices } from './admin/services.js';
import { systemClock, type ApprovalRequest, type PolicyProvider } from './ports.js';
import { Authenticator } from './adapters/http/authenticate.js';
import { anonymousAllowed } from './adapters/http/loopback.js';
import { Gateway } from './proxy/gateway.js';
import { AuditWriter } from './proxy/audit-writer.js';
import { GatewayMetrics } from './adapters/metrics.js';
import { Upstream } from './proxy/upstream.js';
import { ApprovalWebhook } from './adapters/approval-webhook.js';
import { withApprovalEvents } from './proxy/approval-events.js';

export interface App {
  readonly gateway: Gateway;
  readonly metrics: GatewayMetrics;
  readonly policy: PolicyFile;
  readonly stores: Stores;
  readonly audit: AuditWriter;
  readonly logger: Logger;
  /** What the admin API and console act on. */
  readonly admin: AdminServices;
  close(): Promise<void>;
}

/** How often a replica re-reads the servers registered through the admin API (on any replica). */
const SERVER_SYNC_MS = 5000;

/** A registered server's config, validated like the config file's; a relative `cwd` is taken from the gateway's own. */
const resolveRegistered = (raw: unknown) => resolveServerConfig(raw, process.cwd());

/** Builds the SDK client side of one configured server; its traffic is routed through whatever gateway `gatewayOf` returns. */
export type UpstreamFactory = (name: string, server: ServerConfig) => Upstream;

function upstreamFactory(config: GatewayConfig, logger: Logger, gatewayOf: () => Gateway | undefined): UpstreamFactory {
  return (name, server) =>
    new Upstream({
      name,
      createTransport: () => createUpstreamTransport(name, server, logger),
      callTimeoutMs: server.call_timeout_ms ?? config.upstream_defaults.call_timeout_ms,
      connectTimeoutMs: server.connect_timeout_ms ?? config.upstream_defaults.connect_timeout_ms,
      logger,
      hooks: {
        listsChanged: (upstream, kinds) => gatewayOf()?.listsChanged(upstream, kinds),
        notification: (upstream, notification) => gatewayOf()?.notification(upstream, notification),
        serverRequest: async (upstream, request, signal) => {
          const gateway = gatewayOf();
          if (!gateway) throw new Error('gateway is not started');
          return gateway.serverRequest(upstream, request, signal);
        },
      },
    });
}

/**
 * Upstreams and the gateway that routes between them and agents; not yet started. `servers` is the live map of
 * every server's config (the file's, plus those registered at run time), read for per-server settings.
 */
function createGateway(
  config: GatewayConfig,
  servers: ReadonlyMap<string, ServerConfig>,
  policy: PolicyProvider,
  logger: Logger,
  stores: Pick<Stores, 'limits'> & Partial<Stores>,
  audit?: AuditWriter,
): { gateway: Gateway; createUpstream: UpstreamFactory } {
  let gateway: Gateway | undefined;
  const createUpstream = upstreamFactory(config, logger, () => gateway);
  const upstreams = [...servers].filter(([, server]) => server.enabled).map(([name, server]) => createUpstream(name, server));
  gateway = new Gateway({
    upstreams,
    policy,
    prefixMode: config.prefix.mode,
    prefixSeparator: config.prefix.separator,
    pageSize: config.page_size,
    hideDefaultDenied: config.policy.hide_default_denied,
    riskOverrides: config.risk_overrides,
    pinMode: (server) => servers.get(server)?.pin ?? 'block',
    redactSecrets: (server) => servers.get(server)?.redact_secrets === true,
    limits: stores.limits,
    ...(stores.catalog ? { catalogStore: stores.catalog } : {}),
    ...(stores.approvals ? { approvals: stores.approvals } : {}),
    ...(stores.approvalPollMs !== undefined ? { approvalPollMs: stores.approvalPollMs } : {}),
    askClient: config.approvals.ask_client,
    ...(audit ? { audit, auditSettings: { allowValues: config.audit.allow_values, hashKey: config.audit.hash_key } } : {}),
    logger,
  });
  return { gateway, createUpstream };
}

async function startGateway(gateway: Gateway, onUpstreamStarted?: (upstream: Upstream) => void): Promise<void> {
  try {
    await gateway.start(onUpstreamStarted);
  } catch (error) {
    await gateway.close();
    throw error;
  }
}

/** The configured approval webhook, if any; the caller closes it (or waits for it to settle). */
export function approvalWebhookFor(config: GatewayConfig, logger: Logger): ApprovalWebhook | undefined {
  const webhook = config.approvals.webhook;
  return webhook && new ApprovalWebhook({ url: webhook.url, secret: webhook.secret, headers: webhook.headers, logger });
}

/**
 * The composition root: the one place that turns config into running parts. Throws (and so refuses to start)
 * on an invalid policy or a forbidden name collision.
 */
export async function buildApp(config: GatewayConfig, logger: Logger = createLogger(config.log_level)): Promise<App> {
  const policy = new PolicyFile(config.policy.path, { hideDefaultDenied: config.policy.hide_default_denied }, logger);
  const stores = await openStores(config, logger);
  const audit = new AuditWriter({ sink: stores.audit, logger, maxBuffer: config.audit.max_buffer });
  const webhook = approvalWebhookFor(config, logger);
  const approvals = webhook ? withApprovalEvents(stores.approvals, webhook) : stores.approvals;
  const settings = new Map<string, ServerConfig>(Object.entries(config.servers));
  const { gateway, createUpstream } = createGateway(config, settings, policy, logger, { ...stores, approvals }, audit);
  const metrics = new GatewayMetrics(gateway, audit);
  gateway.observer = metrics;
  try {
    await startGateway(gateway);
  } catch (error) {
    await webhook?.close();
    await audit.close().catch(() => undefined);
    await stores.close();
    throw error;
  }
  const servers = new ServerAdmin({
    fileServers: config.servers,
    registry: stores.servers,
    gateway,
    settings,
    createUpstream,
    resolve: resolveRegistered,
    probe: (name, server) => probeServer(name, server, server.connect_timeout_ms ?? config.upstream_defaults.connect_timeout_ms, logger),
    clock: systemClock,
    logger,
  });
  // A registry that cannot be read leaves only the registered servers out: nothing is allowed that policy would not.
  await servers.sync().catch((error: unknown) => logger.error({ err: String(error) }, 'registered servers could not be read; retrying in the background'));
  servers.start(SERVER_SYNC_MS);
  const policyAdmin = new PolicyAdmin(policy, stores.policyHistory, gateway, systemClock, logger);
  void policyAdmin.recordFileEdit();
  if (config.policy.watch) policy.watch();
  const admin: AdminServices = {
    gateway,
    servers,
    policy: policyAdmin,
    audit: stores.audit,
    keys: stores.keys,
    watchApprovals: (listener: (approval: ApprovalRequest) => void) => {
      // A shared store (Redis) announces requests filed on every replica; otherwise this gateway's own are all there are.
      const stopRequested = stores.approvals.onRequested ? stores.approvals.onRequested(listener) : gateway.onApprovalRequested(listener);
      const stopDecided = stores.approvals.onDecided(listener);
      return () => {
        stopRequested();
        stopDecided();
      };
    },
    clock: systemClock,
  };
  return {
    gateway,
    metrics,
    policy,
    stores,
    audit,
    logger,
    admin,
    async close() {
      servers.stop();
      policy.close();
      await gateway.close();
      await webhook?.close();
      // Everything decided is written before the databases close.
      await audit.close().catch((error: unknown) => logger.error({ err: String(error) }, 'audit records lost at shutdown'));
      await stores.close();
    },
  };
}

export function httpLimitsOf(listen: GatewayConfig['listen']): HttpLimits {
  return {
    maxHeaderBytes: listen.max_header_bytes,
    maxSessionsPerAgent: listen.max_sessions_per_agent,
    maxInflightPerSession: listen.max_inflight_per_session,
    sessionIdleMs: listen.session_idle_timeout_ms,
    headersTimeoutMs: listen.headers_timeout_ms,
    requestTimeoutMs: listen.request_timeout_ms,
  };
}

/**
 * Serves an app over HTTP as its config says: listen address, limits, admin API and agent authentication. With
 * `admin.token: auto` the admin token is made here, fresh for this run, for `gatehouse serve` to show once.
 */
export async function serveHttp(app: App, config: GatewayConfig): Promise<RunningHttp & { generatedAdminToken?: string }> {
  const generatedAdminToken = config.admin.token === AUTO_ADMIN_TOKEN ? randomBytes(24).toString('base64url') : undefined;
  const jwt = config.auth.jwt;
  // jose is loaded only when agents may present JWTs.
  const verifyJwt = jwt && (await import('./adapters/http/jwt.js')).jwtVerifier({ issuer: jwt.issuer, audience: jwt.audience, jwksUrl: jwt.jwks_url, jwksFile: jwt.jwks_file });
  const authenticator = new Authenticator(
    {
      allowAnonymous: anonymousAllowed(config.listen.host, config.auth.anonymous_on_loopback),
      jwt: jwt && verifyJwt && { verify: verifyJwt, agentClaim: jwt.agent_claim },
    },
    app.stores.keys,
    systemClock,
  );
  const http = await startHttp(app.gateway, {
    host: config.listen.host,
    port: config.listen.port,
    maxBodyBytes: config.listen.max_body_bytes,
    allowedHosts: config.listen.allowed_hosts,
    allowedOrigins: config.listen.allowed_origins,
    responseMode: config.listen.response_mode,
    transport: config.listen.transport,
    limits: httpLimitsOf(config.listen),
    adminToken: generatedAdminToken ?? config.admin.token,
    adminServices: app.admin,
    authenticate: (req) => authenticator.authenticate(req),
    metrics: app.metrics,
    unready: async () => {
      const reasons: string[] = [];
      if (!app.audit.healthy) reasons.push('the audit database does not accept writes');
      const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
      await app.stores.limits.ping?.().catch((error: unknown) => reasons.push(`the rate-limit store does not answer: ${describe(error)}`));
      if (config.storage.postgres_url) await app.stores.keys.list().catch((error: unknown) => reasons.push(`PostgreSQL (agent keys, catalog, audit) does not answer: ${describe(error)}`));
      return reasons;
    },
  });
  return generatedAdminToken ? Object.assign(http, { generatedAdminToken }) : http;
}

export async function runHttp(configFile: string): Promise<{ app: App; http: RunningHttp & { generatedAdminToken?: string } }> {
  const config = loadConfigFile(configFile);
  const app = await buildApp(config);
  const http = await serveHttp(app, config).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  app.logger.info({ url: http.url, tools: app.gateway.catalog.tools.size }, 'gatehouse listening');
  return { app, http };
}

/** The config file's servers and those registered through the admin API (skipping any whose config no longer validates). */
async function allServers(config: GatewayConfig): Promise<Map<string, ServerConfig>> {
  const servers = new Map<string, ServerConfig>(Object.entries(config.servers));
  const registry = await openServerRegistry(config);
  try {
    for (const record of await registry.list()) {
      const parsed = resolveRegistered(record.config);
      if (parsed.ok && !servers.has(record.name)) servers.set(record.name, parsed.value);
    }
  } finally {
    await registry.close();
  }
  return servers;
}

/**
 * For one-shot commands (`catalog`, `policy suggest|check`): connects to every upstream, reporting each as it
 * answers or fails, and hands back the gateway to read from. The caller closes it.
 */
export async function openCatalog(
  configFile: string,
  onUpstreamStarted: (upstream: Upstream) => void,
  options: { withPins?: boolean } = {},
): Promise<{ gateway: Gateway; config: GatewayConfig; close(): Promise<void> }> {
  const config = loadConfigFile(configFile);
  const logger = createLogger('silent');
  const policy = new PolicyFile(config.policy.path, { hideDefaultDenied: config.policy.hide_default_denied }, logger);
  // One-shot commands read the catalog and charge no quotas; only `pins` needs the pinned definitions on record.
  const catalog = options.withPins ? await openCatalogStore(config) : undefined;
  const { gateway } = createGateway(config, await allServers(config), policy, logger, { limits: new MemoryRateLimitStore(), ...(catalog ? { catalog } : {}) });
  await startGateway(gateway, onUpstreamStarted);
  return {
    gateway,
    config,
    async close() {
      await gateway.close();
      await catalog?.close();
    },
  };
}

export async function runStdio(configFile: string, agent: string): Promise<void> {
  const config = loadConfigFile(configFile);
  const app = await buildApp(config);
  const { closed } = await serveStdio(app.gateway, agent, config.listen.max_body_bytes);
  await closed;
  await app.close();
}
