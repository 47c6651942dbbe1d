import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, watchPage } from './browser';
import { startSandbox } from './sandbox';

// Regenerates the README's pictures of the sandbox (`npm run screenshots`): a fresh sandbox in a
// temporary folder, a few example events, and Chromium photographing the console and receiver pages.

const OUT_DIR = path.resolve(__dirname, '../docs/images');
const VIEWPORT = { width: 1280, height: 860 };
const BACKGROUND_EVENTS = ['push.repository', 'created.pullrequest', 'updated.build-status', 'completed.deployment'];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-screenshots-'));
  const sandbox = await startSandbox({ port: 0, dataDir, heartbeat: false, log: () => undefined });
  const browser = await launchChromium();
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    await sandbox.configureDefaults();
    for (const name of BACKGROUND_EVENTS) {
      const fixture = sandbox.fixtures.find((candidate) => candidate.name === name);
      if (!fixture) throw new Error(`No example event ${name}`);
      await sandbox.fire(fixture.payload);
    }

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
    if (watched.problems.length > 0) throw new Error(`The pages reported problems:\n${watched.problems.join('\n')}`);
    console.log(`Saved sandbox-console.png and sandbox-receiver.png in ${path.relative(process.cwd(), OUT_DIR) || '.'}`);
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
