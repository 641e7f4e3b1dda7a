import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

/**
 * A disk that really fills up: a small tmpfs holds the SQLite file, and a filler file takes the rest of its
 * space. (The test machines run as root, which is what mounting needs.)
 */
describe('fault injection: the audit disk fills up', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'gatehouse-tinyfs-'));
  let gw: TestGateway;
  before(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    mkdirSync(join(mountPoint, 'db'));
    gw = await startGateway({
      servers: { faulty: stdioFixture('faulty') },
      policy: JSON.stringify({ version: '1', default: 'deny', tools: { echo: {}, echo_count: {} } }),
      config: { storage: { sqlite_path: join(mountPoint, 'db', 'gatehouse.db') }, audit: { max_buffer: 20 } },
    });
  });
  after(async () => {
    await gw.close();
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('buffers, then denies rather than act unrecorded, and writes everything once space is back', async () => {
    const client = await gw.connect();
    const echo = (i: number) => client.callTool({ name: 'echo', arguments: { message: `m${i}-${'x'.repeat(2000)}` } });
    assert.ok(!(await echo(0)).isError);
    await gw.app.audit.flush();
    // Fill the disk: writes fail with SQLITE_FULL from here on.
    const filler = join(mountPoint, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
    } catch {
      // ENOSPC is the point: the file takes whatever space was left.
    }
    let denied = 0;
    let allowed = 1;
    for (let i = 1; i <= 60 && denied === 0; i++) {
      const result = await echo(i);
      if (result.isError) {
        assert.match(textOf(result), /^\[POLICY DENIED\] .*audit trail cannot be written/);
        denied++;
      } else allowed++;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(denied, 1, 'once the backlog is full, calls are denied');
    assert.equal(gw.app.audit.healthy, false);
    assert.equal((await fetch(new URL('/readyz', gw.url))).status, 503);

    rmSync(filler);
    await eventually(() => gw.app.audit.healthy && gw.app.audit.pending === 0, 300, 50);
    const records = await gw.app.stores.audit.query({ limit: 10_000 });
    assert.ok(records.filter((r) => r.decision === 'allow' && r.tool === 'echo').length >= allowed, 'every allowed call was recorded');
    assert.ok(records.some((r) => r.decision === 'deny' && r.rule === 'gateway'), 'the denial itself is recorded');
    assert.deepEqual(await gw.app.stores.audit.verify(), { ok: true, count: records.length });
    assert.equal(textOf(await client.callTool({ name: 'echo_count', arguments: {} })), String(allowed), 'the denied call never reached the upstream');
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { message: 'after' } })).startsWith('faulty: after'), true, 'recovered without a restart');
  });
});
