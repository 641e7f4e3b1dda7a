import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { SEED_POLICY, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

describe('the seed policy, verbatim, in front of a Prometheus-like server', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway({ servers: { prometheus: stdioFixture('prometheus') }, policy: SEED_POLICY });
  });
  after(() => gw.close());

  it('lists only the one allowed tool', async () => {
    const client = await gw.connect();
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['get_dicom_import_job']);
  });

  it('forwards the allowed call and returns the upstream result untouched', async () => {
    const client = await gw.connect();
    const result = await client.callTool({ name: 'get_dicom_import_job', arguments: { jobId: 'j-7' } });
    assert.equal(result.isError, undefined);
    assert.deepEqual(JSON.parse(textOf(result)), { jobId: 'j-7', status: 'COMPLETED', server: 'prometheus' });
  });

  for (const tool of ['list_workspaces', 'create_workspace', 'update_workspace_alias', 'delete_workspace', 'delete_rule_groups_namespace']) {
    it(`denies ${tool} with a [POLICY DENIED] tool result naming tool, rule and reason`, async () => {
      const client = await gw.connect();
      const result = await client.callTool({ name: tool, arguments: { id: 'ws-1', alias: 'a', name: 'n' } });
      assert.equal(result.isError, true);
      const text = textOf(result);
      assert.ok(text.startsWith('[POLICY DENIED]'), text);
      assert.ok(text.includes(`'${tool}'`) && text.includes('default'), text);
      const meta = (result._meta ?? {})['gatehouse/decision'] as Record<string, unknown>;
      assert.equal(meta['decision'], 'deny');
      assert.equal(meta['tool'], tool);
      assert.equal(meta['rule'], 'default');
      assert.match(String(meta['reason']), /default is deny/);
    });
  }

  it('answers an unknown tool with JSON-RPC -32602, and keeps serving', async () => {
    const client = await gw.connect();
    await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), (error: unknown) => {
      assert.ok(error instanceof McpError);
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.match(error.message, /Unknown tool: no_such_tool/);
      return true;
    });
    const ok = await client.callTool({ name: 'get_dicom_import_job', arguments: { jobId: 'after' } });
    assert.match(textOf(ok), /after/);
  });
});
