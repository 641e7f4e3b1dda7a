import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, fixture, startGateway, stdioFixture, textOf, type TestGateway } from '../helpers/harness.js';

const TOKEN = 'console-e2e-admin-token-0123456789';
const ARTIFACTS = join(ROOT, 'test-artifacts');

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

function api<T>(gw: TestGateway, path: string): Promise<T> {
  return fetch(new URL(path, gw.url), { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json() as Promise<T>);
}

/**
 * Runs in the page (as text: the tests are compiled without the DOM's types): visible controls with no accessible
 * name, and how far the page overflows the viewport sideways.
 */
const ACCESSIBILITY_REPORT = `(() => {
  const unnamed = [...document.querySelectorAll('input, select, textarea, button, a[href]')]
    .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
    .filter((el) => !((el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title') || el.textContent.trim() !== ''))
    .map((el) => el.outerHTML.slice(0, 80));
  return { unnamed, overflow: document.documentElement.scrollWidth - window.innerWidth };
})()`;

async function signIn(page: Page, gw: TestGateway): Promise<void> {
  await page.goto(new URL('/', gw.url).href);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByLabel(/Approver name/).fill('e2e-alice');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function open(page: Page, name: string, heading = name): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('console in a browser', () => {
  let browser: Browser;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launch();
  });
  after(() => browser?.close());

  it('registers a server, denies one of its tools in the visual builder, and an agent is then refused', async () => {
    const gw = await startGateway({ servers: {}, policy: '{"version":"1","default":"allow"}', config: { admin: { token: TOKEN } } });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    try {
      await signIn(page, gw);
      await shot(page, 'overview');

      await open(page, 'Servers');
      await page.getByRole('button', { name: 'Add server' }).click();
      const form = page.getByRole('form', { name: 'Register a server' });
      await form.getByLabel('Name', { exact: true }).fill('fixture');
      await form.getByLabel('Command', { exact: true }).fill(process.execPath);
      await form.getByLabel(/Arguments/).fill(fixture('faulty'));
      await form.getByRole('button', { name: 'Test connection' }).click();
      await form.getByText(/Connected in \d+ ms: \d+ tools/).waitFor();
      await form.getByRole('button', { name: 'Register server' }).click();
      await page.getByText('Saved fixture.').waitFor();
      await page.getByRole('cell', { name: 'fixture', exact: true }).waitFor();
      await shot(page, 'servers');

      let echo: string | undefined;
      for (let i = 0; i < 100 && !echo; i++) {
        const catalog = await api<{ tools: { name: string; upstreamName: string; server: string }[] }>(gw, '/api/catalog');
        echo = catalog.tools.find((tool) => tool.server === 'fixture' && tool.upstreamName === 'echo')?.name;
        if (!echo) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(echo, 'the registered server’s tools reach the catalog');

      await open(page, 'Catalog');
      await page.getByRole('link', { name: echo, exact: true }).waitFor();
      await shot(page, 'catalog');
      await page.getByRole('link', { name: echo, exact: true }).click();
      await page.getByRole('heading', { name: 'Recommended rule' }).waitFor();
      await shot(page, 'catalog-tool');
      await page.getByRole('button', { name: 'Apply recommended rule' }).click();
      await page.getByText(/Applied\. Policy version \w+ \(revision \d+\) is now in force/).waitFor();
      const recommended = await api<{ recommendedRule: unknown }>(gw, `/api/catalog/${encodeURIComponent(echo)}`);
      const applied = await api<{ policy: { tools: Record<string, unknown> } }>(gw, '/api/policy');
      assert.deepEqual(applied.policy.tools[echo], recommended.recommendedRule, 'one click puts the recommended rule in force');

      await open(page, 'Policy');
      const row = page.locator(`fieldset[data-tool="${echo}"]`);
      await row.getByRole('radio', { name: 'Deny', exact: true }).check();
      await row.getByLabel(`Reason for ${echo}`).fill('echo is off limits in this test');
      const json = page.getByLabel('JSON', { exact: true });
      assert.match(await json.inputValue(), /"action": "deny"/, 'the JSON follows the builder');
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByText(/Saved and in force/).waitFor();
      await shot(page, 'policy');

      const client = await gw.connect();
      const result = await client.callTool({ name: echo, arguments: { message: 'hello' } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^\[POLICY DENIED\]/);
      assert.match(textOf(result), /echo is off limits in this test/);

      // Audit records are written in batches off the call path; the page shows what is written when it loads.
      await gw.app.audit.flush();
      await open(page, 'Audit');
      await page.getByRole('cell', { name: echo }).first().waitFor();
      await shot(page, 'audit');

      // History: revision 1 is the policy found at start-up; its diff shows the deny being added, and a rollback lifts it.
      await open(page, 'Policy');
      await page.getByRole('button', { name: 'Compare revision 1 with the current policy' }).click();
      const diff = page.getByLabel('Differences between revision 1 and the current policy');
      assert.match(await diff.innerText(), /^\+\s+"reason": "echo is off limits in this test"/m);
      await shot(page, 'policy-history');
      await page.getByRole('button', { name: 'Roll back to revision 1' }).click();
      await page.getByText(/Rolled back to revision 1; saved as revision \d+\./).waitFor();
      assert.equal(textOf(await client.callTool({ name: echo, arguments: { message: 'after rollback' } })), 'faulty: after rollback');
      assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), [], 'no script errors (a CSP violation would be one)');
    } finally {
      await page.close();
      await gw.close();
    }
  });

  it('shows a held call on the Approvals page; one click approves it and the agent gets the upstream result', async () => {
    const policy = { version: '1', default: 'allow', tools: { echo: { action: 'require_approval', reason: 'a person checks every echo', approval: { timeout: '60s' } } } };
    const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: JSON.stringify(policy), config: { admin: { token: TOKEN } } });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await signIn(page, gw);
      await open(page, 'Approvals');
      const client = await gw.connect();
      const call = client.callTool({ name: 'echo', arguments: { message: 'held in the browser' } }, undefined, { timeout: 60_000 });
      const card = page.getByRole('article', { name: /Approval request: echo/ });
      await card.waitFor({ timeout: 15_000 });
      await card.getByText('a person checks every echo').waitFor();
      await card.getByLabel(/Note/).fill('looks fine');
      await shot(page, 'approvals');
      await card.getByRole('button', { name: 'Approve' }).click();
      assert.equal(textOf(await call), 'faulty: held in the browser');
      await page.getByText('Nothing is waiting for a decision.').waitFor();
    } finally {
      await page.close();
      await gw.close();
    }
  });

  it('every page works from the keyboard, names every control, and fits a phone-width screen', async () => {
    const gw = await startGateway({ servers: { faulty: stdioFixture('faulty') }, policy: '{"version":"1","default":"allow"}', config: { admin: { token: TOKEN } } });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(new URL('/', gw.url).href);
      // Sign in without the mouse: type, Tab to the next field, Enter submits.
      await page.getByLabel('Admin token').focus();
      await page.keyboard.type(TOKEN);
      await page.getByLabel(/Approver name/).focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('keyboard-user');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      for (const name of ['Servers', 'Catalog', 'Policy', 'Approvals', 'Audit', 'Overview']) {
        const link = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });
        await link.focus();
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name, exact: true }).waitFor();
        // Wait for the page's data, then check what a keyboard or screen-reader user relies on.
        await page.waitForLoadState('networkidle');
        const report = (await page.evaluate(ACCESSIBILITY_REPORT)) as { unnamed: string[]; overflow: number };
        assert.deepEqual(report.unnamed, [], `${name}: every control has an accessible name`);
        assert.ok(report.overflow <= 0, `${name}: no sideways scrolling at 390px (overflow ${report.overflow}px)`);
        await shot(page, `phone-${name.toLowerCase()}`);
      }
      // A visible focus ring: the focused link's outline or box-shadow is drawn.
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Servers', exact: true }).focus();
      const ring = await page.evaluate(`(() => { const style = getComputedStyle(document.activeElement); return style.outlineStyle !== 'none' || style.boxShadow !== 'none'; })()`);
      assert.ok(ring, 'focus is visible');
    } finally {
      await page.close();
      await gw.close();
    }
  });
});
