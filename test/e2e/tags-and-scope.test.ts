import type { Browser, Page } from 'playwright-core';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { BridgeHost } from '../../sandbox/bridge-host';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { launchChromium, screenshot, watchPage } from '../support/browser';
import { fixture, serveWorkspaceFixtures } from '../support/fixtures';
import { loadApp } from '../support/app';

// The settings page's repository scope and version tags sections, in Debian's Chromium against the
// app's real resolvers on the emulated platform (as in settings-page.test.ts). The scope pickers list
// the example workspace's projects and repositories from the Bitbucket emulator, as the signed-in admin.
const KEY = 'cxtp_ScopeSuiteKey4321';
const TAGS_KEY = 'cxtp_TagsSuiteKey8765';
const ADMIN = '557058:admin-account';

describe('repository scope and version tags on the settings page', () => {
  let browser: Browser;
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let host: BridgeHost;
  let app: ReturnType<typeof loadApp>;
  let page: Page;
  let watched: { problems: string[] };

  beforeAll(async () => {
    browser = await launchChromium();
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  }, 30_000);
  afterAll(async () => {
    await browser.close();
    jest.restoreAllMocks();
  });

  beforeEach(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY], tagsKeys: [TAGS_KEY] });
    platform = new ForgePlatform();
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    platform.routeEgress('api.eu1.coralogix.com', receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner' });
    app = loadApp();
    platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) =>
      app.retryDelivery(event as Parameters<typeof app.retryDelivery>[0], context),
    );
    host = await BridgeHost.start({ platform, resolver: app.settingsResolver, accountId: ADMIN });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(10_000);
    watched = watchPage(page);
  });
  afterEach(async () => {
    await page.close();
    await host.close();
    await receiver.close();
    platform.uninstall();
    // No script error, no CSP violation, nothing fetched from outside this machine.
    expect(watched.problems).toEqual([]);
  });

  const open = async () => {
    await page.goto(`${host.url}/`);
    await page.getByRole('heading', { name: 'Coralogix', level: 1 }).waitFor();
    await page.getByTestId('application-name').waitFor();
  };

  async function fillConnection(region = 'EU1') {
    await page.getByTestId('api-key').fill(KEY);
    await page.locator('#region').fill(region);
    await page.keyboard.press('Enter');
    await page.getByTestId('application-name').fill('acme-prod');
    await page.getByTestId('subsystem-name').fill('bitbucket');
  }

  const turnTagsOn = () => page.getByTestId('version-tags--input').check({ force: true });

  it('keeps a repository picked from the workspace listing, and its name, across a reload', async () => {
    serveWorkspaceFixtures(platform.bitbucket, platform.workspaceId);
    await open();
    await fillConnection();
    await page.getByTestId('scope-mode-include--radio-label').click();
    await page.locator('#scope-repositories').click();
    await page.locator('#scope-repositories').fill('ledger');
    await page.getByRole('option', { name: 'ledger-service (acme-payments/ledger-service)' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    // After the save: a full-page screenshot scrolls the page, and the next click could land elsewhere.
    await screenshot(page, 'scope-1-picked');

    await page.reload();
    await page.getByTestId('scope-mode-include--radio-input').waitFor({ state: 'attached' });
    expect(await page.getByTestId('scope-mode-include--radio-input').isChecked()).toBe(true);
    await page.getByText('ledger-service', { exact: true }).waitFor();
    // The listing was asked as the admin, never as the app.
    const listings = platform.bitbucket.calls.filter((call) =>
      /^\/2\.0\/(repositories\/[^/]+|workspaces\/[^/]+\/projects)(\?|$)/.test(call.path),
    );
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((call) => call.principal.kind === 'user' && call.principal.accountId === ADMIN)).toBe(true);
    await screenshot(page, 'scope-2-kept');
  }, 60_000);

  it('asks for a project or repository when only some are forwarded', async () => {
    serveWorkspaceFixtures(platform.bitbucket, platform.workspaceId);
    await open();
    await fillConnection();
    await page.getByTestId('scope-mode-exclude--radio-label').click();
    await page.getByTestId('save').click();
    await page.getByTestId('scope-repositories-error').waitFor();
    expect(await page.getByTestId('scope-repositories-error').textContent()).toBe('Choose at least one project or repository');
    expect(host.invocations.map((invocation) => invocation.functionKey)).not.toContain('settings/save');
  }, 30_000);

  it('shows a listing that failed as an inline error with Retry, not a broken page', async () => {
    let failures = 1;
    platform.bitbucket.respond((call) => {
      if (!call.path.startsWith('/2.0/workspaces/') || failures === 0) return undefined;
      failures -= 1;
      return { status: 500, body: { type: 'error', error: { message: 'Something broke' } } };
    });
    serveWorkspaceFixtures(platform.bitbucket, platform.workspaceId);
    await open();
    await page.getByTestId('scope-mode-include--radio-label').click();
    await page.locator('#scope-projects').click();
    await page.getByTestId('scope-projects-load-error').waitFor();
    await screenshot(page, 'scope-3-listing-failed');
    await page.getByTestId('scope-projects-retry').click();
    await page.locator('#scope-projects').click();
    await page.getByRole('option', { name: 'Payments (PAY)' }).waitFor();
    expect(await page.getByTestId('scope-projects-load-error').count()).toBe(0);
  }, 30_000);

  it('asks for the tags key when tags are turned on, then sends a test tag with the unsaved form', async () => {
    await open();
    await fillConnection();
    await turnTagsOn();
    await page.getByTestId('tags-name-placeholders').waitFor();
    expect(await page.getByTestId('tags-name-placeholders').textContent()).toContain('{commit.short_hash}');
    await page.getByTestId('save').click();
    await page.getByTestId('tags-api-key-error').waitFor();
    expect(await page.getByTestId('tags-api-key-error').textContent()).toBe('A tags API key is required to create version tags');
    expect(host.invocations.map((invocation) => invocation.functionKey)).not.toContain('settings/save');
    await screenshot(page, 'tags-1-key-missing');

    await page.getByTestId('tags-api-key').fill(TAGS_KEY);
    await page.getByTestId('tags-name-template').fill('{repository.slug}-{environment.type}');
    await page.getByTestId('send-test-tag').click();
    await page.getByTestId('test-tag-result').waitFor();
    expect(await page.getByTestId('test-tag-result').textContent()).toContain('Test tag created');
    expect(receiver.tags.map((tag) => tag.body.name)).toEqual([expect.stringContaining('coralogix-test-test')]);
    await screenshot(page, 'tags-2-test-tag');

    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    await page.reload();
    await page.getByTestId('tags-api-key-hint').waitFor();
    expect(await page.getByTestId('tags-api-key-hint').textContent()).toBe(`A key ending in ••••${TAGS_KEY.slice(-4)} is set.`);
    expect(await page.content()).not.toContain(TAGS_KEY);
    await page.getByTestId('tags-enabled').getByText('On').waitFor();
  }, 60_000);

  it('lists a version tag that could not be created, and discards it', async () => {
    await open();
    await fillConnection();
    await turnTagsOn();
    await page.getByTestId('tags-api-key').fill(TAGS_KEY);
    // The example deployment is to a staging environment.
    await page.getByTestId('tags-environment-STAGING--checkbox-label').click();
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    receiver.acceptTagsKeys('cxtp_SomeOtherTagsKey00');
    await platform.invoke(() => app.forwardEvent(fixture('completed.deployment.successful'), {}));
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('tag-row').first().waitFor();
    expect(await page.getByTestId('tags-waiting').textContent()).toBe('1 version tag');
    expect(await page.getByTestId('tags-waiting-summary').textContent()).toMatch(/^1 version tag waits to be created\./);
    // The headline does not say healthy while a tag waits for a refused key.
    expect(await page.getByTestId('headline').getAttribute('data-state')).toBe('tags-waiting');
    expect(await page.getByTestId('headline').textContent()).toMatch(
      /Version tags waiting.*1 version tag waits to be created\. Coralogix refused the tags API key/,
    );
    await screenshot(page, 'tags-3-waiting');

    await page.getByTestId('discard-tag').click();
    await page.getByTestId('tags-message').getByText('Discarded').waitFor();
    await page.getByTestId('tags-waiting').getByText('none').waitFor();
    expect(await page.getByTestId('tag-row').count()).toBe(0);
    expect(await page.getByTestId('headline').getAttribute('data-state')).toBe('healthy');
  }, 60_000);

  it('explains that the GOV1 region offers no version tags, with the switch disabled', async () => {
    await open();
    await fillConnection('GOV1');
    await page.getByTestId('tags-unavailable').waitFor();
    expect(await page.getByTestId('tags-unavailable').textContent()).toContain('Coralogix offers no version tags in the GOV1');
    expect(await page.getByTestId('version-tags--input').isDisabled()).toBe(true);
    await screenshot(page, 'tags-4-gov1');
  }, 30_000);
});
