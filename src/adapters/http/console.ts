import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web, where `vite build` puts the console; this file runs from dist/src/adapters/http/. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

/**
 * The console's pages may load their own scripts, styles and images and nothing else; inline styles are
 * allowed because React sets `style` attributes (the chart), inline scripts are not.
 */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names what it emits under assets/ by content hash, so a name never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string | number>, body: Buffer | string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  send(res, req, status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, text);
}

async function fileAt(path: string): Promise<Buffer | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? readFile(path) : undefined;
}

/**
 * Serves the built console from `dir` for GET and HEAD: files by path, and index.html for any other path
 * without a file extension so that client-side routes survive a reload. A request path is resolved inside
 * `dir` or refused; `..`, encoded or not, never leaves it.
 */
export function createConsole(dir: string = DEFAULT_CONSOLE_DIR) {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    res.setHeader('content-security-policy', CONSOLE_CSP);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return sendText(req, res, 400, 'Bad Request: malformed path');
    }
    const segments = decoded.split(/[/\\]/);
    if (decoded.includes('\0') || segments.includes('..')) return sendText(req, res, 400, 'Bad Request: path leaves the console');
    const target = resolve(root, `.${decoded}`);
    if (target !== root && !target.startsWith(root + sep)) return sendText(req, res, 400, 'Bad Request: path leaves the console');

    const ext = extname(target);
    const file = ext === '' ? undefined : await fileAt(target);
    if (file) {
      const immutable = decoded.startsWith('/assets/');
      return send(res, req, 200, { 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream', 'cache-control': immutable ? IMMUTABLE : 'no-cache' }, file);
    }
    if (ext !== '' && ext !== '.html') return sendText(req, res, 404, `Not found: ${path}`);
    const html = await fileAt(index);
    if (!html) {
      return sendText(req, res, decoded === '/' ? 200 : 404, 'The Gatehouse console was not built. Run `npm run build` (it runs `vite build`, which writes dist/web), then reload.\n');
    }
    return send(res, req, 200, { 'content-type': CONTENT_TYPES['.html'] as string, 'cache-control': 'no-cache' }, html);
  };
}
