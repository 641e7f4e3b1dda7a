import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditRecord } from '../../src/core/audit/record.js';
import { CLI, startGateway, stdioFixture, type TestGateway } from '../helpers/harness.js';

const POLICY = JSON.stringify({
  version: '1',
  default: 'deny',
  tools: { echo: { rate_limit: { max: 2, window: 60 } }, fails: {}, crash_free: {}, whoami: {} },
  hide: ['garbage'],
});

describe('every decision is audited, hash-chained, and verifiable from the CLI', () => {
  let gw: TestGateway;
  let records: AuditRecord[];
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'audit', ...args, '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });

  before(async () => {
    gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: POLICY, config: { audit: { allow_values: ['message'] } } });
    const client = await gw.connect();
    await client.callTool({ name: 'echo', arguments: { message: 'first', token: 'sk-live-0123456789abcdefghijklmnop' } });
    await client.callTool({ name: 'echo', arguments: { message: 'second' } });
    await client.callTool({ name: 'echo', arguments: { message: 'third' } });
    await client.callTool({ name: 'delete_everything', arguments: {} }).catch(() => undefined);
    await client.callTool({ name: 'hang', arguments: {} });
    await client.callTool({ name: 'fails', arguments: {} });
    await assert.rejects(client.callTool({ name: 'garbage', arguments: {} }));
    await gw.app.audit.flush();
    records = await gw.app.stores.audit.query({});
    writeFileSync(join(gw.dir, 'gatehouse.yaml'), `policy: { path: policy.json }\nservers: {}\n`);
  });
  after(() => gw.close());

  it('records allow, limit, deny and hidden attempts with agent, session, rule, outcome and latency', () => {
    const summary = records.map((r) => [r.tool, r.decision, r.rule, r.outcome]);
    assert.deepEqual(summary, [
      ['echo', 'allow', 'tools.echo', 'ok'],
      ['echo', 'allow', 'tools.echo', 'ok'],
      ['echo', 'limit', 'tools.echo.rate_limit', null],
      ['hang', 'deny', 'default', null],
      ['fails', 'allow', 'tools.fails', 'tool_error'],
      ['garbage', 'deny', 'hide', null],
    ]);
    const first = records[0];
    assert.ok(first);
    assert.equal(first.agent, 'anonymous');
    assert.equal(first.server, 'faulty');
    assert.match(first.session, /^[0-9a-f-]{36}$/);
    assert.ok(first.latencyMs !== null && first.latencyMs >= 0);
    assert.equal(first.policyVersion, gw.app.policy.current().version);
    assert.ok(records.every((r, i) => r.seq === (records[0]?.seq ?? 0) + i), 'consecutive sequence numbers');
  });

  it('redacts argument values except the allow-listed ones, and never keeps secrets', () => {
    const args = records[0]?.args as Record<string, unknown>;
    assert.equal(args['message'], 'first', 'allow-listed value kept');
    assert.notEqual(args['token'], 'sk-live-0123456789abcdefghijklmnop');
    assert.doesNotMatch(JSON.stringify(records), /sk-live-0123456789abcdefghijklmnop/);
    assert.match(records[0]?.argsHash ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(records[0]?.argsHash, records[1]?.argsHash);
  });

  it('verify passes on the untouched trail, and detects an edited, a deleted and a reordered row', () => {
    const ok = cli('verify');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`ok: ${records.length} records`));
    const db = new Database(join(gw.dir, '.gatehouse/gatehouse.db'));
    const seqs = records.map((r) => r.seq);
    try {
      db.prepare('UPDATE audit_log SET decision = ? WHERE seq = ?').run('allow', seqs[2]);
      const edited = cli('verify');
      assert.equal(edited.status, 1);
      assert.match(edited.stdout, new RegExp(`TAMPERED at seq ${seqs[2]}: edited`));
      db.prepare('UPDATE audit_log SET decision = ? WHERE seq = ?').run('limit', seqs[2]);
      assert.equal(cli('verify').status, 0, 'restored');

      const row = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seqs[3]) as Record<string, unknown>;
      db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seqs[3]);
      const deleted = cli('verify');
      assert.equal(deleted.status, 1);
      assert.match(deleted.stdout, /missing/);
      const columns = Object.keys(row);
      db.prepare(`INSERT INTO audit_log (${columns.join(',')}) VALUES (${columns.map(() => '?').join(',')})`).run(...columns.map((c) => row[c]));
      assert.equal(cli('verify').status, 0, 'restored');

      const a = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seqs[0]) as Record<string, unknown>;
      const b = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seqs[1]) as Record<string, unknown>;
      const set = columns.filter((c) => c !== 'seq').map((c) => `${c} = ?`).join(', ');
      const update = db.prepare(`UPDATE audit_log SET ${set} WHERE seq = ?`);
      update.run(...columns.filter((c) => c !== 'seq').map((c) => b[c]), seqs[0]);
      update.run(...columns.filter((c) => c !== 'seq').map((c) => a[c]), seqs[1]);
      const reordered = cli('verify');
      assert.equal(reordered.status, 1);
      assert.match(reordered.stdout, new RegExp(`TAMPERED at seq ${seqs[0]}`));
      update.run(...columns.filter((c) => c !== 'seq').map((c) => a[c]), seqs[0]);
      update.run(...columns.filter((c) => c !== 'seq').map((c) => b[c]), seqs[1]);
    } finally {
      db.close();
    }
    assert.equal(cli('verify').status, 0);
  });

  it('query, export as JSON lines and CSV, with filters', () => {
    const limited = cli('query', '--decision', 'limit', '--json');
    assert.equal(limited.status, 0, limited.stderr);
    const lines = limited.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tool: string; decision: string; time: string });
    assert.deepEqual(lines.map((l) => [l.tool, l.decision]), [['echo', 'limit']]);
    assert.match(lines[0]?.time ?? '', /^\d{4}-\d\d-\d\dT/);
    const table = cli('query', '--tool', 'echo');
    assert.match(table.stdout, /^SEQ\s+TIME\s+AGENT\s+TOOL\s+DECISION/);
    assert.equal(table.stdout.trim().split('\n').length, 4);
    const csv = cli('export', '--format', 'csv', '--since', '1h');
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows[0], 'seq,time,agent,session,server,tool,decision,rule,reason,argsHash,args,latencyMs,outcome,policyVersion,hash');
    assert.equal(rows.length, records.length + 1);
    assert.match(rows[3] ?? '', /"\{""message"":""third""\}"/, 'JSON args quoted CSV-style');
    const none = cli('export', '--until', '2000-01-01T00:00:00Z');
    assert.equal(none.stdout, '');
    assert.equal(cli('query', '--decision', 'maybe').status, 2);
  });

  it('policy test replays the trail under a candidate policy and shows what would change', () => {
    writeFileSync(join(gw.dir, 'candidate.json'), JSON.stringify({ version: '1', default: 'deny', tools: { echo: { rate_limit: { max: 1, window: 60 } }, hang: {} } }));
    const run = spawnSync(process.execPath, [CLI, 'policy', 'test', join(gw.dir, 'candidate.json'), '--against', 'audit', '--json', '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { replayed: number; newlyDenied: number; newlyAllowed: number; changes: { tool: string; from: string; to: string; count: number }[] };
    assert.equal(report.replayed, records.length);
    assert.deepEqual(report.changes.map((c) => [c.tool, c.from, c.to, c.count]).sort(), [['echo', 'allow', 'limit', 1], ['fails', 'allow', 'deny', 1], ['hang', 'deny', 'allow', 1]]);
    assert.equal(report.newlyDenied, 2);
    assert.equal(report.newlyAllowed, 1);
    const table = spawnSync(process.execPath, [CLI, 'policy', 'test', join(gw.dir, 'candidate.json'), '--against', 'audit', '-c', join(gw.dir, 'gatehouse.yaml')], { encoding: 'utf8' });
    assert.match(table.stdout, /2 newly denied or limited, 1 newly allowed/);
    assert.match(table.stdout, /hang\s+anonymous\s+deny\s+allow\s+1\s+tools\.hang/);
  });
});
