import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where `npm run build:backend` writes the backend bundled as `forge deploy` bundles it. */
export const DEPLOYED_BUNDLE = path.resolve(__dirname, '../../.forge-bundle/index.cjs');

export type DeployedApp = typeof import('../../src/index');

/**
 * The handlers of the deployed bundle, as a fresh Forge instance loads them: the file is required
 * anew on each call (its own copies of the @forge/* SDKs included), so no module state from an
 * earlier load leaks in. Call after the platform emulation is installed.
 */
export function loadDeployedApp(): DeployedApp {
  if (!existsSync(DEPLOYED_BUNDLE)) {
    throw new Error(`No deployed bundle at ${path.relative(process.cwd(), DEPLOYED_BUNDLE)}: run npm run build:backend`);
  }
  let app: DeployedApp | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    app = require(DEPLOYED_BUNDLE) as DeployedApp;
  });
  if (!app) throw new Error(`${DEPLOYED_BUNDLE} exported nothing`);
  return app;
}
