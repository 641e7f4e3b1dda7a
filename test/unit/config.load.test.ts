import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ConfigError, loadConfigFile, resolveConfig } from '../../src/config/load.js';
import type { ValidationIssue } from '../../src/core/validation.js';
import { anonymousAllowed } from '../../src/adapters/http/loopback.js';
import { issueAt, paths } from '../helpers/issues.js';

const BASE = resolve('/srv/gatehouse/conf');
const FILE = 'gatehouse.yaml';

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { policy: { path: 'p.json' }, servers: { a: { command: 'node' } }, ...extra };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ConfigError');
    assert.ok(error.issues.length > 0, 'a ConfigError has at least one issue');
    for (const issue of error.issues) {
      assert.ok(issue.path.startsWith('$'), `path ${issue.path}`);
      assert.ok(issue.message.length > 0);
    }
    return error;
  }
  return assert.fail('expected a ConfigError to be thrown');
}

function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}): readonly ValidationIssue[] {
  return configError(() => resolveConfig(raw, BASE, FILE, env)).issues;
}


describe('resolveConfig: defaults', () => {
  test('a minimal config gets every default', () => {
    const config = resolveConfig(minimal(), BASE, FILE, {});
    assert.equal(config.listen.host, '127.0.0.1');
    assert.equal(config.listen.port, 8808);
    assert.deepEqual(config.listen.allowed_hosts, []);
    assert.deepEqual(config.listen.allowed_origins, []);
    assert.equal(config.prefix.mode, 'on-collision');
    assert.equal(config.prefix.separator, '__');
    assert.equal(config.page_size, 200);
    assert.equal(config.policy.hide_default_denied, true);
    assert.equal(config.policy.watch, true);
    assert.equal(config.log_level, 'info');
    assert.ok(config.upstream_defaults.call_timeout_ms > 0);
    assert.ok(config.upstream_defaults.connect_timeout_ms > 0);
  });

  test('a minimal server gets defaults for args, env, headers, enabled', () => {
    const server = resolveConfig(minimal(), BASE, FILE, {}).servers['a'];
    assert.ok(server);
    assert.equal(server.command, 'node');
    assert.deepEqual(server.args, []);
    assert.deepEqual(server.env, {});
    assert.deepEqual(server.headers, {});
    assert.equal(server.enabled, true);
    assert.equal(server.url, undefined);
  });

  test('a relative policy.path is resolved against baseDir', () => {
    assert.equal(resolveConfig(minimal(), BASE, FILE, {}).policy.path, join(BASE, 'p.json'));
    assert.equal(resolveConfig(minimal({ policy: { path: '../policies/p.json' } }), BASE, FILE, {}).policy.path, resolve(BASE, '../policies/p.json'));
  });

  test('an absolute policy.path is kept', () => {
    const abs = resolve('/etc/gatehouse/policy.json');
    assert.equal(resolveConfig(minimal({ policy: { path: abs } }), BASE, FILE, {}).policy.path, abs);
  });

  test('a relative server cwd is resolved against baseDir', () => {
    const config = resolveConfig(minimal({ servers: { a: { command: 'node', cwd: 'work' } } }), BASE, FILE, {});
    assert.equal(config.servers['a']?.cwd, join(BASE, 'work'));
  });

  test('explicit values override defaults', () => {
    const config = resolveConfig(
      minimal({
        listen: { host: 'localhost', port: 9000 },
        prefix: { mode: 'always', separator: '.' },
        page_size: 50,
        policy: { path: 'p.json', hide_default_denied: false, watch: false },
        log_level: 'debug',
      }),
      BASE,
      FILE,
      {},
    );
    assert.equal(config.listen.host, 'localhost');
    assert.equal(config.listen.port, 9000);
    assert.equal(config.prefix.mode, 'always');
    assert.equal(config.prefix.separator, '.');
    assert.equal(config.page_size, 50);
    assert.equal(config.policy.hide_default_denied, false);
    assert.equal(config.policy.watch, false);
    assert.equal(config.log_level, 'debug');
  });

  test('a partial listen block still gets the default port and host', () => {
    assert.equal(resolveConfig(minimal({ listen: { port: 1234 } }), BASE, FILE, {}).listen.host, '127.0.0.1');
    assert.equal(resolveConfig(minimal({ listen: { host: '::1' } }), BASE, FILE, {}).listen.port, 8808);
  });

  test('resolveConfig does not mutate the raw object', () => {
    const raw = minimal({ servers: { a: { command: 'node', env: { T: '${X}' } } } });
    const before = JSON.stringify(raw);
    resolveConfig(raw, BASE, FILE, { X: 'secret' });
    assert.equal(JSON.stringify(raw), before);
  });

  test('an HTTP server is accepted with url only', () => {
    const config = resolveConfig(minimal({ servers: { h: { url: 'http://127.0.0.1:3000/mcp' } } }), BASE, FILE, {});
    assert.equal(config.servers['h']?.url, 'http://127.0.0.1:3000/mcp');
    assert.equal(config.servers['h']?.command, undefined);
  });

  test('transport sse and streamable-http with a url are accepted; stdio with a command is accepted', () => {
    resolveConfig(minimal({ servers: { s: { transport: 'sse', url: 'http://127.0.0.1:1/sse' } } }), BASE, FILE, {});
    resolveConfig(minimal({ servers: { s: { transport: 'streamable-http', url: 'https://example.com/mcp' } } }), BASE, FILE, {});
    resolveConfig(minimal({ servers: { s: { transport: 'stdio', command: 'node', args: ['x.js'] } } }), BASE, FILE, {});
  });

  test('server names with letters, digits, _ and - are accepted', () => {
    const config = resolveConfig(minimal({ servers: { 'a-b_c': { command: 'x' }, '9x': { command: 'y' }, A: { command: 'z' } } }), BASE, FILE, {});
    assert.deepEqual(Object.keys(config.servers).sort(), ['9x', 'A', 'a-b_c']);
  });

  test('an empty servers map is accepted', () => {
    assert.deepEqual(resolveConfig(minimal({ servers: {} }), BASE, FILE, {}).servers, {});
  });
});

describe('resolveConfig: server validation', () => {
  test('a server with both command and url is an issue at $.servers.a.url', () => {
    const list = issuesOf(minimal({ servers: { a: { command: 'node', url: 'http://127.0.0.1:1/mcp' } } }));
    assert.deepEqual(paths(list), ['$.servers.a.url']);
    assert.match(list[0]?.message ?? '', /command/);
  });

  test('a server with neither command nor url is an issue under $.servers.a', () => {
    const list = issuesOf(minimal({ servers: { a: {} } }));
    assert.equal(list.length, 1);
    assert.ok(list[0]?.path.startsWith('$.servers.a'), list[0]?.path);
    assert.match(list[0]?.message ?? '', /command|url/);
  });

  test('transport "sse" without url is an issue at $.servers.a.url', () => {
    const list = issuesOf(minimal({ servers: { a: { transport: 'sse' } } }));
    assert.deepEqual(paths(list), ['$.servers.a.url']);
    assert.match(list[0]?.message ?? '', /sse/);
  });

  test('transport "sse" with a command but no url is an issue', () => {
    assert.ok(paths(issuesOf(minimal({ servers: { a: { transport: 'sse', command: 'node' } } }))).some((p) => p.startsWith('$.servers.a')));
  });

  test('transport "streamable-http" without url is an issue at .url', () => {
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { transport: 'streamable-http' } } }))), ['$.servers.a.url']);
  });

  test('transport "stdio" without command is an issue at .command', () => {
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { transport: 'stdio' } } }))), ['$.servers.a.command']);
    assert.ok(paths(issuesOf(minimal({ servers: { a: { transport: 'stdio', url: 'http://127.0.0.1:1/' } } }))).some((p) => p.startsWith('$.servers.a')));
  });

  test('an unknown transport is an issue at .transport', () => {
    assert.ok(paths(issuesOf(minimal({ servers: { a: { transport: 'websocket', url: 'http://127.0.0.1:1/' } } }))).includes('$.servers.a.transport'));
  });

  test('an invalid url is an issue at .url', () => {
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { url: 'not a url' } } }))), ['$.servers.a.url']);
  });

  test('an empty command is an issue at .command', () => {
    assert.ok(paths(issuesOf(minimal({ servers: { a: { command: '' } } }))).includes('$.servers.a.command'));
  });

  test('a bad server name ("a b") is an issue under $.servers', () => {
    for (const name of ['a b', '-a', '_a', '', 'a/b', 'a.b']) {
      const list = issuesOf(minimal({ servers: { [name]: { command: 'node' } } }));
      assert.equal(list.length, 1, `name ${JSON.stringify(name)}: ${JSON.stringify(list)}`);
      assert.ok([`$.servers.${name}`, `$.servers[${JSON.stringify(name)}]`].includes(list[0]?.path ?? ''), `name ${JSON.stringify(name)}: ${list[0]?.path}`);
    }
  });

  test('a server named "__proto__" is reported, not silently dropped', () => {
    // JSON.parse makes "__proto__" an own key; dropping it would make a configured server vanish without a word.
    const raw: unknown = JSON.parse('{"policy":{"path":"p.json"},"servers":{"__proto__":{"command":"node"}}}');
    const list = issuesOf(raw);
    assert.ok(list.some((i) => i.path.startsWith('$.servers') && i.path.includes('__proto__')), JSON.stringify(list));
  });

  test('the bad server name issue says what names may contain', () => {
    // schema.ts declares 'server names use letters, digits, "_" and "-" ...' for this case.
    const list = issuesOf(minimal({ servers: { 'a b': { command: 'node' } } }));
    assert.match(list[0]?.message ?? '', /letters|digits/);
  });

  test('servers is required and must be an object', () => {
    assert.ok(paths(issuesOf({ policy: { path: 'p.json' } })).includes('$.servers'));
    assert.ok(paths(issuesOf({ policy: { path: 'p.json' }, servers: [] })).includes('$.servers'));
  });

  test('policy.path is required and non-empty', () => {
    assert.ok(paths(issuesOf({ servers: {} })).includes('$.policy'));
    assert.ok(paths(issuesOf({ policy: {}, servers: {} })).includes('$.policy.path'));
    assert.ok(paths(issuesOf({ policy: { path: '' }, servers: {} })).includes('$.policy.path'));
  });

  test('timeouts must be positive integers', () => {
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { command: 'x', call_timeout_ms: 0 } } }))), ['$.servers.a.call_timeout_ms']);
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { command: 'x', connect_timeout_ms: 1.5 } } }))), ['$.servers.a.connect_timeout_ms']);
    assert.deepEqual(paths(issuesOf(minimal({ upstream_defaults: { call_timeout_ms: -5 } }))), ['$.upstream_defaults.call_timeout_ms']);
  });
});

describe('resolveConfig: other fields', () => {
  test('listen.port out of range or non-integer is an issue at $.listen.port', () => {
    for (const port of [-1, 65536, 80.5, '8808']) {
      assert.deepEqual(paths(issuesOf(minimal({ listen: { port } }))), ['$.listen.port'], `port ${JSON.stringify(port)}`);
    }
  });

  test('page_size must be a positive integer up to 10000', () => {
    for (const page_size of [0, -1, 1.5, 10_001]) {
      assert.deepEqual(paths(issuesOf(minimal({ page_size }))), ['$.page_size'], `page_size ${page_size}`);
    }
    assert.equal(resolveConfig(minimal({ page_size: 10_000 }), BASE, FILE, {}).page_size, 10_000);
  });

  test('prefix.mode must be always / on-collision / never and separator non-empty', () => {
    assert.deepEqual(paths(issuesOf(minimal({ prefix: { mode: 'sometimes' } }))), ['$.prefix.mode']);
    assert.deepEqual(paths(issuesOf(minimal({ prefix: { separator: '' } }))), ['$.prefix.separator']);
    for (const mode of ['always', 'on-collision', 'never']) {
      assert.equal(resolveConfig(minimal({ prefix: { mode } }), BASE, FILE, {}).prefix.mode, mode);
    }
  });

  test('log_level must be a known level', () => {
    assert.deepEqual(paths(issuesOf(minimal({ log_level: 'verbose' }))), ['$.log_level']);
  });

  test('a config that is not an object is an issue at $', () => {
    for (const raw of [null, [], 'x', 42, undefined]) {
      assert.deepEqual(paths(issuesOf(raw)), ['$'], `raw ${JSON.stringify(raw)}`);
    }
  });
});

describe('resolveConfig: listen.host', () => {
  test('any host is accepted now that agents authenticate (off loopback, authentication becomes mandatory)', () => {
    for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost', '0.0.0.0', '192.168.1.10', 'gateway.internal']) {
      assert.equal(resolveConfig(minimal({ listen: { host } }), BASE, FILE, {}).listen.host, host);
    }
  });

  test('anonymous agents are allowed only on loopback, and only when the config allows it', () => {
    for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost', '127.0.0.2']) {
      assert.equal(anonymousAllowed(host, true), true, host);
      assert.equal(anonymousAllowed(host, false), false, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '0:0:0:0:0:0:0:0', '', 'localhost.example.com', '128.0.0.1']) {
      assert.equal(anonymousAllowed(host, true), false, `host ${JSON.stringify(host)}`);
    }
  });

  test('jwt needs exactly one of jwks_url and jwks_file; jwks_file is resolved against the config folder', () => {
    const jwt = { issuer: 'https://idp.example', audience: 'gatehouse' };
    assert.deepEqual(paths(issuesOf(minimal({ auth: { jwt } }))), ['$.auth.jwt']);
    assert.deepEqual(paths(issuesOf(minimal({ auth: { jwt: { ...jwt, jwks_url: 'https://idp.example/jwks', jwks_file: 'k.json' } } }))), ['$.auth.jwt']);
    const config = resolveConfig(minimal({ auth: { jwt: { ...jwt, jwks_file: 'keys/jwks.json' } } }), BASE, FILE, {});
    assert.equal(config.auth.jwt?.jwks_file, resolve(BASE, 'keys/jwks.json'));
    assert.equal(config.auth.jwt?.agent_claim, 'sub');
  });
});

describe('resolveConfig: ${VAR} expansion', () => {
  test('${VAR} in servers.*.env is replaced from the passed env', () => {
    const config = resolveConfig(
      minimal({ servers: { a: { command: 'node', env: { TOKEN: '${API_TOKEN}', MIXED: 'pre-${A}-${B}-post', PLAIN: 'plain' } } } }),
      BASE,
      FILE,
      { API_TOKEN: 's3cret', A: '1', B: '2' },
    );
    assert.deepEqual(config.servers['a']?.env, { TOKEN: 's3cret', MIXED: 'pre-1-2-post', PLAIN: 'plain' });
  });

  test('${VAR} in servers.*.headers is replaced from the passed env', () => {
    const config = resolveConfig(
      minimal({ servers: { h: { url: 'http://127.0.0.1:1/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } } } }),
      BASE,
      FILE,
      { TOKEN: 'abc' },
    );
    assert.deepEqual(config.servers['h']?.headers, { Authorization: 'Bearer abc' });
  });

  test('the passed env is used, not process.env', () => {
    const name = 'GATEHOUSE_TEST_ONLY_IN_PROCESS_ENV';
    process.env[name] = 'from-process';
    try {
      const list = issuesOf(minimal({ servers: { a: { command: 'node', env: { X: `\${${name}}` } } } }), {});
      assert.deepEqual(paths(list), ['$.servers.a.env.X']);
    } finally {
      delete process.env[name];
    }
  });

  test('an empty-string variable is set (not missing)', () => {
    const config = resolveConfig(minimal({ servers: { a: { command: 'node', env: { X: '[${EMPTY}]' } } } }), BASE, FILE, { EMPTY: '' });
    assert.equal(config.servers['a']?.env['X'], '[]');
  });

  test('a missing variable is an issue at $.servers.a.env.TOKEN naming the variable', () => {
    const list = issuesOf(minimal({ servers: { a: { command: 'node', env: { TOKEN: '${API_TOKEN}' } } } }), {});
    assert.deepEqual(paths(list), ['$.servers.a.env.TOKEN']);
    assert.match(list[0]?.message ?? '', /API_TOKEN/);
  });

  test('a missing variable in headers is an issue at $.servers.h.headers.<name>', () => {
    const list = issuesOf(minimal({ servers: { h: { url: 'http://127.0.0.1:1/mcp', headers: { 'X-Api-Key': '${KEY}' } } } }), {});
    assert.deepEqual(paths(list), ['$.servers.h.headers["X-Api-Key"]']);
    assert.match(list[0]?.message ?? '', /KEY/);
  });

  test('every missing variable is reported, across servers', () => {
    const list = issuesOf(
      minimal({
        servers: {
          a: { command: 'node', env: { ONE: '${M1}', TWO: '${M2}' } },
          b: { url: 'http://127.0.0.1:1/mcp', headers: { H: '${M3}' } },
        },
      }),
      {},
    );
    assert.deepEqual(paths(list).sort(), ['$.servers.a.env.ONE', '$.servers.a.env.TWO', '$.servers.b.headers.H']);
  });

  test('a missing variable is reported with its path', () => {
    const list = issuesOf(minimal({ listen: { host: '0.0.0.0' }, servers: { a: { command: 'node', env: { T: '${NOPE}' } } } }), {});
    assert.deepEqual(paths(list).sort(), ['$.servers.a.env.T']);
  });

  test('text that is not ${NAME} is left alone', () => {
    const config = resolveConfig(minimal({ servers: { a: { command: 'node', env: { A: '$HOME', B: '${}', C: '${1X}', D: 'cost $5' } } } }), BASE, FILE, {});
    assert.deepEqual(config.servers['a']?.env, { A: '$HOME', B: '${}', C: '${1X}', D: 'cost $5' });
  });

  test('expanded values are not expanded again', () => {
    const config = resolveConfig(minimal({ servers: { a: { command: 'node', env: { A: '${X}' } } } }), BASE, FILE, { X: '${Y}', Y: 'nope' });
    assert.equal(config.servers['a']?.env['A'], '${Y}');
  });

  test('env values must be strings', () => {
    assert.deepEqual(paths(issuesOf(minimal({ servers: { a: { command: 'node', env: { PORT: 3000 } } } }))), ['$.servers.a.env.PORT']);
  });
});

describe('resolveConfig: approvals', () => {
  const SECRET = 'webhook-secret-0123456789';
  const webhook = (extra: Record<string, unknown> = {}) => minimal({ approvals: { webhook: { url: 'https://hooks.example.com/gatehouse', secret: SECRET, ...extra } } });

  test('off by default: no webhook, the client is not asked', () => {
    assert.deepEqual(resolveConfig(minimal(), BASE, FILE, {}).approvals, { ask_client: false });
  });

  test('a webhook gets empty headers by default; ask_client can be turned on', () => {
    const config = resolveConfig(minimal({ approvals: { ask_client: true, webhook: { url: 'http://127.0.0.1:9000/hook', secret: SECRET } } }), BASE, FILE, {});
    assert.deepEqual(config.approvals, { ask_client: true, webhook: { url: 'http://127.0.0.1:9000/hook', secret: SECRET, headers: {} } });
  });

  test('${VAR} in url, secret and headers is replaced from the passed env', () => {
    const config = resolveConfig(webhook({ url: '${HOOK_URL}', secret: '${HOOK_SECRET}', headers: { Authorization: 'Bearer ${HOOK_TOKEN}' } }), BASE, FILE, {
      HOOK_URL: 'https://hooks.example.com/x',
      HOOK_SECRET: SECRET,
      HOOK_TOKEN: 't',
    });
    assert.deepEqual(config.approvals.webhook, { url: 'https://hooks.example.com/x', secret: SECRET, headers: { Authorization: 'Bearer t' } });
  });

  test('the secret is checked after expansion: a long placeholder for a short secret is refused', () => {
    const list = issuesOf(webhook({ secret: '${A_PLACEHOLDER_LONGER_THAN_16}' }), { A_PLACEHOLDER_LONGER_THAN_16: 'short' });
    assert.deepEqual(paths(list), ['$.approvals.webhook.secret']);
    assert.match(list[0]?.message ?? '', /at least 16 characters/);
    assert.ok(!(list[0]?.message ?? '').includes('short'), 'the secret is not echoed');
  });

  test('a missing variable is reported once, as missing', () => {
    const list = issuesOf(webhook({ url: '${NO_URL}', secret: '${NO_SECRET}', headers: { 'X-Key': '${NO_KEY}' } }), {});
    assert.deepEqual(paths(list).sort(), ['$.approvals.webhook.headers["X-Key"]', '$.approvals.webhook.secret', '$.approvals.webhook.url']);
    for (const issue of list) assert.match(issue.message, /environment variable NO_/);
  });

  test('the url must be http or https', () => {
    for (const url of ['hooks.example.com/x', 'ftp://hooks.example.com/x', 'file:///etc/passwd']) {
      const list = issuesOf(webhook({ url }));
      assert.deepEqual(paths(list), ['$.approvals.webhook.url'], url);
      assert.match(list[0]?.message ?? '', /http:\/\/ or https:\/\/ URL/);
    }
  });

  test('headers the gateway sets itself cannot be overridden', () => {
    const list = issuesOf(webhook({ headers: { 'Content-Type': 'text/plain', 'X-Gatehouse-Signature': 'x', 'X-Other': 'fine' } }));
    assert.deepEqual(paths(list).sort(), ['$.approvals.webhook.headers["Content-Type"]', '$.approvals.webhook.headers["X-Gatehouse-Signature"]']);
    assert.match(list[0]?.message ?? '', /set by the gateway/);
  });

  test('url and secret are required, unknown keys and non-boolean ask_client are refused', () => {
    assert.deepEqual(paths(issuesOf(minimal({ approvals: { webhook: {} } }))).sort(), ['$.approvals.webhook.secret', '$.approvals.webhook.url']);
    assert.deepEqual(paths(issuesOf(webhook({ sceret: 'x' }))), ['$.approvals.webhook.sceret']);
    assert.deepEqual(paths(issuesOf(minimal({ approvals: { ask_client: 'yes' } }))), ['$.approvals.ask_client']);
  });
});

describe('resolveConfig: unknown keys', () => {
  test('an unknown top-level key is an issue naming its path', () => {
    const list = issuesOf(minimal({ sever: {} }));
    const issue = issueAt(list, '$.sever');
    assert.match(issue.message, /unknown/i);
  });

  test('an unknown nested key is an issue naming its path', () => {
    assert.deepEqual(paths(issuesOf(minimal({ listen: { hots: '127.0.0.1' } }))), ['$.listen.hots']);
    assert.deepEqual(paths(issuesOf(minimal({ policy: { path: 'p.json', hide_defualt_denied: false } }))), ['$.policy.hide_defualt_denied']);
    assert.deepEqual(paths(issuesOf(minimal({ prefix: { sep: '.' } }))), ['$.prefix.sep']);
  });

  test('an unknown key inside a server is an issue naming its path', () => {
    const list = issuesOf(minimal({ servers: { a: { command: 'node', argz: ['x'] } } }));
    assert.ok(paths(list).includes('$.servers.a.argz'), JSON.stringify(list));
  });
});

describe('ConfigError', () => {
  test('carries the file name and the issues in its message', () => {
    const error = configError(() => resolveConfig(minimal({ listen: { port: 'eighty' } }), BASE, 'my-config.yaml', {}));
    assert.equal(error.file, 'my-config.yaml');
    assert.match(error.message, /my-config\.yaml/);
    assert.match(error.message, /\$\.listen\.port/);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  const write = (name: string, text: string): string => {
    const sub = join(dir, String(counter++));
    const file = join(sub, name);
    mkdirSync(sub, { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  test('reads a JSON file and resolves policy.path against the file folder', () => {
    const file = write('gatehouse.json', JSON.stringify(minimal()));
    const config = loadConfigFile(file, {});
    assert.equal(config.policy.path, join(dir, String(counter - 1), 'p.json'));
    assert.equal(config.servers['a']?.command, 'node');
    assert.equal(config.listen.port, 8808);
  });

  test('reads a .yaml file', () => {
    const file = write(
      'gatehouse.yaml',
      [
        'listen:',
        '  port: 9001',
        'policy:',
        '  path: ./policies/policy.json',
        'servers:',
        '  files:',
        '    command: npx',
        '    args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]',
        '    env:',
        '      TOKEN: "${MY_TOKEN}"',
        '  remote:',
        '    url: http://127.0.0.1:3000/mcp',
        '    headers:',
        '      Authorization: Bearer ${MY_TOKEN}',
        '',
      ].join('\n'),
    );
    const config = loadConfigFile(file, { MY_TOKEN: 'tok' });
    assert.equal(config.listen.port, 9001);
    assert.equal(config.policy.path, join(dir, String(counter - 1), 'policies', 'policy.json'));
    assert.deepEqual(config.servers['files']?.args, ['-y', '@modelcontextprotocol/server-filesystem', '/tmp']);
    assert.deepEqual(config.servers['files']?.env, { TOKEN: 'tok' });
    assert.deepEqual(config.servers['remote']?.headers, { Authorization: 'Bearer tok' });
  });

  test('reads a .yml file', () => {
    const file = write('g.yml', 'policy:\n  path: p.json\nservers:\n  a:\n    command: node\n');
    assert.equal(loadConfigFile(file, {}).servers['a']?.command, 'node');
  });

  test('a relative path to the file is resolved from the current directory', () => {
    const file = write('rel.json', JSON.stringify(minimal()));
    const rel = relative(process.cwd(), file);
    assert.ok(!rel.startsWith('/'), 'the path handed over is relative');
    const config = loadConfigFile(rel, {});
    assert.equal(config.policy.path, join(dir, String(counter - 1), 'p.json'));
  });

  test('a YAML syntax error is a ConfigError with one issue at $', () => {
    const file = write('bad.yaml', 'policy:\n  path: p.json\nservers:\n  a: [unclosed\n');
    const error = configError(() => loadConfigFile(file, {}));
    assert.deepEqual(paths(error.issues), ['$']);
    assert.equal(error.file, file);
  });

  test('duplicate YAML keys are a ConfigError', () => {
    const file = write('dup.yaml', 'policy:\n  path: p.json\npolicy:\n  path: q.json\nservers: {}\n');
    assert.ok(paths(configError(() => loadConfigFile(file, {})).issues).includes('$'));
  });

  test('a JSON syntax error in a .json file is a ConfigError at $', () => {
    const file = write('bad.json', '{"policy": {"path": "p.json"},');
    assert.deepEqual(paths(configError(() => loadConfigFile(file, {})).issues), ['$']);
  });

  test('an empty YAML file is a ConfigError at $', () => {
    const file = write('empty.yaml', '');
    assert.deepEqual(paths(configError(() => loadConfigFile(file, {})).issues), ['$']);
  });

  test('a file that does not exist is a ConfigError naming the file', () => {
    const missing = join(dir, 'does-not-exist.yaml');
    const error = configError(() => loadConfigFile(missing, {}));
    assert.equal(error.file, missing);
    assert.deepEqual(paths(error.issues), ['$']);
  });

  test('a directory instead of a file is a ConfigError', () => {
    configError(() => loadConfigFile(dir, {}));
  });

  test('validation issues in a loaded file carry their paths', () => {
    const file = write('invalid.yaml', 'listen:\n  host: 0.0.0.0\npolicy:\n  path: p.json\nservers:\n  a:\n    command: node\n    url: http://127.0.0.1:1/\n');
    const error = configError(() => loadConfigFile(file, {}));
    assert.ok(paths(error.issues).includes('$.servers.a.url'), JSON.stringify(error.issues));
  });

  test('a missing variable in a loaded file is an issue at its path', () => {
    const file = write('vars.yaml', 'policy:\n  path: p.json\nservers:\n  a:\n    command: node\n    env:\n      TOKEN: ${NOT_SET_ANYWHERE}\n');
    const error = configError(() => loadConfigFile(file, {}));
    assert.deepEqual(paths(error.issues), ['$.servers.a.env.TOKEN']);
  });
});
