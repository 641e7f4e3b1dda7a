import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { AdminError, type AdminErrorKind } from '../../../admin/errors.js';
import type { AdminServices } from '../../../admin/services.js';
import { issuesFromZod, type ValidationIssue } from '../../../core/validation.js';
import { BodyTooLargeError, readBody } from '../body.js';
import { openApiDocument } from './openapi.js';
import { compileRoutes, type Route } from './route.js';
import { approvalRoutes } from './routes/approvals.js';
import { auditRoutes } from './routes/audit.js';
import { catalogRoutes } from './routes/catalog.js';
import { keyRoutes } from './routes/keys.js';
import { overviewRoutes } from './routes/overview.js';
import { policyRoutes } from './routes/policy.js';
import { serverRoutes } from './routes/servers.js';

export const ADMIN_ROUTES: readonly Route[] = [...overviewRoutes, ...serverRoutes, ...catalogRoutes, ...policyRoutes, ...approvalRoutes, ...auditRoutes, ...keyRoutes];
const COMPILED = compileRoutes(ADMIN_ROUTES);
const MAX_BODY_BYTES = 1024 * 1024;
const STATUS: Record<AdminErrorKind, number> = { invalid: 400, too_large: 413, not_found: 404, conflict: 409, unavailable: 503 };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendApiError(res: ServerResponse, status: number, message: string, path?: string, issues: readonly ValidationIssue[] = []): void {
  if (res.headersSent) return void res.destroy();
  sendJson(res, status, { error: { message, ...(path ? { path } : {}), ...(issues.length > 1 ? { issues } : {}) } });
}

/** Constant-time comparison of digests, so the token's length and prefix are not leaked by timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice(7) : '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

/** Request paths name fields of the body or the query, without the JSON root: `$.config.url` → `config.url`. */
function validate<T>(schema: z.ZodType<T> | undefined, input: unknown): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw AdminError.invalid('', issuesFromZod(parsed.error));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AdminError('too_large', error.message);
    throw error;
  }
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new AdminError('invalid', `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function decodeParams(names: readonly string[], match: RegExpExecArray): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
}

/**
 * The admin API under /api, for the console and scripts. It is separate from agent traffic: it needs the admin
 * token, and without a configured token it does not exist (only its description, /api/openapi.json, is public).
 */
export function createAdminApi(services: AdminServices | undefined, token: string | undefined, version: string) {
  let openApi: string | undefined;
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (path === '/api/openapi.json' && req.method === 'GET') {
      openApi ??= JSON.stringify(openApiDocument(ADMIN_ROUTES, version), null, 2);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(openApi);
    }
    if (!token || !services) return sendApiError(res, 404, 'the admin API is disabled: set admin.token in the config to enable it');
    if (!tokenMatches(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendApiError(res, 401, 'missing or wrong admin token');
    }
    const matches = COMPILED.flatMap((compiled) => {
      const match = compiled.pattern.exec(path);
      return match ? [{ compiled, match }] : [];
    });
    const found = matches.find((m) => m.compiled.route.method === req.method);
    if (!found) {
      if (matches.length === 0) return sendApiError(res, 404, `no such endpoint: ${path}`);
      res.setHeader('allow', matches.map((m) => m.compiled.route.method).join(', '));
      return sendApiError(res, 405, `${req.method ?? ''} is not supported on ${path}`);
    }
    const { route } = found.compiled;
    try {
      const params = validate(route.params, decodeParams(found.compiled.names, found.match));
      const queryInput = validate(route.query, Object.fromEntries(query));
      const body = route.body ? validate(route.body, await readJson(req)) : undefined;
      const reply = await route.handle({ params, query: queryInput, body, services, req, res });
      if (reply) sendJson(res, reply.status, reply.body);
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      sendApiError(res, STATUS[error.kind], error.message, error.path, error.issues);
    }
  };
}
