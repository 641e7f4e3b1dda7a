import { z } from 'zod';

export const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
export const SERVER_NAME_RULE = 'server names use letters, digits, "_" and "-" and start with a letter or digit';

const StringMapSchema = z.record(z.string(), z.string());

/** One upstream MCP server. Which transport it uses follows from `command` (stdio) or `url` (HTTP). */
export const ServerConfigSchema = z
  .strictObject({
    transport: z.enum(['stdio', 'streamable-http', 'sse']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: StringMapSchema.default({}),
    cwd: z.string().optional(),
    url: z.url().optional(),
    headers: StringMapSchema.default({}),
    call_timeout_ms: z.int().positive().optional(),
    connect_timeout_ms: z.int().positive().optional(),
    enabled: z.boolean().default(true),
    /** Rug-pull defence: hold calls to a tool whose definition changed until an admin approves it (`block`). */
    pin: z.enum(['block', 'warn', 'off']).default('block'),
    /** Replace secrets (API keys, tokens, private keys) in this server's tool results before agents see them. */
    redact_secrets: z.boolean().default(false),
  })
  .superRefine((server, ctx) => {
    const wantsStdio = server.transport === 'stdio' || (server.transport === undefined && server.command !== undefined);
    if (server.command !== undefined && server.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either "command" (stdio) or "url" (HTTP), not both' });
    } else if (wantsStdio && server.command === undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'a stdio server needs "command"' });
    } else if (!wantsStdio && server.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: server.transport ? `a ${server.transport} server needs "url"` : 'expected "command" (stdio) or "url" (HTTP)' });
    }
  });

/** `admin.token: auto`: a fresh random admin token each start, printed once by `gatehouse serve`. */
export const AUTO_ADMIN_TOKEN = 'auto';

export const PrefixModeSchema = z.enum(['always', 'on-collision', 'never']);

export const ConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.int().min(0).max(65535).default(8808),
      /** Extra `Host` values (host:port) to accept, e.g. when a local reverse proxy forwards under another name. */
      allowed_hosts: z.array(z.string()).default([]),
      /** Browser origins allowed to call /mcp; loopback origins on the listen port are always allowed. */
      allowed_origins: z.array(z.string()).default([]),
      max_body_bytes: z.int().positive().default(4 * 1024 * 1024),
      /** How POST replies are framed: an SSE stream (carries progress and server→client requests) or one JSON body. */
      response_mode: z.enum(['sse', 'json']).default('sse'),
      /**
       * `node`: Gatehouse's Streamable HTTP transport on Node's own request/response (the default: a fraction of the
       * cost per call); `sdk`: the SDK's transport, through Web Request/Response objects. Same wire behaviour.
       */
      transport: z.enum(['node', 'sdk']).default('node'),
      max_header_bytes: z.int().min(1024).default(16 * 1024),
      max_sessions_per_agent: z.int().positive().default(256),
      max_inflight_per_session: z.int().positive().default(128),
      /** Sessions with no request for this long are closed (clients that vanish without DELETE). */
      session_idle_timeout_ms: z.int().positive().default(30 * 60_000),
      /** Slow-client defence: time to send the headers, and the whole request. */
      headers_timeout_ms: z.int().positive().default(10_000),
      request_timeout_ms: z.int().positive().default(60_000),
    })
    .prefault({}),
  policy: z
    .strictObject({
      path: z.string().min(1),
      hide_default_denied: z.boolean().default(true),
      watch: z.boolean().default(true),
    }),
  prefix: z
    .strictObject({
      mode: PrefixModeSchema.default('on-collision'),
      separator: z.string().min(1).default('__'),
    })
    .prefault({}),
  upstream_defaults: z
    .strictObject({
      call_timeout_ms: z.int().positive().default(60_000),
      connect_timeout_ms: z.int().positive().default(20_000),
    })
    .prefault({}),
  /** tools/list and other list results handed to agents are paged at this size. */
  page_size: z.int().positive().max(10_000).default(200),
  servers: z.record(z.string().regex(SERVER_NAME, SERVER_NAME_RULE), ServerConfigSchema),
  /** Where state lives: embedded SQLite by default; PostgreSQL and Redis for several replicas. */
  storage: z
    .strictObject({
      sqlite_path: z.string().min(1).default('.gatehouse/gatehouse.db'),
      postgres_url: z.string().min(1).optional(),
      redis_url: z.string().min(1).optional(),
      /** Prefix of every Redis key, so several deployments can share one Redis. */
      redis_key_prefix: z.string().min(1).default('gatehouse:rl:'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Argument paths (e.g. "region", "query.limit") whose values are kept; everything else is reduced to its type. */
      allow_values: z.array(z.string().min(1)).default([]),
      /** With a key, argument hashes are HMACs, so short secrets cannot be guessed back from them. */
      hash_key: z.string().optional(),
      /** Records kept in memory while the database cannot take them; past this, calls are denied (never unrecorded). */
      max_buffer: z.int().positive().default(100_000),
    })
    .prefault({}),
  /**
   * How agents prove who they are: API keys (`gatehouse keys create`) always work; JWTs when `jwt` is set. Off
   * loopback, authentication is mandatory whatever `anonymous_on_loopback` says.
   */
  auth: z
    .strictObject({
      anonymous_on_loopback: z.boolean().default(true),
      jwt: z
        .strictObject({
          issuer: z.string().min(1),
          audience: z.string().min(1),
          jwks_url: z.url().optional(),
          jwks_file: z.string().min(1).optional(),
          agent_claim: z.string().min(1).default('sub'),
        })
        .refine((jwt) => (jwt.jwks_url === undefined) !== (jwt.jwks_file === undefined), { message: 'give exactly one of jwks_url or jwks_file' })
        .optional(),
    })
    .prefault({}),
  /** The admin API under /api is enabled only when a token is set; `auto` makes a new one each start and prints it. */
  admin: z
    .strictObject({
      // Length is checked after ${VAR} expansion (load.ts): the placeholder is not the secret.
      token: z.string().optional(),
    })
    .prefault({}),
  /** Calls held for a person: who is told (a signed webhook) and whether the agent's own user may decide. */
  approvals: z
    .strictObject({
      webhook: z
        .strictObject({
          // `url` and `secret` are checked after ${VAR} expansion (load.ts): the placeholder is not the value.
          url: z.string().min(1),
          secret: z.string().min(1),
          headers: StringMapSchema.default({}).superRefine((headers, ctx) => {
            for (const name of Object.keys(headers)) {
              const lower = name.toLowerCase();
              if (lower === 'content-type' || lower.startsWith('x-gatehouse-')) {
                ctx.addIssue({ code: 'custom', path: [name], message: `'${name}' is set by the gateway on every delivery and cannot be overridden` });
              }
            }
          }),
        })
        .optional(),
      /** Ask the agent's client (MCP elicitation) to let its user approve or deny; rules may override per tool. */
      ask_client: z.boolean().default(false),
    })
    .prefault({}),
  /** Per-tool classification overrides, keyed by the name agents see or by `server/tool`. */
  risk_overrides: z
    .record(
      z.string().min(1),
      z.strictObject({
        category: z.enum(['Read', 'Write', 'Execute', 'Destructive', 'Financial', 'Other']).optional(),
        level: z.enum(['Low', 'Medium', 'High', 'Critical']).optional(),
      }),
    )
    .default({}),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type PrefixMode = z.infer<typeof PrefixModeSchema>;
export type GatewayConfig = z.infer<typeof ConfigSchema>;
