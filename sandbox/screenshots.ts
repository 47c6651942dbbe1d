import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, watchPage } from './browser';
import { startSandbox, type Sandbox } from './sandbox';

// Regenerates the README's pictures (`npm run screenshots`): a fresh sandbox in a temporary folder, a
// few example events, and Chromium photographing the console and receiver pages, then the settings
// page with two events a wrong key left undelivered.

const OUT_DIR = path.resolve(__dirname, '../docs/images');
const VIEWPORT = { width: 1280, height: 860 };
const BACKGROUND_EVENTS = ['push.repository', 'created.pullrequest', 'updated.build-status', 'completed.deployment'];
const UNDELIVERED_EVENTS = ['fulfilled.pullrequest', 'completed.deployment'];
/** Wide enough for the settings page's two columns, as a wide Bitbucket window shows them. */
const SETTINGS_VIEWPORT = { width: 1440, height: 900 };

function fixtureNamed(sandbox: Sandbox, name: string): Record<string, unknown> {
  const fixture = sandbox.fixtures.find((candidate) => candidate.name === name);
  if (!fixture) throw new Error(`No example event ${name}`);
  return fixture.payload;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-screenshots-'));
  const sandbox = await startSandbox({ port: 0, dataDir, heartbeat: false, log: () => undefined });
  const browser = await launchChromium();
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    await sandbox.configureDefaults();
    for (const name of BACKGROUND_EVENTS) await sandbox.fire(fixtureNamed(sandbox, name));

    const page = await browser.newPage({ viewport: VIEWPORT });
    const watched = watchPage(page);
    await page.goto(`${sandbox.url}/console?event=fulfilled.pullrequest`);
    await page.getByTestId('config-banner').waitFor();
    await page.getByTestId('fire').click();
    await page.locator('[data-testid="fire-result"][data-outcome="delivered"]').waitFor();
    await page.screenshot({ path: path.join(OUT_DIR, 'sandbox-console.png') });

    await page.goto(`${sandbox.url}/receiver`);
    await page.getByTestId('entry').nth(BACKGROUND_EVENTS.length).waitFor();
    await page.getByTestId('entry').first().locator('summary').click();
    await page.screenshot({ path: path.join(OUT_DIR, 'sandbox-receiver.png') });

    // The settings page alone, as Bitbucket's frame shows it; a key the receiver refuses keeps events back.
    await page.setViewportSize(SETTINGS_VIEWPORT);
    await page.goto(`${sandbox.url}/index.html`);
    await page.getByTestId('replace-key').click();
    await page.getByTestId('api-key').fill('cxtp_NotTheSandboxKey00000');
    await page.getByTestId('save').click();
    await page.getByTestId('save-success').waitFor();
    for (const name of UNDELIVERED_EVENTS) await sandbox.fire(fixtureNamed(sandbox, name));
    await page.getByTestId('refresh-status').click();
    await page
      .getByTestId('dead-letter-row')
      .nth(UNDELIVERED_EVENTS.length - 1)
      .waitFor();
    // Delivery health keeps in view as the page scrolls: photographed from the top, it sits beside the form's top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(OUT_DIR, 'settings-page.png'), fullPage: true });
    if (watched.problems.length > 0) throw new Error(`The pages reported problems:\n${watched.problems.join('\n')}`);
    console.log(`Saved sandbox-console.png, sandbox-receiver.png and settings-page.png in ${path.relative(process.cwd(), OUT_DIR) || '.'}`);
  } finally {
    await browser.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
