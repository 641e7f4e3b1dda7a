import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/schema.js';
import {
  systemClock,
  type AgentKeyStore,
  type ApprovalStore,
  type AuditSink,
  type CatalogStore,
  type PolicyHistory,
  type RateLimitStore,
  type ServerRegistry,
} from '../../ports.js';
import { connectLazily } from './lazy.js';
import { SqliteApprovalStore } from './sqlite/approval-store.js';
import { SqliteAgentKeyStore } from './sqlite/agent-key-store.js';
import { openDatabase } from './sqlite/database.js';
import { SqlitePolicyHistory } from './sqlite/policy-history.js';
import { SqliteServerRegistry } from './sqlite/server-registry.js';
import { SqliteAuditSink } from './sqlite/audit-sink.js';
import { ThreadedSqliteAuditSink } from './sqlite/audit-sink-thread.js';
import { MemoryRateLimitStore } from './memory/rate-limit-store.js';
import { SqliteCatalogStore } from './sqlite/catalog-store.js';

// The PostgreSQL and Redis adapters (and pg, ioredis under them) are imported only when the config names those
// servers: a default, single-process gateway never loads them, which keeps about 25 MB out of its memory.

export interface Stores {
  readonly catalog: CatalogStore;
  readonly limits: RateLimitStore;
  readonly audit: AuditSink;
  readonly keys: AgentKeyStore;
  readonly approvals: ApprovalStore;
  readonly servers: ServerRegistry;
  readonly policyHistory: PolicyHistory;
  /** Set when the approval store cannot announce decisions made in other processes, so waiters re-read it. */
  readonly approvalPollMs: number | undefined;
  close(): Promise<void>;
}

/**
 * The audit sink alone, for commands that only read the trail. It does not need the database up to be created.
 * SQLite is opened on the calling thread by default: a short-lived command gains nothing from a worker thread.
 */
export async function openAuditSink(config: GatewayConfig, openSqlite: (path: string) => Promise<AuditSink> = async (path) => new SqliteAuditSink(path)): Promise<AuditSink> {
  const { sqlite_path: sqlitePath, postgres_url: postgresUrl } = config.storage;
  if (postgresUrl) {
    const { PostgresAuditSink } = await import('./postgres/audit-sink.js');
    return PostgresAuditSink.create({ connectionString: postgresUrl });
  }
  return openSqlite(withFolder(sqlitePath));
}

/**
 * The serving gateway writes the SQLite trail from a worker thread, keeping the inserts, hashing and fsync of every
 * batch off the event loop. Not for ":memory:": that database would die with a crashed worker, and a fresh one
 * would start a new chain; an in-memory trail is for trying things out, where the main thread is fine.
 */
function openServingSqliteAuditSink(path: string): Promise<AuditSink> {
  return path === ':memory:' ? Promise.resolve(new SqliteAuditSink(path)) : ThreadedSqliteAuditSink.create(path);
}

/** The catalog (and the pinned definitions in it) alone, for commands that manage pins. */
export async function openCatalogStore(config: GatewayConfig): Promise<CatalogStore> {
  const postgresUrl = config.storage.postgres_url;
  if (!postgresUrl) return new SqliteCatalogStore(withFolder(config.storage.sqlite_path));
  const { PostgresCatalogStore } = await import('./postgres/catalog-store.js');
  return connectLazily(() => PostgresCatalogStore.create({ connectionString: postgresUrl }));
}

/** Held calls: in Redis (decisions announced over pub/sub to every replica) or in the SQLite file. */
export async function openApprovalStore(config: GatewayConfig, openSqlite: () => Database.Database = () => sqliteDatabase(config.storage.sqlite_path)): Promise<ApprovalStore> {
  const redisUrl = config.storage.redis_url;
  if (!redisUrl) return new SqliteApprovalStore(openSqlite(), systemClock);
  const { RedisApprovalStore } = await import('./redis/approval-store.js');
  return new RedisApprovalStore({ redis: redisUrl, keyPrefix: `${config.storage.redis_key_prefix}approvals:` });
}

/** Agent keys, shared by every replica through PostgreSQL when configured. */
export async function openKeyStore(config: GatewayConfig, openSqlite: () => Database.Database = () => sqliteDatabase(config.storage.sqlite_path)): Promise<AgentKeyStore> {
  const postgresUrl = config.storage.postgres_url;
  if (!postgresUrl) return new SqliteAgentKeyStore(openSqlite());
  const { PostgresAgentKeyStore } = await import('./postgres/agent-key-store.js');
  return connectLazily(() => PostgresAgentKeyStore.create({ connectionString: postgresUrl }));
}

/** Servers registered at run time, shared by every replica through PostgreSQL when configured. */
export async function openServerRegistry(config: GatewayConfig, openSqlite: () => Database.Database = () => sqliteDatabase(config.storage.sqlite_path)): Promise<ServerRegistry> {
  const postgresUrl = config.storage.postgres_url;
  if (!postgresUrl) return new SqliteServerRegistry(openSqlite());
  const { PostgresServerRegistry } = await import('./postgres/server-registry.js');
  return connectLazily(() => PostgresServerRegistry.create({ connectionString: postgresUrl }));
}

/** Saved policy versions, shared by every replica through PostgreSQL when configured. */
export async function openPolicyHistory(config: GatewayConfig, openSqlite: () => Database.Database = () => sqliteDatabase(config.storage.sqlite_path)): Promise<PolicyHistory> {
  const postgresUrl = config.storage.postgres_url;
  if (!postgresUrl) return new SqlitePolicyHistory(openSqlite());
  const { PostgresPolicyHistory } = await import('./postgres/policy-history.js');
  return connectLazily(() => PostgresPolicyHistory.create({ connectionString: postgresUrl }));
}

/** A SQLite path whose folder exists (the default lives in a `.gatehouse/` folder nobody made yet). */
function withFolder(path: string): string {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return path;
}

function sqliteDatabase(path: string): Database.Database {
  withFolder(path);
  return openDatabase(path);
}

/**
 * Picks the adapters the config asks for: embedded SQLite and in-memory limits by default; PostgreSQL and Redis
 * when configured, so that several replicas share state.
 */
export async function openStores(config: GatewayConfig, logger: Logger): Promise<Stores> {
  const { sqlite_path: sqlitePath, postgres_url: postgresUrl, redis_url: redisUrl } = config.storage;
  let sqlite: Database.Database | undefined;
  const openSqlite = () => (sqlite ??= sqliteDatabase(sqlitePath));
  const catalog: CatalogStore = postgresUrl ? await openCatalogStore(config) : new SqliteCatalogStore(openSqlite());
  const audit = await openAuditSink(config, openServingSqliteAuditSink);
  const keys = await openKeyStore(config, openSqlite);
  const approvals = await openApprovalStore(config, openSqlite);
  const servers = await openServerRegistry(config, openSqlite);
  const policyHistory = await openPolicyHistory(config, openSqlite);
  const limits: RateLimitStore = redisUrl
    ? new (await import('./redis/rate-limit-store.js')).RedisRateLimitStore({ redis: redisUrl, keyPrefix: config.storage.redis_key_prefix, onError: (error) => logger.warn({ err: error.message }, 'redis rate-limit store error') })
    : new MemoryRateLimitStore(systemClock);
  return {
    catalog,
    limits,
    audit,
    keys,
    approvals,
    servers,
    policyHistory,
    approvalPollMs: redisUrl ? undefined : 1000,
    async close() {
      await Promise.allSettled([catalog.close(), limits.close(), audit.close(), keys.close(), approvals.close(), servers.close(), policyHistory.close()]);
      sqlite?.close();
    },
  };
}
