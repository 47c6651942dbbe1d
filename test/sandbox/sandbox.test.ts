import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ingressHost, REGION_IDS } from '../../src/core/regions';
import { defaultStoredSettings } from '../../src/core/settings';
import { invalidateSettingsCache } from '../../src/platform/settings-cache';
import { writeSettings } from '../../src/platform/settings-store';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { launchChromium, screenshot, watchPage } from '../support/browser';
import { fixture } from '../support/fixtures';
import { httpJson, httpRequest } from './http';

// The sandbox `npm start` runs: the real settings page, the event console and the receiver page on
// one local origin, the app's real trigger, queue consumer and heartbeat behind them.

const quiet = { log: () => undefined, heartbeat: false as const };

function temporaryDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'sandbox-test-'));
}

beforeAll(() => {
  // The app logs as it would on Forge; that is noise here.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => jest.restoreAllMocks());

describe('the sandbox in a browser', () => {
  let browser: Browser;
  let sandbox: Sandbox;
  let dataDir: string;
  let page: Page;
  let watched: { problems: string[] };

  beforeAll(async () => {
    dataDir = temporaryDir();
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, dataDir, ...quiet })]);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    watched = watchPage(page);
  });
  afterEach(async () => {
    await page.close();
    // No script error, no CSP violation, nothing fetched from outside this machine.
    expect(watched.problems).toEqual([]);
  });

  it('serves the real settings page, signed in as a workspace admin, with the key to paste', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/localhost:\d+$/);
    await page.goto(`${sandbox.url}/`);
    const settings = page.frameLocator('#settings');
    await settings.getByRole('heading', { name: 'Coralogix', level: 1 }).waitFor();
    await settings.getByTestId('api-key').waitFor();
    expect(await page.getByTestId('sandbox-key').textContent()).toBe(sandbox.sandboxKey);
    expect(sandbox.sandboxKey).toMatch(/^cxtp_sandbox_/);

    await page.getByTestId('account').selectOption('member');
    await settings.getByTestId('forbidden').waitFor();
    expect(sandbox.account).toBe('member');
    await page.getByTestId('account').selectOption('admin');
    await settings.getByTestId('api-key').waitFor();
  }, 30_000);

  it('delivers an event fired from the console to the receiver page, live', async () => {
    // Configure as an admin would: paste the sandbox key on the settings page and save.
    await page.goto(`${sandbox.url}/`);
    const settings = page.frameLocator('#settings');
    await settings.getByTestId('api-key').fill(sandbox.sandboxKey);
    await settings.getByTestId('save').click();
    await settings.getByTestId('save-success').waitFor();

    const receiverPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const receiverProblems = watchPage(receiverPage);
    await receiverPage.goto(`${sandbox.url}/receiver`);
    await receiverPage.locator('[data-testid="live"].on').waitFor();

    await page.goto(`${sandbox.url}/console`);
    await page.getByTestId('config-banner').getByText('Sending to the sandbox receiver').waitFor();
    await page.getByTestId('event-select').selectOption('fulfilled.pullrequest');
    expect(JSON.parse(await page.getByTestId('payload').inputValue())).toEqual(fixture('fulfilled.pullrequest'));
    await page.getByTestId('fire').click();
    await page.locator('[data-testid="fire-result"][data-outcome="delivered"]').waitFor();
    expect(await page.getByTestId('fire-result').textContent()).toContain('Delivered: avi:bitbucket:fulfilled:pullrequest');
    await screenshot(page, 'sandbox-1-console-delivered');

    // Already open, the receiver page shows it without a reload.
    const entry = receiverPage.locator('[data-testid="entry"][data-class-name="avi:bitbucket:fulfilled:pullrequest"]');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Pull request merged');
    await entry.locator('summary').click();
    // Enriched from the example Bitbucket REST answers, as Forge's product API would answer.
    expect(JSON.parse((await entry.locator('pre').textContent()) ?? '{}')).toMatchObject({
      source_system: 'bitbucket',
      event: { type: 'avi:bitbucket:fulfilled:pullrequest', enrichment: { unresolved: [] } },
      bitbucket: { repository: { full_name: expect.any(String) } },
    });
    await screenshot(receiverPage, 'sandbox-2-receiver');

    // And the console's link leads there.
    await page.getByRole('link', { name: 'See it on the receiver page →' }).click();
    await page.locator('[data-testid="entry"][data-class-name="avi:bitbucket:fulfilled:pullrequest"]').waitFor();
    await receiverPage.close();
    expect(receiverProblems.problems).toEqual([]);
  }, 30_000);

  it('refuses to fire JSON that is not an event object, without calling the server', async () => {
    await page.goto(`${sandbox.url}/console`);
    await page.getByTestId('payload').fill('[1, 2');
    await page.getByTestId('json-error').waitFor();
    const before = sandbox.receiver.requests.length;
    await page.getByTestId('fire').click();
    await page.locator('[data-testid="fire-result"][data-outcome="error"]').waitFor();
    expect(await page.getByTestId('fire-result').textContent()).toContain('Fix the JSON first.');
    expect(sandbox.receiver.requests.length).toBe(before);
  }, 30_000);
});

describe('the sandbox endpoints and outcomes', () => {
  let sandbox: Sandbox;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = temporaryDir();
    sandbox = await startSandbox({ port: 0, dataDir, ...quiet });
  }, 30_000);
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers bad input with JSON errors', async () => {
    const url = `http://127.0.0.1:${sandbox.port}`;
    expect(await httpJson(`${url}/sandbox/fire`, { method: 'POST', body: '{"payload": ' })).toEqual({
      status: 400,
      json: { message: expect.stringMatching(/^The request body is not valid JSON: /) },
    });
    expect(await httpJson(`${url}/sandbox/fire`, { method: 'POST', body: '' })).toEqual({
      status: 400,
      json: { message: 'The request body is empty: send a JSON object' },
    });
    expect(await httpJson(`${url}/sandbox/fire`, { method: 'POST', body: '[1]' })).toEqual({
      status: 400,
      json: { message: 'The request body must be a JSON object, not an array' },
    });
    expect(await httpJson(`${url}/sandbox/fire`, { method: 'POST', body: '{}' })).toEqual({
      status: 400,
      json: { message: 'payload is required: the Forge event to fire, as a JSON object' },
    });
    expect(await httpJson(`${url}/sandbox/fire`, { method: 'POST', body: '{"payload": "push"}' })).toEqual({
      status: 400,
      json: { message: 'payload must be a JSON object (a Forge event), not a string' },
    });
    expect((await httpJson(`${url}/sandbox/fire`)).status).toBe(405);
    expect((await httpJson(`${url}/sandbox/entries?after=-1`)).status).toBe(400);
    expect((await httpJson(`${url}/sandbox/account`, { method: 'POST', body: '{"account":"root"}' })).status).toBe(400);
    expect(await httpJson(`${url}/sandbox/nothing-here`)).toEqual({
      status: 404,
      json: { message: 'No sandbox endpoint /sandbox/nothing-here' },
    });
    expect(await httpJson(`${url}/__forge/invoke`, { method: 'POST', body: 'not json' })).toMatchObject({ status: 400 });
    expect(sandbox.receiver.requests).toEqual([]);
  });

  it('serves its pages under a CSP that allows no inline script or style', async () => {
    const url = `http://127.0.0.1:${sandbox.port}`;
    for (const pagePath of ['/', '/console', '/receiver']) {
      const response = await httpRequest(`${url}${pagePath}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.body).not.toMatch(/<script>|<style|style="/);
    }
  });

  it('routes every region to the embedded receiver and tells each outcome of a fired event', async () => {
    expect(await sandbox.fire(fixture('push.repository'))).toEqual({ outcome: 'not-configured' });
    expect(sandbox.receiver.requests).toEqual([]);

    await sandbox.configureDefaults();
    const state = await sandbox.state();
    expect(state).toMatchObject({
      configured: true,
      keyAccepted: true,
      settings: { region: 'EU1', applicationName: 'sandbox', subsystemName: 'bitbucket' },
    });
    expect(JSON.stringify(state)).not.toContain('"apiKey"');
    expect(await sandbox.fire(fixture('push.repository'))).toMatchObject({
      outcome: 'delivered',
      destination: 'receiver',
      eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });

    for (const region of REGION_IDS) {
      await sandbox.platform.invoke(() => writeSettings({ ...defaultStoredSettings(), region }, sandbox.sandboxKey));
      invalidateSettingsCache();
      expect(await sandbox.fire(fixture('created.pullrequest'))).toMatchObject({ outcome: 'delivered' });
    }
    expect(sandbox.platform.egressCounters.hosts).toEqual(expect.arrayContaining(REGION_IDS.map(ingressHost)));

    sandbox.receiver.inject({ kind: 'status', status: 503 });
    const queued = await sandbox.fire(fixture('deleted.repository'));
    expect(queued).toMatchObject({ outcome: 'queued', retryInSeconds: expect.any(Number) });
    // The queue survives a restart: it is written next to the settings.
    expect(JSON.parse(readFileSync(path.join(dataDir, 'queue.json'), 'utf8'))).toHaveLength(1);
    for (const event of sandbox.platform.queue.pending) event.deliverAt = 0;
    expect(await sandbox.drain()).toBe(1);
    expect(sandbox.platform.queue.pending).toEqual([]);
    expect(sandbox.receiverLog.after(0).at(-1)).toMatchObject({ kind: 'entry', entry: { className: 'avi:bitbucket:deleted:repository' } });

    await sandbox.platform.invoke(() => writeSettings({ ...defaultStoredSettings(), forwardingEnabled: false }, undefined));
    invalidateSettingsCache();
    expect(await sandbox.fire(fixture('push.repository'))).toEqual({ outcome: 'skipped', reason: 'forwarding-disabled' });

    // A key the receiver does not take: kept in the backlog until the key is fixed, and the refusal
    // is on the receiver page.
    await sandbox.platform.invoke(() => writeSettings(defaultStoredSettings(), 'cxtp_NotTheSandboxKey0000'));
    invalidateSettingsCache();
    expect((await sandbox.state()).keyAccepted).toBe(false);
    expect(await sandbox.fire(fixture('push.repository'))).toMatchObject({ outcome: 'queued', reason: expect.stringContaining('API key') });
    expect(sandbox.receiverLog.after(0).at(-1)).toMatchObject({ kind: 'refused', status: 403 });
    expect((await sandbox.state()).backlog).toBe(1);
  }, 30_000);

  it('says so when the port is taken, leaving the running sandbox alone', async () => {
    await expect(startSandbox({ port: sandbox.port, dataDir, ...quiet })).rejects.toThrow(
      `Port ${sandbox.port} is in use: choose another with --port <n>, or --port 0 for a free one`,
    );
    expect(await sandbox.fire(fixture('push.repository'))).toMatchObject({ outcome: 'queued' });
  });

  it('keeps settings and the sandbox key across a restart', async () => {
    const key = sandbox.sandboxKey;
    await sandbox.close();
    sandbox = await startSandbox({ port: 0, dataDir, ...quiet });
    expect(sandbox.sandboxKey).toBe(key);
    expect(await sandbox.isConfigured()).toBe(true);
    expect((await sandbox.state()).backlog).toBe(2);
  }, 30_000);

  it('sends elsewhere with a Coralogix URL, and refuses one with credentials', async () => {
    await expect(
      startSandbox({ port: 0, dataDir, coralogixUrl: 'https://user:secret@ingress.eu2.coralogix.com', ...quiet }),
    ).rejects.toThrow('must not contain credentials');
    await expect(startSandbox({ port: 0, dataDir, coralogixUrl: 'ingress.eu2.coralogix.com', ...quiet })).rejects.toThrow(
      'absolute http(s) URL',
    );

    await sandbox.close();
    // Another "Coralogix": a second receiver that takes a different key.
    const target = await CoralogixReceiver.start({ apiKeys: ['cxtp_ElsewhereKey1234'] });
    sandbox = await startSandbox({ port: 0, dataDir, coralogixUrl: target.url, ...quiet });
    try {
      expect(sandbox.destination).toEqual({ kind: 'external', url: target.url });
      expect((await sandbox.state()).sandboxKey).toBeUndefined();
      // Still the sandbox key: the other endpoint refuses it, and the pages say why.
      await sandbox.platform.invoke(() => writeSettings(defaultStoredSettings(), sandbox.sandboxKey));
      invalidateSettingsCache();
      expect((await sandbox.state()).savedKeyIsSandboxKey).toBe(true);
      expect(await sandbox.fire(fixture('push.repository'))).toMatchObject({
        outcome: 'queued',
        reason: expect.stringContaining('API key'),
      });
      expect(target.requests.map((request) => request.status)).toEqual([403]);

      await sandbox.platform.invoke(() => writeSettings(defaultStoredSettings(), 'cxtp_ElsewhereKey1234'));
      invalidateSettingsCache();
      expect(await sandbox.fire(fixture('push.repository'))).toMatchObject({ outcome: 'delivered', destination: 'external' });
      expect(target.entries.map((entry) => entry.className)).toEqual(['avi:bitbucket:push:repository']);
      expect(sandbox.receiver.requests).toEqual([]);
      const configure = await httpJson(`http://127.0.0.1:${sandbox.port}/sandbox/configure`, { method: 'POST', body: '{}' });
      expect(configure.status).toBe(409);
    } finally {
      await target.close();
    }
  }, 30_000);
});

describe('the sandbox timers', () => {
  let sandbox: Sandbox | undefined;
  let dataDir: string;

  beforeEach(() => {
    dataDir = temporaryDir();
  });
  afterEach(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function eventually(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs the heartbeat shortly after start and delivers due retries on its own', async () => {
    const notices: string[] = [];
    sandbox = await startSandbox({
      serve: false,
      dataDir,
      drainEveryMs: 100,
      heartbeat: { firstAfterMs: 300, everyMs: 3_600_000 },
      log: (notice) => notices.push(notice),
    });
    const running = sandbox;
    await running.configureDefaults();
    await eventually(
      () => running.receiver.entries.some((entry) => entry.className === 'bitbucket-coralogix:heartbeat'),
      'the heartbeat entry',
    );

    running.receiver.inject({ kind: 'status', status: 503 });
    expect(await running.fire(fixture('push.repository'))).toMatchObject({ outcome: 'queued' });
    for (const event of running.platform.queue.pending) event.deliverAt = Date.now();
    await eventually(() => running.platform.queue.pending.length === 0, 'the retry to be delivered');
    expect(running.receiver.entries.map((entry) => entry.className)).toContain('avi:bitbucket:push:repository');
    expect(notices).toContain('Retried 1 queued delivery.');
  }, 30_000);
});
