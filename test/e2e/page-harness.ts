import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { BridgeHost } from '../../sandbox/bridge-host';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { loadApp, type App } from '../support/app';
import { launchChromium, watchPage } from '../support/browser';

// The built settings page in Debian's Chromium, served with a host that answers @forge/bridge by
// running the app's real resolvers on the emulated platform, under a Forge-like CSP. Each test gets
// a fresh platform, receiver, app and page.

export const KEY = 'cxtp_BrowserSuiteKey9876';
export const ADMIN = '557058:admin-account';
export const MEMBER = '557058:member-account';

export interface SettingsPage {
  browser: Browser;
  platform: ForgePlatform;
  receiver: CoralogixReceiver;
  host: BridgeHost;
  app: App;
  page: Page;
  watched: { problems: string[] };
}

/** Registers the suite's hooks; the returned object holds the current test's page and platform. */
export function settingsPageSuite(viewport = { width: 1100, height: 900 }): SettingsPage {
  const current = {} as SettingsPage;

  beforeAll(async () => {
    current.browser = await launchChromium();
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  }, 30_000);
  afterAll(async () => {
    await current.browser.close();
    jest.restoreAllMocks();
  });

  beforeEach(async () => {
    current.receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
    current.platform = new ForgePlatform();
    const { platform } = current;
    platform.routeEgress('ingress.eu1.coralogix.com', current.receiver.url);
    platform.routeEgress('ingress.us1.coralogix.com', current.receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner', [MEMBER]: 'member' });
    current.app = loadApp();
    const { app } = current;
    platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) =>
      app.retryDelivery(event as Parameters<typeof app.retryDelivery>[0], context),
    );
    current.host = await BridgeHost.start({ platform, resolver: app.settingsResolver, accountId: ADMIN });
    current.page = await current.browser.newPage({ viewport });
    current.page.setDefaultTimeout(10_000);
    current.watched = watchPage(current.page);
  });
  afterEach(async () => {
    await current.page.close();
    await current.host.close();
    await current.receiver.close();
    current.platform.uninstall();
    // No script error, no CSP violation, nothing fetched from outside this machine.
    expect(current.watched.problems).toEqual([]);
  });

  return current;
}

export async function openSettings(page: Page, url: string, query = ''): Promise<void> {
  await page.goto(`${url}/${query}`);
  await page.getByRole('heading', { name: 'Coralogix', level: 1 }).waitFor();
}

export async function fillForm(page: Page, names: { application: string; subsystem: string }, region = 'US1', key = KEY): Promise<void> {
  await page.getByTestId('api-key').fill(key);
  await page.locator('#region').fill(region);
  await page.keyboard.press('Enter');
  await page.getByTestId('application-name').fill(names.application);
  await page.getByTestId('subsystem-name').fill(names.subsystem);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is. Its source is evaluated through
 * the DevTools protocol, which the page's CSP (no inline script) does not govern, so the page is
 * checked under the policy it ships with.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target }) => ({ target })) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** How far the page is wider than its window: 0 when nothing makes it scroll sideways. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
