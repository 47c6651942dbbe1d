import { StorageKeys } from '../../src/platform/storage-keys';
import { screenshot } from '../support/browser';
import { fixture } from '../support/fixtures';
import { ADMIN, fillForm as fillFormOn, KEY, MEMBER, openSettings, settingsPageSuite } from './page-harness';

describe('the settings page in a browser', () => {
  const suite = settingsPageSuite();
  let platform: typeof suite.platform;
  let receiver: typeof suite.receiver;
  let host: typeof suite.host;
  let app: typeof suite.app;
  let page: typeof suite.page;
  // The suite's hooks give each test its own platform and page; these name the current ones.
  beforeEach(() => ({ platform, receiver, host, app, page } = suite));

  const open = (query = '') => openSettings(page, host.url, query);
  const fillForm = (names: { application: string; subsystem: string }, region = 'US1') => fillFormOn(page, names, region);

  it('shows Forge’s consent prompt to an admin who has not let the app act as them, then the form once allowed', async () => {
    platform.defaultInstallation.consentMissing.add(ADMIN);
    await open();
    await page.getByRole('dialog', { name: 'Allow access' }).waitFor();
    await expect(page.getByText('Something went wrong').count()).resolves.toBe(0);
    await screenshot(page, '0-consent-prompt');
    await page.getByTestId('forge-consent-allow').click();
    await page.getByTestId('api-key').waitFor();
    expect(platform.defaultInstallation.consentMissing.has(ADMIN)).toBe(false);
  });

  it('lets an admin connect, save, reload with the key masked, test, and watch the stream', async () => {
    await open();
    await page.getByTestId('api-key').waitFor();
    await screenshot(page, '1-no-key');
    await fillForm({ application: 'acme-prod', subsystem: 'bitbucket-audit' });
    await page.getByTestId('family-deployment--checkbox-label').click();
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();

    await page.reload();
    await page.getByTestId('api-key-hint').waitFor();
    expect(await page.getByTestId('api-key-hint').textContent()).toBe(`A key ending in ••••${KEY.slice(-4)} is set.`);
    expect(await page.content()).not.toContain(KEY);
    expect(await page.getByTestId('application-name').inputValue()).toBe('acme-prod');
    expect(await page.locator('#region').locator('xpath=ancestor::div[contains(@class,"container")][1]').textContent()).toContain('US1');
    expect(await page.getByTestId('event-avi:bitbucket:completed:deployment--hidden-checkbox').isChecked()).toBe(false);
    await screenshot(page, '2-key-set');

    await page.getByTestId('send-test').click();
    await page.getByTestId('test-result').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toContain('Coralogix accepted the test event');
    expect(receiver.entries.map((entry) => [entry.className, entry.applicationName])).toEqual([['bitbucket-coralogix:test', 'acme-prod']]);
    await screenshot(page, '3-test-delivered');

    // The test of the saved key counted as the first delivery; the event is the second.
    await platform.invoke(() => app.forwardEvent(fixture('push.repository'), {}));
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('stat-delivered').getByText('2', { exact: true }).waitFor();
    expect(await page.getByTestId('headline').getAttribute('data-state')).toBe('healthy');
    expect(await page.getByTestId('last-success').textContent()).toMatch(/s ago/);

    await page.getByTestId('replace-key').click();
    await page.getByTestId('api-key').waitFor();
    await screenshot(page, '4-replace-key');
  }, 60_000);

  it('explains a wrong key in words', async () => {
    await open();
    await fillForm({ application: 'acme-prod', subsystem: 'bitbucket' });
    receiver.acceptKeys('cxtp_SomeOtherKey0000');
    await page.getByTestId('send-test').click();
    await page.getByTestId('test-result').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toMatch(/Wrong key or region.*US1 \(Ohio\) region/);
    await screenshot(page, '5-wrong-key');
  }, 30_000);

  it('shows validation errors inline and stores nothing', async () => {
    await open();
    await page.getByTestId('api-key').fill('short');
    await page.getByTestId('application-name').fill('   ');
    await page.getByTestId('subsystem-name').fill('x'.repeat(101));
    await page.getByTestId('save').click();
    await page.getByTestId('application-name-error').waitFor();
    expect(await page.getByTestId('application-name-error').textContent()).toBe('Application name is required');
    expect(await page.getByTestId('subsystem-name-error').textContent()).toBe('Subsystem name must be at most 100 characters');
    expect(await page.getByTestId('api-key-error').textContent()).toBe('The API key looks too short');
    expect(host.invocations.map((invocation) => invocation.functionKey)).not.toContain('settings/save');
    expect(platform.kvs.keys()).toEqual([]);
    await screenshot(page, '6-validation');
  }, 30_000);

  it('routes by template, and saves coverage and privacy choices', async () => {
    await open();
    await fillForm({ application: 'acme-prod', subsystem: 'bb-{repo.slug}' }, 'EU1');
    await page.getByTestId('save').click();
    await page.getByTestId('subsystem-name-error').waitFor();
    expect(await page.getByTestId('subsystem-name-error').textContent()).toContain('Unknown placeholder {repo.slug}');

    await page.getByTestId('subsystem-name').fill('bb-{repository.slug}');
    await page.locator('#coverage-PULL_REQUEST').fill('Off');
    await page.keyboard.press('Enter');
    await page.getByTestId('omit-free-text--input').check({ force: true });
    expect(await page.getByTestId('event-avi:bitbucket:fulfilled:pullrequest--hidden-checkbox').isChecked()).toBe(false);
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    await screenshot(page, '10-coverage');

    await platform.invoke(() => app.forwardEvent(fixture('fulfilled.pullrequest'), {}));
    await platform.invoke(() => app.forwardEvent(fixture('push.repository'), {}));
    expect(receiver.entries.map((entry) => [entry.className, entry.subsystemName])).toEqual([
      ['avi:bitbucket:push:repository', 'bb-payments-api'],
    ]);
    expect(JSON.parse(receiver.entries[0]?.text ?? '{}').event.free_text_omitted).toBe(true);
  }, 30_000);

  it('shows a non-admin an explanation, not the form', async () => {
    host.accountId = MEMBER;
    await open();
    await page.getByTestId('forbidden').waitFor();
    expect(await page.getByTestId('forbidden').textContent()).toContain('Only administrators of this Bitbucket workspace');
    expect(await page.getByTestId('api-key').count()).toBe(0);
    expect(await page.getByTestId('save').count()).toBe(0);
    await screenshot(page, '7-not-admin');
  }, 30_000);

  it('shows markup typed into names as text and never runs it', async () => {
    const markup = '<img src=x onerror="window.__injected=1">';
    await open();
    await fillForm({ application: markup, subsystem: '<b>bold</b>' });
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    await page.getByTestId('send-test').click();
    await page.getByTestId('test-result').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toContain(`application "${markup}"`);
    await page.reload();
    await page.getByTestId('application-name').waitFor();
    expect(await page.getByTestId('application-name').inputValue()).toBe(markup);
    expect(await page.evaluate(() => (window as { __injected?: unknown }).__injected)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
  }, 30_000);

  it('lists undelivered events and lets the admin retry and discard them', async () => {
    await open();
    await fillForm({ application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    receiver.inject({ kind: 'status', status: 400 }, { kind: 'status', status: 400 });
    await platform.invoke(() => app.forwardEvent(fixture('deleted.repository'), {}));
    await platform.invoke(() => app.forwardEvent(fixture('push.repository.forced'), {}));
    await page.reload();
    await page.getByTestId('dead-letter-row').first().waitFor();
    expect(await page.getByTestId('dead-letter-row').count()).toBe(2);
    expect(await page.getByTestId('dead-letters').textContent()).toContain('Repository deleted');
    expect(await page.getByTestId('headline').getAttribute('data-state')).toBe('failing');
    await screenshot(page, '8-dead-letters');

    await page.getByTestId('retry-one').first().click();
    await page.getByTestId('dead-letters-message').getByText('Delivered to Coralogix.').waitFor();
    await page.getByTestId('discard-one').first().click();
    await page.getByTestId('dead-letters-message').getByText('Discarded.').waitFor();
    await page.getByText('Nothing is waiting').waitFor();
    expect(platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toEqual([]);
    // Listed oldest first: the retried one is the first event fired.
    expect(receiver.entries.map((entry) => entry.className)).toEqual(['avi:bitbucket:deleted:repository']);
  }, 30_000);

  it('follows the dark theme', async () => {
    await open('?theme=dark');
    await page.getByTestId('api-key').waitFor();
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-color-mode'))).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(255, 255, 255)');
    await screenshot(page, '9-dark');
  }, 30_000);
});
