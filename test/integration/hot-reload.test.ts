import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { SEED_POLICY, eventually, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

describe('policy hot reload', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { prometheus: stdioFixture('prometheus') }, policy: SEED_POLICY });
  });
  after(() => gw.close());

  it('applies a valid change to open sessions without dropping them, and announces it', async () => {
    const client = await gw.connect();
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    const before = await client.callTool({ name: 'delete_workspace', arguments: { id: 'w' } });
    assert.match(textOf(before), /^\[POLICY DENIED\]/);
    const oldVersion = gw.app.policy.current().version;

    gw.writePolicy(JSON.stringify({ version: '1', default: 'deny', tools: { get_dicom_import_job: {}, delete_workspace: { action: 'deny', reason: 'workspaces are deleted by the platform team' }, 'list_*': {} } }));
    await eventually(() => gw.app.policy.current().version !== oldVersion);
    await eventually(() => changed > 0);

    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['delete_workspace', 'get_dicom_import_job', 'list_workspaces']);
    assert.match(textOf(await client.callTool({ name: 'list_workspaces', arguments: {} })), /ws-1/);
    const denied = await client.callTool({ name: 'delete_workspace', arguments: { id: 'w' } });
    assert.match(textOf(denied), /^\[POLICY DENIED\] .*tools\.delete_workspace: workspaces are deleted by the platform team/);
  });

  it('rejects an invalid change, logs each problem with its path, and keeps the last good policy', async () => {
    const client = await gw.connect();
    const good = gw.app.policy.current().version;
    gw.writePolicy(JSON.stringify({ version: '2', default: 'allow', tools: { delete_workspace: { action: 'allow-ish' } } }));
    await eventually(() => gw.app.policy.rejection() !== undefined);
    assert.equal(gw.app.policy.current().version, good);
    const paths = gw.app.policy.rejection()?.issues.map((i) => i.path);
    assert.deepEqual(paths?.sort(), ['$.tools.delete_workspace.action', '$.version']);
    const logged = gw.logs.find((l) => l.msg.startsWith('policy reload rejected'));
    assert.ok(logged, 'the rejection is logged');
    // `default: allow` in the rejected file must not have taken effect.
    assert.match(textOf(await client.callTool({ name: 'create_workspace', arguments: { alias: 'x' } })), /^\[POLICY DENIED\]/);

    gw.writePolicy('{ not json');
    await eventually(() => gw.app.policy.rejection()?.issues[0]?.message.startsWith('not valid JSON') === true);
    assert.equal(gw.app.policy.current().version, good);
    assert.match(textOf(await client.callTool({ name: 'get_dicom_import_job', arguments: { jobId: 'still' } })), /still/);
  });
});
