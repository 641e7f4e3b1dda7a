import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AUTO_ADMIN_TOKEN, ConfigSchema, ServerConfigSchema, type GatewayConfig, type ServerConfig } from './schema.js';
import { InvalidDocumentError, formatPath, parseWith, type Parsed, type ValidationIssue } from '../core/validation.js';

export class ConfigError extends InvalidDocumentError {
  constructor(file: string, issues: readonly ValidationIssue[]) {
    super('config', file, issues);
    this.name = 'ConfigError';
  }
}

/** `${NAME}` is taken from the gateway's environment, so secrets stay out of the file. */
function expandString(value: string, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: ValidationIssue[]): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
    return resolved ?? '';
  });
}

function expandVariables(map: Record<string, string>, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: ValidationIssue[]) {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, expandString(value, [...path, key], env, issues)]));
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function parseText(file: string, text: string): unknown {
  try {
    return /\.ya?ml$/i.test(file) ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new ConfigError(file, [{ path: '$', message: `cannot parse: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

/** Validates a config object; relative paths are resolved against `baseDir` (the config file's folder). */
export function resolveConfig(raw: unknown, baseDir: string, file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = parseWith(ConfigSchema, raw);
  if (!parsed.ok) throw new ConfigError(file, parsed.issues);
  const config = parsed.value;
  const issues: ValidationIssue[] = [];
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  config.policy.path = abs(config.policy.path);
  config.storage.sqlite_path = config.storage.sqlite_path === ':memory:' ? ':memory:' : abs(config.storage.sqlite_path);
  const expandOne = (value: string | undefined, path: PropertyKey[]) => (value === undefined ? undefined : expandString(value, path, env, issues));
  const postgres = expandOne(config.storage.postgres_url, ['storage', 'postgres_url']);
  const redis = expandOne(config.storage.redis_url, ['storage', 'redis_url']);
  const token = expandOne(config.admin.token, ['admin', 'token']);
  const hashKey = expandOne(config.audit.hash_key, ['audit', 'hash_key']);
  if (hashKey !== undefined && hashKey.length < 16) issues.push({ path: '$.audit.hash_key', message: 'use a hash key of at least 16 characters (after ${VAR} expansion)' });
  config.audit = { allow_values: config.audit.allow_values, max_buffer: config.audit.max_buffer, ...(hashKey ? { hash_key: hashKey } : {}) };
  config.storage = { sqlite_path: config.storage.sqlite_path, redis_key_prefix: config.storage.redis_key_prefix, ...(postgres ? { postgres_url: postgres } : {}), ...(redis ? { redis_url: redis } : {}) };
  if (token !== undefined && token !== AUTO_ADMIN_TOKEN && token.length < 16) issues.push({ path: '$.admin.token', message: 'use an admin token of at least 16 characters (after ${VAR} expansion)' });
  config.admin = token ? { token } : {};
  const webhook = config.approvals.webhook;
  if (webhook) {
    // A value whose variable is missing is reported once, as missing, not again as malformed.
    const expanded = (value: string, field: string) => {
      const before = issues.length;
      const result = expandString(value, ['approvals', 'webhook', field], env, issues);
      return issues.length === before ? result : undefined;
    };
    const url = expanded(webhook.url, 'url');
    const secret = expanded(webhook.secret, 'secret');
    if (url !== undefined && !isHttpUrl(url)) issues.push({ path: '$.approvals.webhook.url', message: 'expected an http:// or https:// URL (after ${VAR} expansion)' });
    if (secret !== undefined && secret.length < 16) issues.push({ path: '$.approvals.webhook.secret', message: 'use a webhook secret of at least 16 characters (after ${VAR} expansion)' });
    config.approvals.webhook = { url: url ?? '', secret: secret ?? '', headers: expandVariables(webhook.headers, ['approvals', 'webhook', 'headers'], env, issues) };
  }
  if (config.auth.jwt?.jwks_file !== undefined) config.auth.jwt.jwks_file = abs(config.auth.jwt.jwks_file);
  for (const [name, server] of Object.entries(config.servers)) finishServer(server, ['servers', name], abs, env, issues);
  if (issues.length > 0) throw new ConfigError(file, issues);
  return config;
}

/** `${VAR}` in env and headers from the environment, `cwd` relative to the config file's folder. */
function finishServer(server: ServerConfig, path: PropertyKey[], abs: (p: string) => string, env: NodeJS.ProcessEnv, issues: ValidationIssue[]): void {
  server.env = expandVariables(server.env, [...path, 'env'], env, issues);
  server.headers = expandVariables(server.headers, [...path, 'headers'], env, issues);
  if (server.cwd !== undefined) server.cwd = abs(server.cwd);
}

/**
 * One server's config on its own, as registered through the admin API: validated exactly like a `servers` entry
 * of the config file. Issue paths are relative to the server (`$.url`).
 */
export function resolveServerConfig(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv = process.env): Parsed<ServerConfig> {
  const parsed = parseWith(ServerConfigSchema, raw);
  if (!parsed.ok) return parsed;
  const issues: ValidationIssue[] = [];
  finishServer(parsed.value, [], (p) => (isAbsolute(p) ? p : resolve(baseDir, p)), env, issues);
  return issues.length > 0 ? { ok: false, issues } : parsed;
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '$', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  return resolveConfig(parseText(file, text), dirname(resolve(file)), file, env);
}
