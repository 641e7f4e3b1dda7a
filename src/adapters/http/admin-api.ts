import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogEntry } from '../../core/catalog/entries.js';
import { suggestRule } from '../../core/policy/index.js';
import { attackPatternsFor } from '../../core/risk/index.js';
import type { Gateway } from '../../proxy/gateway.js';
import { BodyTooLargeError, readBody } from './body.js';

/** A small JSON object body (decisions carry a note at most); anything else is a 400 naming the problem. */
async function readJsonBody(req: IncomingMessage): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; error: string; path?: string }> {
  try {
    const raw = await readBody(req, 64 * 1024);
    if (raw.length === 0) return { ok: true, value: {} };
    const value = JSON.parse(raw.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'the body must be a JSON object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: error instanceof BodyTooLargeError ? error.message : `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendApiError(res: ServerResponse, status: number, message: string, path?: string): void {
  sendJson(res, status, { error: { message, ...(path ? { path } : {}) } });
}

/** Constant-time comparison of digests, so the token's length and prefix are not leaked by timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice(7) : '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

function catalogJson(gateway: Gateway, entry: CatalogEntry) {
  const { assessment } = entry;
  return {
    findings: gateway.guard.findings(entry.name),
    pin: gateway.guard.pinState(entry.name),
    server: entry.server,
    name: entry.name,
    upstreamName: entry.upstreamName,
    category: assessment.category,
    level: assessment.level,
    confidence: assessment.confidence,
    rationale: assessment.rationale,
    policy: entry.effect,
    rule: entry.rule,
    definitionHash: entry.definitionHash,
  };
}

/**
 * The admin API under /api, for the console and scripts. It is separate from agent traffic: it needs the admin
 * token, and without a configured token it does not exist.
 */
export function createAdminApi(gateway: Gateway, token: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    if (!token) return sendApiError(res, 404, 'the admin API is disabled: set admin.token in the config to enable it');
    if (!tokenMatches(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendApiError(res, 401, 'missing or wrong admin token');
    }
    const approval = /^\/api\/approvals\/([^/]+)\/(approve|deny)$/.exec(path);
    if (approval && req.method === 'POST') {
      const store = gateway.approvals;
      if (!store) return sendApiError(res, 404, 'no approval store is configured');
      const body = await readJsonBody(req);
      if (!body.ok) return sendApiError(res, 400, body.error, body.path);
      const note = body.value['note'];
      if (note !== undefined && typeof note !== 'string') return sendApiError(res, 400, 'note must be a string', 'note');
      const by = body.value['by'];
      if (by !== undefined && typeof by !== 'string') return sendApiError(res, 400, 'by must be a string', 'by');
      const decided = await store.decide(decodeURIComponent(approval[1] ?? ''), { approve: approval[2] === 'approve', by: by ?? 'admin-api', note }, gateway.clock.now());
      return decided ? sendJson(res, 200, { approval: decided }) : sendApiError(res, 409, 'no pending approval with that id (already decided, expired, or unknown)', 'id');
    }
    const approve = /^\/api\/pins\/([^/]+)\/approve$/.exec(path);
    if (approve && req.method === 'POST') {
      const tool = decodeURIComponent(approve[1] ?? '');
      const approved = await gateway.approveDefinition(tool);
      return approved ? sendJson(res, 200, { approved }) : sendApiError(res, 404, `no upstream exposes a tool named '${tool}'`, 'tool');
    }
    if (req.method !== 'GET') return sendApiError(res, 405, `${req.method ?? ''} is not supported on ${path}`);
    if (path === '/api/pins') return sendJson(res, 200, { changed: await gateway.changedDefinitions() });
    if (path === '/api/approvals') {
      const status = query.get('status');
      const statuses = ['pending', 'approved', 'denied', 'expired', 'used'] as const;
      if (status !== null && !statuses.includes(status as (typeof statuses)[number])) return sendApiError(res, 400, `status must be one of ${statuses.join(', ')}`, 'status');
      const list = (await gateway.approvals?.list(status ? { status: status as (typeof statuses)[number] } : {})) ?? [];
      return sendJson(res, 200, { approvals: list });
    }
    if (path === '/api/catalog') {
      const risk = query.get('risk')?.toLowerCase();
      const tools = gateway
        .describeCatalog()
        .filter((e) => !query.has('server') || e.server === query.get('server'))
        .filter((e) => !risk || e.assessment.level.toLowerCase() === risk || e.assessment.category.toLowerCase() === risk)
        .filter((e) => !query.has('decision') || e.effect === query.get('decision'))
        .map((entry) => catalogJson(gateway, entry));
      const upstreams = gateway.upstreams.map((u) => ({ name: u.name, status: u.status, ...(u.lastError ? { error: u.lastError } : {}) }));
      return sendJson(res, 200, { tools, upstreams });
    }
    const tool = path.startsWith('/api/catalog/') ? decodeURIComponent(path.slice('/api/catalog/'.length)) : undefined;
    if (tool !== undefined) {
      const entry = gateway.describeCatalog().find((e) => e.name === tool);
      if (!entry) return sendApiError(res, 404, `no upstream exposes a tool named '${tool}'`, 'tool');
      return sendJson(res, 200, {
        ...catalogJson(gateway, entry),
        definition: entry.definition,
        signals: entry.assessment.signals,
        attackPatterns: attackPatternsFor(entry.assessment),
        recommendedRule: suggestRule(entry.assessment, 'balanced'),
      });
    }
    return sendApiError(res, 404, `no such endpoint: ${path}`);
  };
}
