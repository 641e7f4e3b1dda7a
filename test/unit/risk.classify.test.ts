import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attackPatternsFor,
  classifyTool,
  DEFAULT_LEVEL,
  RISK_CATEGORIES,
  RISK_LEVELS,
  splitIdentifier,
  tokenizeName,
  type RiskAssessment,
  type ToolDefinitionInput,
} from '../../src/core/risk/index.js';

function sentences(text: string): number {
  return text.split(/(?<=[.!?])\s+(?=[A-Z'‘“(])/).filter((s) => s.trim().length > 0).length;
}

function assertWellFormed(a: RiskAssessment): void {
  assert.ok(RISK_CATEGORIES.includes(a.category));
  assert.ok(RISK_LEVELS.includes(a.level));
  assert.ok(a.confidence >= 0 && a.confidence <= 1, `confidence ${a.confidence}`);
  assert.ok(a.rationale.length > 0);
  const n = sentences(a.rationale);
  assert.ok(n >= 1 && n <= 3, `rationale has ${n} sentences: ${a.rationale}`);
  assert.ok(Array.isArray(a.signals));
}

test('seed example: get_dicom_import_job without a description is a low-risk read with reduced confidence', () => {
  const a = classifyTool({ name: 'get_dicom_import_job', server: 'prometheus' });
  assertWellFormed(a);
  assert.equal(a.category, 'Read');
  assert.equal(a.level, 'Low');
  assert.ok(a.confidence < 0.8, `confidence ${a.confidence}`);
  assert.match(a.rationale, /'get_?' prefix/);
  assert.match(a.rationale, /no description/i);
  assert.match(a.rationale, /confidence is reduced/);
});

test('DEFAULT_LEVEL maps categories as the product specifies', () => {
  assert.deepEqual(DEFAULT_LEVEL, { Read: 'Low', Write: 'Medium', Execute: 'High', Destructive: 'Critical', Financial: 'Critical', Other: 'Medium' });
});

test('a description raises confidence over the bare name', () => {
  const bare = classifyTool({ name: 'list_issues' });
  const described = classifyTool({ name: 'list_issues', description: 'List issues in a GitHub repository.' });
  assert.equal(described.category, 'Read');
  assert.ok(described.confidence > bare.confidence);
});

test('name conventions: snake, camel, Pascal, kebab, dotted, and server prefixes', () => {
  const cases: [ToolDefinitionInput, string][] = [
    [{ name: 'delete_repository' }, 'Destructive'],
    [{ name: 'deleteRepository' }, 'Destructive'],
    [{ name: 'DeleteDbCluster' }, 'Destructive'],
    [{ name: 'drop-collection' }, 'Destructive'],
    [{ name: 'repos.delete' }, 'Destructive'],
    [{ name: 'github__delete_file' }, 'Destructive'],
    [{ name: 'pods_delete' }, 'Destructive'],
    [{ name: 'azmcp_storage_blob_list' }, 'Read'],
    [{ name: 'linear_getIssueById' }, 'Read'],
    [{ name: 'run-shell-command' }, 'Execute'],
    [{ name: 'execute_sql', inputSchema: { type: 'object', properties: { sql: { type: 'string' } } } }, 'Execute'],
    [{ name: 'createRefund', inputSchema: { type: 'object', properties: { amount: {}, payment_intent: {} } } }, 'Financial'],
  ];
  for (const [def, expected] of cases) {
    const a = classifyTool(def);
    assertWellFormed(a);
    assert.equal(a.category, expected, `${def.name} → ${a.category} (${a.rationale})`);
  }
  assert.deepEqual(splitIdentifier('InfluxDBWriteLP'), ['influx', 'db', 'write', 'lp']);
  assert.deepEqual(splitIdentifier('getHTTPResponse'), ['get', 'http', 'response']);
  assert.deepEqual(tokenizeName('github__create_issue').tokens, ['create', 'issue']);
  assert.deepEqual(tokenizeName('gh_create_issue', ['gh_']).tokens, ['create', 'issue']);
  assert.deepEqual(tokenizeName('slack.post_message', undefined, 'slack').tokens, ['post', 'message']);
  assert.deepEqual(tokenizeName('issues.list').tokens, ['issues', 'list']);
});

test('configured server prefixes are stripped before classification', () => {
  const a = classifyTool({ name: 'stripe_create_refund' }, { serverPrefixes: ['stripe_'] });
  assert.equal(a.category, 'Financial');
  assert.doesNotMatch(a.rationale, /stripe_create/);
});

test('money context turns a create/transfer into Financial, but only where money is involved', () => {
  assert.equal(classifyTool({ name: 'transfer', description: 'This tool will transfer (send) an ERC20 token from the wallet to another onchain address.', inputSchema: { properties: { amount: {}, destinationAddress: {} } } }).category, 'Financial');
  assert.equal(classifyTool({ name: 'linear_transferIssue', description: 'Transfer an issue to another team' }).category, 'Write');
  assert.equal(classifyTool({ name: 'list_invoices', description: 'List invoices from PayPal.' }).category, 'Read');
  assert.equal(classifyTool({ name: 'cancel_subscription', description: 'This tool will cancel a subscription in Stripe.' }).category, 'Financial');
  assert.equal(classifyTool({ name: 'create_customer', description: 'This tool will create a customer in Stripe.' }).category, 'Write');
});

test('browser interactions are Execute; observing the page is Read', () => {
  assert.equal(classifyTool({ name: 'browser_click', description: 'Perform click on a web page' }).category, 'Execute');
  assert.equal(classifyTool({ name: 'puppeteer_navigate', description: 'Navigate to a URL' }).category, 'Execute');
  assert.equal(classifyTool({ name: 'browser_drop', description: 'Drop files onto an element' }).category, 'Execute');
  assert.equal(classifyTool({ name: 'browser_take_screenshot', description: 'Take a screenshot of the current page.' }).category, 'Read');
});

test('a read-only query language keeps "execute query" a read; SQL does not', () => {
  assert.equal(classifyTool({ name: 'execute_query', description: 'Execute a PromQL instant query against Prometheus' }).category, 'Read');
  assert.equal(classifyTool({ name: 'execute_query', description: 'Execute a SQL query against a Redshift cluster', inputSchema: { properties: { sql: {} } } }).category, 'Execute');
  assert.equal(classifyTool({ name: 'query', description: 'Run a read-only SQL query', inputSchema: { properties: { sql: {} } } }).category, 'Read');
});

test('annotations cannot lower risk', () => {
  const plain = classifyTool({ name: 'delete_project', description: 'Delete a project and all its data.' });
  const claimsReadOnly = classifyTool({
    name: 'delete_project',
    description: 'Delete a project and all its data.',
    annotations: { readOnlyHint: true, destructiveHint: false },
  });
  assert.equal(claimsReadOnly.category, 'Destructive');
  assert.equal(claimsReadOnly.level, 'Critical');
  assert.ok(claimsReadOnly.confidence < plain.confidence, 'contradicting annotations should lower confidence');
  assert.match(claimsReadOnly.rationale, /annotations cannot lower risk/);

  const exec = classifyTool({ name: 'run_command', inputSchema: { properties: { command: {} } }, annotations: { readOnlyHint: true } });
  assert.equal(exec.category, 'Execute');
  assert.equal(exec.level, 'Critical');

  // An opaque name with a read-only claim is not promoted to a low-risk read.
  const opaque = classifyTool({ name: 'zorb', annotations: { readOnlyHint: true } });
  assert.notEqual(opaque.category, 'Read');
  assert.notEqual(opaque.level, 'Low');
});

test('destructiveHint raises risk', () => {
  const opaque = classifyTool({ name: 'vm_lifecycle', annotations: { destructiveHint: true } });
  assert.equal(opaque.category, 'Destructive');
  const write = classifyTool({ name: 'update_page', description: 'Update an existing Confluence page.' });
  const writeFlagged = classifyTool({ name: 'update_page', description: 'Update an existing Confluence page.', annotations: { destructiveHint: true } });
  assert.equal(write.level, 'Medium');
  assert.equal(writeFlagged.category, 'Write');
  assert.equal(writeFlagged.level, 'High');
  assert.match(writeFlagged.rationale, /destructive/i);
  assert.ok(writeFlagged.signals.some((s) => s.source === 'annotation' && s.category === 'Destructive'));
});

test('readOnlyHint:false on a read raises its level', () => {
  const a = classifyTool({ name: 'browser_verify_text_visible', description: 'Verify text is visible on the page.', annotations: { readOnlyHint: false } });
  assert.equal(a.category, 'Read');
  assert.equal(a.level, 'Medium');
});

test('disagreeing signals lower confidence and the rationale says so', () => {
  const agree = classifyTool({ name: 'delete_file', description: 'Delete a file from a GitHub repository' });
  const disagree = classifyTool({ name: 'get_file', description: 'Delete a file from the repository permanently.' });
  assert.ok(disagree.confidence < agree.confidence);
  assert.match(disagree.rationale, /disagree/);
});

test('overrides from configuration win and say so', () => {
  const a = classifyTool({ name: 'get_balance' }, { override: { category: 'Financial' } });
  assert.equal(a.category, 'Financial');
  assert.equal(a.level, 'Critical');
  assert.equal(a.confidence, 1);
  assert.match(a.rationale, /override/i);
  assert.match(a.rationale, /Read/);
  assert.ok(a.signals.some((s) => s.source === 'override'));
  assertWellFormed(a);

  const levelOnly = classifyTool({ name: 'list_users' }, { override: { level: 'High' } });
  assert.equal(levelOnly.category, 'Read');
  assert.equal(levelOnly.level, 'High');
  assert.match(levelOnly.rationale, /override/i);

  assert.deepEqual(classifyTool({ name: 'list_users' }, { override: undefined }), classifyTool({ name: 'list_users' }));
});

test('bad input never throws and unknown tools are Other with low confidence', () => {
  const huge = 'Delete everything. '.repeat(200_000);
  const hostile = new Proxy({}, { get() { throw new Error('boom'); }, ownKeys() { throw new Error('boom'); } });
  const inputs: unknown[] = [
    { name: '' },
    { name: '' , description: '' },
    { name: '🙂🙂🙂' },
    { name: 'получить_список' },
    { name: 'x'.repeat(100_000) },
    { name: 'get_thing', description: huge },
    { name: 'tool', description: 42 },
    { name: 'tool', description: { text: 'delete' } },
    { name: 'tool', inputSchema: 'not a schema' },
    { name: 'tool', inputSchema: [1, 2, 3] },
    { name: 'tool', inputSchema: { properties: null } },
    { name: 'tool', inputSchema: hostile },
    { name: 'tool', annotations: 'yes' },
    { name: 'tool', annotations: { readOnlyHint: 'true', destructiveHint: 1 } },
    { name: 42 },
    { name: null },
    {},
    null,
    undefined,
    'get_thing',
  ];
  for (const input of inputs) {
    const a = classifyTool(input as ToolDefinitionInput);
    assertWellFormed(a);
  }
  const unknown = classifyTool({ name: '' });
  assert.equal(unknown.category, 'Other');
  assert.ok(unknown.confidence <= 0.3);
  const emoji = classifyTool({ name: '🙂🙂🙂' });
  assert.equal(emoji.category, 'Other');
  assert.ok(emoji.confidence <= 0.3);
});

test('huge descriptions are bounded: only their head is read, so what follows it changes nothing', () => {
  // The cost stays that of a short description (bench/risk.bench.ts prints both); here, the behaviour behind it.
  const filler = 'lorem ipsum dolor sit amet '.repeat(400_000);
  const destructive = ' Permanently deletes every record in the workspace.';
  assert.equal(classifyTool({ name: 'get_thing', description: `Get the thing. ${filler}` }).category, 'Read');
  const near = classifyTool({ name: 'thing', description: `Handles the thing.${destructive}` });
  assert.equal(near.category, 'Destructive', 'the words count when they come early');
  const far = classifyTool({ name: 'thing', description: `Handles the thing. ${filler}${destructive}` });
  assert.deepEqual(far, classifyTool({ name: 'thing', description: `Handles the thing. ${filler}` }), 'past the head they change nothing');
  assert.equal(far.category, 'Other');
});

test('deterministic: same input, same output, regardless of call order', () => {
  const defs: ToolDefinitionInput[] = [
    { name: 'create_refund', description: 'Refund a payment.', inputSchema: { properties: { amount: {} } } },
    { name: 'kubectl_delete', annotations: { destructiveHint: true } },
    { name: 'get_dicom_import_job' },
  ];
  const first = defs.map((d) => classifyTool(d));
  const again = [...defs].reverse().map((d) => classifyTool(d)).reverse();
  assert.deepEqual(again, first);
  assert.equal(JSON.stringify(classifyTool(defs[0] as ToolDefinitionInput)), JSON.stringify(first[0]));
});

test('attack patterns are chosen by category and signal, with public references', () => {
  const pay = attackPatternsFor(classifyTool({ name: 'create_refund', inputSchema: { properties: { amount: {} } } }));
  assert.ok(pay.some((p) => p.id === 'unauthorised-payment'));
  const read = attackPatternsFor(classifyTool({ name: 'fetch', description: 'Fetches a URL from the internet.', annotations: { openWorldHint: true } }));
  assert.ok(read.some((p) => p.id === 'indirect-prompt-injection'));
  assert.ok(read.some((p) => p.id === 'data-exfiltration'));
  const exec = attackPatternsFor(classifyTool({ name: 'exec_in_pod', inputSchema: { properties: { command: {} } } }));
  assert.ok(exec.some((p) => p.id === 'command-injection'));
  const browser = attackPatternsFor(classifyTool({ name: 'browser_click' }));
  assert.ok(browser.some((p) => p.id === 'browser-session-abuse'));
  const destroy = attackPatternsFor(classifyTool({ name: 'drop_database' }));
  assert.ok(destroy.some((p) => p.id === 'confused-deputy'));
  const poisoned = attackPatternsFor(classifyTool({ name: 'delete_user', annotations: { readOnlyHint: true } }));
  assert.ok(poisoned.some((p) => p.id === 'tool-poisoning'));
  for (const p of [...pay, ...read, ...exec, ...browser, ...destroy, ...poisoned]) {
    assert.match(p.reference.url, /^https:\/\/(modelcontextprotocol\.io|genai\.owasp\.org)\//);
    assert.ok(p.summary.length > 40);
    assert.equal(new Set(attackPatternsFor(classifyTool({ name: 'browser_click' })).map((x) => x.id)).size, browser.length);
  }
});
