import type { Locator, Page } from 'playwright-core';
import { TEMPLATE_PLACEHOLDERS } from '../../src/core/template';
import { StorageKeys } from '../../src/platform/storage-keys';
import { screenshot } from '../support/browser';
import { fixture } from '../support/fixtures';
import { fillForm, horizontalOverflow, KEY, openSettings, seriousViolations, settingsPageSuite } from './page-harness';

// Issue 13: the settings page as a new workspace admin reads it. Health that tells the truth at
// once, undelivered events an admin recognises, a form that behaves as Atlassian's do, a layout for
// Bitbucket's real frame widths in both themes, and nothing an assistive technology stumbles on.

const WRONG_KEY = 'cxtp_WrongKeyForThisRegion0';
const WIDTHS = [420, 1024, 1440] as const;
const THEMES = ['light', 'dark'] as const;
/** A count with the wrong word after it ("1 events"), anywhere on the page. */
const WRONG_PLURAL =
  /\b1 (events|entries|attempts|fields|requests|commits|days|tags)\b|\b([02-9]|\d{2,}) (event|entry|attempt|field|request|commit)\b/;

describe('the settings page at a glance', () => {
  const suite = settingsPageSuite();
  let page: Page;
  beforeEach(() => ({ page } = suite));

  const open = (query = '') => openSettings(page, suite.host.url, query);
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const headlineState = () => page.getByTestId('headline').getAttribute('data-state');

  async function save(): Promise<void> {
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
  }

  async function replaceKey(key: string): Promise<void> {
    await page.getByTestId('replace-key').click();
    await page.getByTestId('api-key').fill(key);
    await save();
  }

  async function fire(...names: string[]): Promise<void> {
    for (const name of names) await suite.platform.invoke(() => suite.app.forwardEvent(fixture(name), {}));
  }

  it('walks: configure, test, wrong key, fix the key; health and the undelivered events say what is true at each step', async () => {
    await open();
    await page.getByTestId('api-key').waitFor();
    expect(await headlineState()).toBe('not-configured');
    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await save();
    await page.locator('[data-testid="headline"][data-state="healthy"]').waitFor();

    // The test event is a delivery: the status read that follows it shows it, with no event and no hourly run.
    const statusReads = () => suite.host.invocations.filter((call) => call.functionKey === 'status/get').length;
    const readsBefore = statusReads();
    await page.getByTestId('send-test').click();
    await page.getByTestId('test-result').getByText('Test event delivered').waitFor();
    await page.getByTestId('stat-delivered').getByText('1', { exact: true }).waitFor();
    expect(statusReads()).toBe(readsBefore + 1);
    expect(await text(page.getByTestId('last-success'))).toMatch(/^\d+ s ago$/);
    expect(await text(page.getByTestId('health'))).toMatch(/^Healthy\s*Last delivery \d+ s ago\.$/);
    await screenshot(page, '13-1-test-counted');

    // A wrong key: what comes meanwhile is kept, listed by repository and action, with the next step.
    await replaceKey(WRONG_KEY);
    await fire('fulfilled.pullrequest', 'push.repository', 'completed.deployment');
    expect(suite.receiver.requests.filter((request) => request.status === 403)).toHaveLength(3);
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('dead-letter-row').nth(2).waitFor();
    expect(await headlineState()).toBe('failing');
    expect(await text(page.getByTestId('health'))).toMatch(
      /^Failing since .+Coralogix refused the API key \(HTTP 403\).*Save a working key or region\. 3 events wait: they are replayed automatically as soon as you do\.$/,
    );
    const rows = page.getByTestId('dead-letter-row');
    const listed = async () =>
      Promise.all(
        (await rows.all()).map(async (row) => [
          await text(row.getByTestId('dead-letter-summary')),
          await text(row.getByTestId('dead-letter-repository')),
          await text(row.getByTestId('dead-letter-next')),
        ]),
      );
    const needsKey = 'Needs the key or region fixed: it is replayed automatically as soon as you save a working one.';
    expect(await listed()).toEqual([
      ['PR #42 merged', expect.stringMatching(/^payments-api · \S/), needsKey],
      ['Push to main, 3 commits', expect.stringMatching(/^payments-api · \S/), needsKey],
      ['Deployment to production failed', expect.stringMatching(/^payments-api · \S/), needsKey],
    ]);
    expect(await text(rows.first().getByTestId('dead-letter-reason'))).toContain('Coralogix refused the API key (HTTP 403)');
    expect(await page.getByRole('button', { name: 'Retry: PR #42 merged' }).count()).toBe(1);
    await screenshot(page, '13-2-wrong-key-listed');

    // The key fixed: the page says they will be replayed, and when, before the drain has run.
    await replaceKey(KEY);
    await page.locator('[data-testid="headline"][data-state="catching-up"]').waitFor();
    const when = /at \d{1,2}:\d{2}/;
    expect(await text(page.getByTestId('health'))).toMatch(
      /3 events wait since .+\. They will be replayed automatically with the saved settings at /,
    );
    expect(await text(page.getByTestId('health'))).toMatch(when);
    for (const [, , next] of await listed())
      expect(next).toMatch(/^Will be replayed automatically with the saved settings at \d{1,2}:\d{2}/);
    await screenshot(page, '13-3-key-fixed-replay-announced');

    await suite.platform.deliverDueQueueEvents();
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('dead-letters-empty').getByText('Nothing is waiting: every event was delivered.').waitFor();
    await page.locator('[data-testid="headline"][data-state="healthy"]').waitFor();
    expect(suite.receiver.entries.map((entry) => entry.className)).toEqual([
      'bitbucket-coralogix:test',
      'avi:bitbucket:fulfilled:pullrequest',
      'avi:bitbucket:push:repository',
      'avi:bitbucket:completed:deployment',
    ]);
    expect(await text(page.locator('body'))).not.toMatch(WRONG_PLURAL);
    await screenshot(page, '13-4-replayed');
  }, 60_000);

  it('says the heartbeat in words, about the settings as they are now', async () => {
    await suite.platform.invoke(() => suite.app.heartbeat({}, {}));
    await open();
    await page.getByTestId('last-heartbeat').waitFor();
    expect(await text(page.getByTestId('last-heartbeat'))).toBe('Not sent until the app is configured');

    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await save();
    // The hourly run recorded "not configured" before the save: that is not what the page says now.
    await page
      .getByTestId('last-heartbeat')
      .getByText(/^Not sent with the saved settings yet; the next is due by /)
      .waitFor();
    expect(await text(page.locator('body'))).not.toContain('not-configured');

    await suite.platform.invoke(() => suite.app.heartbeat({}, {}));
    await page.getByTestId('refresh-status').click();
    await page
      .getByTestId('last-heartbeat')
      .getByText(/^Delivered \d+ s ago; the next is due by /)
      .waitFor();

    await page.getByTestId('forwarding--input').press('Space');
    await save();
    await page.getByTestId('last-heartbeat').getByText('Not sent while forwarding is off').waitFor();
    expect(await headlineState()).toBe('paused');
  }, 30_000);

  it('summarises errors by Save, moves focus to the first invalid field, and keeps the fields aligned', async () => {
    await open();
    await page.getByTestId('api-key').fill('short');
    await page.getByTestId('application-name').fill('   ');
    await page.getByTestId('subsystem-name').fill('bb-{repo.slug}');
    await page.getByTestId('save').click();

    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    expect(await text(summary)).toMatch(/^Not saved: 3 fields need attention/);
    // In the order of the form, each leading to its field.
    const items = await Promise.all((await summary.getByRole('listitem').all()).map(text));
    expect(items).toEqual([
      'The API key looks too short',
      'Application name is required',
      expect.stringMatching(/^Unknown placeholder \{repo\.slug\}/),
    ]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('api-key');
    await summary.getByRole('link', { name: 'Application name is required' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('application-name');
    expect(await seriousViolations(page)).toEqual([]);
    // By the button, not far above it.
    const summaryBox = await summary.boundingBox();
    const saveBox = await page.getByTestId('save').boundingBox();
    if (!summaryBox || !saveBox) throw new Error('not drawn');
    expect(saveBox.y - (summaryBox.y + summaryBox.height)).toBeGreaterThanOrEqual(0);
    expect(saveBox.y - (summaryBox.y + summaryBox.height)).toBeLessThan(80);
    expect(await page.getByTestId('save-error').count()).toBe(0);

    // The two name boxes keep one height and one top, with or without an error under one of them.
    const boxOf = async (id: string) => {
      const box = await page.getByTestId(id).locator('xpath=..').boundingBox();
      if (!box) throw new Error(`${id} not drawn`);
      return box;
    };
    const [withError, beside] = [await boxOf('application-name'), await boxOf('subsystem-name')];
    expect(withError.height).toBe(beside.height);
    expect(withError.y).toBe(beside.y);
    await screenshot(page, '13-5-error-summary');

    // Fixing the first moves focus to the next at the following Save.
    await page.getByTestId('api-key').fill(KEY);
    await page.getByTestId('save').click();
    await page.getByTestId('error-summary').getByText('Not saved: 2 fields need attention').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('application-name');
    await page.getByTestId('api-key').focus();
    await page.getByTestId('error-summary-first').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('application-name');

    await page.getByTestId('application-name').fill('acme-prod');
    await page.getByTestId('subsystem-name').fill('bb-{repository.slug}');
    const [fixed, fixedBeside] = [await boxOf('application-name'), await boxOf('subsystem-name')];
    expect(fixed.height).toBe(fixedBeside.height);
    expect(fixed.height).toBe(withError.height);
    await save();
    expect(await page.getByTestId('error-summary').count()).toBe(0);
  }, 30_000);

  it('lists every subsystem placeholder in the help, none hidden behind an ellipsis', async () => {
    await open();
    const help = await text(page.locator('#subsystem-name').locator('xpath=ancestor::div[contains(@class,"field")][1]'));
    for (const placeholder of TEMPLATE_PLACEHOLDERS) expect(help).toContain(`{${placeholder}}`);
    expect(help).not.toContain('…');
  });

  it('keeps coverage and ticked events in agreement: Off unticks an area, ticking an event raises it', async () => {
    await open();
    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    const box = (type: string) => page.getByTestId(`event-avi:bitbucket:${type}--hidden-checkbox`);
    const family = (name: string) => page.getByTestId(`family-${name}--hidden-checkbox`);
    const coverage = (area: string) =>
      text(page.locator(`#coverage-${area}`).locator('xpath=ancestor::div[contains(@class,"container")][1]'));

    await page.locator('#coverage-PULL_REQUEST').fill('Off');
    await page.keyboard.press('Enter');
    for (const type of [
      'fulfilled:pullrequest',
      'created:pullrequest',
      'created:pullrequest-comment',
      'updated:pullrequest-reviewer-status',
    ])
      expect(await box(type).isChecked()).toBe(false);
    expect(await family('pullrequest').isChecked()).toBe(false);
    expect(await box('push:repository').isChecked()).toBe(true);
    await screenshot(page, '13-6-coverage-off');

    // Ticking "merged" (Base) raises Pull requests to Base: merged is sent, the Advanced events are not.
    await page.getByTestId('event-avi:bitbucket:fulfilled:pullrequest--checkbox-label').click();
    expect(await coverage('PULL_REQUEST')).toContain('Base: the essential trail');
    expect(await box('fulfilled:pullrequest').isChecked()).toBe(true);
    expect(await box('created:pullrequest').isChecked()).toBe(false);
    expect(await family('pullrequest').isChecked()).toBe(false);

    // Lowering Repositories to Base unticks pushes (Advanced) and commit comments (Full).
    await page.locator('#coverage-REPOSITORY').fill('Base');
    await page.keyboard.press('Enter');
    expect(await box('push:repository').isChecked()).toBe(false);
    expect(await box('created:commit-comment').isChecked()).toBe(false);
    expect(await box('created:repository').isChecked()).toBe(true);
    await save();

    await page.reload();
    await page.getByTestId('api-key-hint').waitFor();
    expect(await coverage('PULL_REQUEST')).toContain('Base');
    expect(await box('fulfilled:pullrequest').isChecked()).toBe(true);
    expect(await box('push:repository').isChecked()).toBe(false);
    // What the boxes show is what is sent.
    await fire('fulfilled.pullrequest', 'created.pullrequest', 'push.repository', 'created.repository');
    expect(suite.receiver.entries.map((entry) => entry.className)).toEqual([
      'avi:bitbucket:fulfilled:pullrequest',
      'avi:bitbucket:created:repository',
    ]);
  }, 30_000);

  it('never says "Nothing is waiting" while an event is only on its way, and counts in the right words', async () => {
    await open();
    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await save();
    suite.receiver.inject({ kind: 'status', status: 503 });
    await fire('fulfilled.pullrequest');
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('dead-letter-row').waitFor();
    expect(await text(page.getByTestId('health'))).toMatch(/1 event waits/);
    expect(await text(page.getByTestId('dead-letter-next'))).toMatch(/^Retried automatically at \d{1,2}:\d{2}/);

    await page.getByTestId('retry-all').click();
    await page.getByTestId('dead-letters-message').getByText('Sending the waiting event in the background, oldest first.').waitFor();
    // Queued, not delivered: still listed, and nothing claims the opposite.
    expect(await page.getByTestId('dead-letter-row').count()).toBe(1);
    expect(await page.getByText('Nothing is waiting').count()).toBe(0);
    expect(await text(page.locator('body'))).not.toMatch(WRONG_PLURAL);
    await screenshot(page, '13-7-queued-not-delivered');

    await suite.platform.deliverDueQueueEvents();
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('dead-letters-empty').waitFor();
    expect(await page.getByTestId('dead-letters-message').count()).toBe(0);
    expect(suite.platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toEqual([]);
  }, 30_000);

  it('still lists an event kept by an earlier version, whose summary names only its type', async () => {
    await open();
    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await save();
    suite.receiver.inject({ kind: 'status', status: 400 });
    await fire('deleted.repository');
    const [key] = suite.platform.kvs.keys().filter((candidate) => candidate.startsWith(StorageKeys.backlogItemPrefix));
    if (key === undefined) throw new Error('nothing was kept');
    const { description: _dropped, ...earlier } = suite.platform.kvs.peek(key) as Record<string, unknown>;
    await suite.platform.invoke(async () => {
      const { kvs } = await import('@forge/kvs');
      await kvs.set(key, earlier);
    });
    await page.getByTestId('refresh-status').click();
    await page.getByTestId('dead-letter-row').waitFor();
    expect(await text(page.getByTestId('dead-letter-summary'))).toBe('Repository deleted');
    expect(await text(page.getByTestId('dead-letter-repository'))).toMatch(/^Repository not known · /);
    expect(await text(page.getByTestId('dead-letter-next'))).toMatch(/^Needs you: Coralogix refused it as it is\./);
  });

  it('can be used with the keyboard alone: Tab through every control, toggle, tick, and Save with Enter or Space', async () => {
    await open();
    await page.getByTestId('api-key').waitFor();
    await page.locator('body').focus();
    const visited: string[] = [];
    for (let step = 0; step < 80; step += 1) {
      await page.keyboard.press('Tab');
      // Named by id and test id, whichever the control has: "region|" or "forwarding|forwarding--input".
      const focused = await page.evaluate(
        () => `${document.activeElement?.id ?? ''}|${document.activeElement?.getAttribute('data-testid') ?? ''}`,
      );
      visited.push(focused);
      if (focused.endsWith('|save')) break;
    }
    const order = [
      'api-key',
      'region',
      'application-name',
      'subsystem-name',
      'forwarding',
      'omit-free-text',
      'coverage-REPOSITORY',
      'save',
    ];
    const positions = order.map((name) => visited.findIndex((focused) => focused.split('|').includes(name)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Every family and event checkbox is on the way.
    expect(visited.filter((focused) => /\|(event-avi:|family-)/.test(focused)).length).toBe(27);

    // Now fill and save without a pointer.
    await page.getByTestId('api-key').focus();
    await page.keyboard.type(KEY);
    await page.keyboard.press('Tab');
    await page.keyboard.type('US1');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('acme-keyboard');
    await page.getByTestId('omit-free-text--input').focus();
    await page.keyboard.press('Space');
    expect(await page.getByTestId('omit-free-text--input').isChecked()).toBe(true);
    await page.getByTestId('event-avi:bitbucket:push:repository--hidden-checkbox').focus();
    await page.keyboard.press('Space');
    expect(await page.getByTestId('event-avi:bitbucket:push:repository--hidden-checkbox').isChecked()).toBe(false);
    await page.getByTestId('save').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('save-success').waitFor();

    await page.getByTestId('application-name').focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('acme-space');
    await page.getByTestId('save').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('save-success').waitFor();
    await page.getByTestId('application-name').press('Enter');
    await page.getByTestId('save-success').waitFor();

    await page.reload();
    await page.getByTestId('api-key-hint').waitFor();
    expect(await page.getByTestId('application-name').inputValue()).toBe('acme-space');
    expect(await page.getByTestId('omit-free-text--input').isChecked()).toBe(true);
    expect(await page.getByTestId('event-avi:bitbucket:push:repository--hidden-checkbox').isChecked()).toBe(false);
    expect(await page.locator('#region').locator('xpath=ancestor::div[contains(@class,"container")][1]').textContent()).toContain('US1');
  }, 60_000);

  it('fits 420, 1024 and 1440 px in light and dark, with no serious or critical accessibility violation', async () => {
    await open();
    await fillForm(page, { application: 'acme-prod', subsystem: 'bitbucket' }, 'EU1');
    await save();
    suite.receiver.acceptKeys('cxtp_SomeoneElsesKey000');
    await fire('fulfilled.pullrequest', 'completed.deployment');
    const report: Record<string, string[]> = {};
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await open(theme === 'dark' ? '?theme=dark' : '');
        await page.getByTestId('dead-letter-row').nth(1).waitFor();
        await page.getByTestId('headline').waitFor();
        expect(await page.evaluate(() => document.documentElement.getAttribute('data-color-mode'))).toBe(theme);
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        report[`${width} ${theme}`] = (await seriousViolations(page)).map(
          (violation) =>
            `${violation.impact} ${violation.id}: ${violation.help} (${JSON.stringify(violation.nodes.map((node) => node.target))})`,
        );
        await screenshot(page, `13-layout-${width}-${theme}`);
      }
    }
    expect(report).toEqual(Object.fromEntries(Object.keys(report).map((key) => [key, []])));
  }, 90_000);

  it('uses a wide frame: the form and Delivery health side by side at 1440 px, stacked at 1024 and 420', async () => {
    await open();
    await page.getByTestId('status-panel').waitFor();
    const placement = async () => {
      const form = await page.getByRole('heading', { name: 'Connection' }).boundingBox();
      const health = await page.getByTestId('status-panel').boundingBox();
      if (!form || !health) throw new Error('not drawn');
      return { beside: health.x > form.x + form.width / 2, healthWidth: health.width };
    };
    await page.setViewportSize({ width: 1440, height: 900 });
    expect((await placement()).beside).toBe(true);
    for (const width of [1024, 420]) {
      await page.setViewportSize({ width, height: 900 });
      expect((await placement()).beside).toBe(false);
    }
  });
});
