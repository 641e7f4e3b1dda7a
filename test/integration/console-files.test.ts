import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CSP, createConsole } from '../../src/adapters/http/console.js';
import { ALLOW_ALL, startGateway } from '../helpers/harness.js';

/** A raw request, so that `..` segments reach the server as written (fetch and URL would normalise them). */
function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console files', () => {
  let dir: string;
  let server: Server;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(web, 'assets', 'app-1a2b3c.js'), 'export {};');
    writeFileSync(join(web, 'assets', 'app-1a2b3c.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the console');
    const serve = createConsole(web);
    server = createServer((req, res) => void serve(req, res, new URL(req.url ?? '/', 'http://x').pathname));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, hashed assets as immutable, each with its content type', async () => {
    for (const path of ['/', '/approvals', '/catalog/some_tool']) {
      const page = await get(port, path);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(page.headers['cache-control'], 'no-cache');
      assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
      assert.match(page.body, /<title>console/);
    }
    const js = await get(port, '/assets/app-1a2b3c.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get(port, '/assets/app-1a2b3c.css')).headers['content-type'], 'text/css; charset=utf-8');
    const head = await get(port, '/assets/app-1a2b3c.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], '10');
  });

  it('answers 404 for a missing asset instead of the page', async () => {
    assert.equal((await get(port, '/assets/missing.js')).status, 404);
  });

  it('never serves a file outside its folder, however the path is spelled', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets%2f..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html', '/%E0%A4%A']) {
      const res = await get(port, path);
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
      assert.doesNotMatch(res.body, /outside the console/, path);
    }
  });

  it('says the console was not built when its folder is missing', async () => {
    const serve = createConsole(join(dir, 'nowhere'));
    const bare = createServer((req, res) => void serve(req, res, new URL(req.url ?? '/', 'http://x').pathname));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    try {
      const res = await get((bare.address() as AddressInfo).port, '/');
      assert.equal(res.status, 200);
      assert.match(res.body, /console was not built/);
    } finally {
      bare.close();
    }
  });
});

describe('console on the gateway', () => {
  it('is served for GET / with the console CSP, while the API, /mcp and /healthz keep theirs', async () => {
    const gw = await startGateway({ servers: {}, policy: ALLOW_ALL });
    try {
      const page = await fetch(new URL('/', gw.url));
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-security-policy'), CONSOLE_CSP);
      assert.equal((await fetch(new URL('/healthz', gw.url))).headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      const api = await fetch(new URL('/api/catalog', gw.url));
      assert.equal(api.status, 404, 'no admin token: no API, and not the console page either');
      assert.match(api.headers.get('content-type') ?? '', /json/);
      assert.equal((await fetch(new URL('/mcp', gw.url))).headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    } finally {
      await gw.close();
    }
  });
});
