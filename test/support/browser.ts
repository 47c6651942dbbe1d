import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export { CHROMIUM, launchChromium, watchPage } from '../../sandbox/browser';

export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
