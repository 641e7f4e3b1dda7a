import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, SEED_POLICY, fixture, textOf } from '../helpers/harness.js';

describe('gatehouse stdio: a client that spawns the gateway as a command', () => {
  let dir: string;
  let client: Client;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-stdio-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: '1', default: 'deny', tools: { get_dicom_import_job: {}, 'faulty__*': {} } }));
    writeFileSync(
      join(dir, 'gatehouse.yaml'),
      [
        'policy: { path: policy.json }',
        'prefix: { mode: on-collision }',
        'log_level: warn',
        'servers:',
        `  prometheus: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(fixture('prometheus'))}] }`,
        `  faulty: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(fixture('faulty'))}] }`,
        `  faulty2: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(fixture('faulty'))}], env: { NAME: two } }`,
      ].join('\n'),
    );
    client = new Client({ name: 'stdio-agent', version: '1' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ model: 'm', role: 'assistant', content: { type: 'text', text: 'from the stdio client' } }));
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'stdio', '-c', join(dir, 'gatehouse.yaml')], stderr: 'pipe' }));
  });
  after(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, allows, denies and relays sampling over stdio', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes('get_dicom_import_job') && names.includes('faulty__echo') && !names.includes('delete_workspace'));
    assert.match(textOf(await client.callTool({ name: 'get_dicom_import_job', arguments: { jobId: 's' } })), /COMPLETED/);
    assert.match(textOf(await client.callTool({ name: 'delete_workspace', arguments: { id: 'x' } })), /^\[POLICY DENIED\]/);
    assert.equal(textOf(await client.callTool({ name: 'faulty__ask_model', arguments: { prompt: 'hello' } })), 'from the stdio client');
  });

  it('refuses to start with an invalid policy, printing each path, with exit code 2', () => {
    writeFileSync(join(dir, 'bad-policy.json'), JSON.stringify({ version: '1', default: 'maybe', tools: { x: { action: 'deny', resaon: 'typo' } } }));
    writeFileSync(join(dir, 'bad.yaml'), `policy: { path: bad-policy.json }\nservers: {}\n`);
    const run = spawnSync(process.execPath, [CLI, 'stdio', '-c', join(dir, 'bad.yaml')], { encoding: 'utf8', input: '' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /invalid policy/);
    assert.match(run.stderr, /\$\.default: /);
    assert.match(run.stderr, /\$\.tools\.x\.resaon: unknown field/);
    assert.doesNotMatch(run.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('refuses an invalid config with the path of each problem', () => {
    writeFileSync(join(dir, 'bad-config.yaml'), `listen: { host: 0.0.0.0, port: 99999 }\npolicy: { path: ${JSON.stringify(SEED_POLICY)} }\nservers: { "bad name": { command: x } }\n`);
    const run = spawnSync(process.execPath, [CLI, 'serve', '-c', join(dir, 'bad-config.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /\$\.listen\.port: /);
    assert.match(run.stderr, /\$\.servers/);
  });
});
