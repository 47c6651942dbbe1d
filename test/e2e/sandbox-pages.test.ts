import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { launchChromium, screenshot, watchPage } from '../support/browser';
import { fixture } from '../support/fixtures';
import { horizontalOverflow } from './page-harness';

// Issue 13 on the sandbox's own pages: a top bar that fits a narrow window, examples told apart, and
// the receiver naming the repository and the action of each entry, with counts in the right words.

describe('the sandbox pages for a narrow window and a quick read', () => {
  let browser: Browser;
  let sandbox: Sandbox;
  let dataDir: string;
  let page: Page;
  let watched: { problems: string[] };

  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-pages-'));
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, dataDir, heartbeat: false, log: () => undefined })]);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    page.setDefaultTimeout(10_000);
    watched = watchPage(page);
  });
  afterEach(async () => {
    await page.close();
    expect(watched.problems).toEqual([]);
  });

  it.each([
    ['settings', '/'],
    ['console', '/console'],
    ['receiver', '/receiver'],
  ])('fits the top bar of the %s page in 420 px', async (name, url) => {
    await page.goto(`${sandbox.url}${url}`);
    const topbar = page.locator('header.topbar');
    await topbar.waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await topbar.evaluate((bar) => bar.scrollWidth - bar.clientWidth)).toBeLessThanOrEqual(0);
    // Every link and the account switch lie inside the window.
    for (const control of [...(await topbar.getByRole('link').all()), ...(await topbar.getByTestId('account').all())]) {
      const box = await control.boundingBox();
      if (!box) throw new Error('not drawn');
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(420);
    }
    await screenshot(page, `13-sandbox-420-${name}`);
  });

  it('labels the failed deployment example apart from the successful one', async () => {
    await page.goto(`${sandbox.url}/console`);
    const option = (name: string) => page.locator(`#event option[value="${name}"]`).textContent();
    await page.locator('#event option').first().waitFor({ state: 'attached' });
    const failed = await option('completed.deployment');
    const successful = await option('completed.deployment.successful');
    expect(failed).toBe('Deployment completed (failed) — completed.deployment');
    expect(successful).toBe('Deployment completed (successful) — completed.deployment.successful');
    expect(await option('push.repository.forced')).toBe('Repository pushed (forced) — push.repository.forced');
    expect(await option('push.repository')).toBe('Repository pushed — push.repository');
  });

  it('names the repository and the action of each received entry, and counts in the right words', async () => {
    const toolbar = async () => ((await page.locator('.toolbar').textContent()) ?? '').replace(/\s+/g, ' ');
    await sandbox.configureDefaults();
    await page.goto(`${sandbox.url}/receiver`);
    await page.locator('[data-testid="live"].on').waitFor();
    await sandbox.fire(fixture('fulfilled.pullrequest'));
    const merged = page.locator('[data-testid="entry"][data-class-name="avi:bitbucket:fulfilled:pullrequest"]');
    await merged.waitFor();
    expect(await merged.getByTestId('entry-repository').textContent()).toBe('acme-payments/payments-api');
    expect(await merged.getByTestId('entry-action').textContent()).toBe('Pull request merged: PR #42');
    expect(await toolbar()).toMatch(/\b1 entry\b/);

    await sandbox.fire(fixture('completed.deployment'));
    const deployment = page.locator('[data-testid="entry"][data-class-name="avi:bitbucket:completed:deployment"]');
    await deployment.waitFor();
    expect(await deployment.getByTestId('entry-action').textContent()).toBe('Deployment completed: to production, failed');
    expect(await toolbar()).toMatch(/\b2 entries 0 refused requests\b/);
    await screenshot(page, '13-sandbox-420-receiver-entries');
  });
});
