import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import type { RunningHttp } from '../../src/adapters/http/server.js';
import { resolveConfig } from '../../src/config/load.js';
import { buildApp, serveHttp, type App } from '../../src/main.js';
import type { ApprovalRequest } from '../../src/ports.js';

/** Repository root, from dist/test/helpers/. */
export const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const SEED_POLICY = '{"version":"1","default":"deny","tools":{"get_dicom_import_job":{}}}';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/servers/${name}.js`, import.meta.url));
}

export function stdioFixture(name: string, env: Record<string, string> = {}): Record<string, unknown> {
  return { command: process.execPath, args: [fixture(name)], env };
}

export const everythingStdio = { command: process.execPath, args: [EVERYTHING, 'stdio'] };

export const ALLOW_ALL = '{"version":"1","default":"allow"}';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestGateway {
  readonly url: URL;
  readonly app: App;
  readonly http: RunningHttp;
  readonly dir: string;
  readonly policyPath: string;
  readonly logs: LogLine[];
  connect(options?: ClientOptions, headers?: Record<string, string>): Promise<Client>;
  writePolicy(text: string): void;
  close(keepDir?: boolean): Promise<void>;
}

export interface GatewaySpec {
  servers: Record<string, Record<string, unknown>>;
  policy?: string;
  config?: Record<string, unknown>;
  /** Reuse a folder (and so its SQLite state) from an earlier gateway, to test restarts. */
  dir?: string;
}

/** A real gateway on 127.0.0.1 with real upstream processes; logs are captured for assertions. */
export async function startGateway(spec: GatewaySpec): Promise<TestGateway> {
  const dir = spec.dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const policyPath = join(dir, 'policy.json');
  writeFileSync(policyPath, spec.policy ?? ALLOW_ALL);
  const config = resolveConfig({ listen: { port: 0 }, policy: { path: policyPath }, servers: spec.servers, ...spec.config }, dir, 'test-config');
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const app = await buildApp(config, logger);
  const http = await serveHttp(app, config);
  const clients: Client[] = [];
  return {
    url: new URL(http.url),
    app,
    http,
    dir,
    policyPath,
    logs,
    async connect(options, headers) {
      const client = new Client({ name: 'test-agent', version: '1.0.0' }, options);
      await client.connect(new StreamableHTTPClientTransport(new URL(http.url), headers ? { requestInit: { headers } } : {}));
      clients.push(client);
      return client;
    },
    writePolicy(text) {
      writeFileSync(policyPath, text);
    },
    async close(keepDir = false) {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await http.close();
      await app.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true; for waiting on reconnects and file watchers, bounded by `attempts`. */
export async function eventually(check: () => boolean | Promise<boolean>, attempts = 200, everyMs = 25): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('condition not reached');
}

/** The pending approval for `tool`, once the gateway has filed it. */
export async function pendingApproval(gw: TestGateway, tool: string): Promise<ApprovalRequest> {
  let found: ApprovalRequest | undefined;
  await eventually(async () => {
    found = (await gw.app.stores.approvals.list({ status: 'pending' })).find((a) => a.tool === tool);
    return found !== undefined;
  });
  return found as ApprovalRequest;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

export interface GatewayProcess {
  readonly url: URL;
  readonly stderr: () => string;
  kill(): Promise<void>;
}

/** `gatehouse serve` as its own process (for multi-replica tests); resolves once it prints its URL. */
export async function spawnGateway(configPath: string): Promise<GatewayProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'serve', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /gatehouse: listening on (\S+)/.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
