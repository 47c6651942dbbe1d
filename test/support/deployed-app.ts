import { existsSync } from 'node:fs';
import path from 'node:path';
import { deployedBundleFiles, type HandlerName, type Handlers } from '../../bench/bundles';

export type { HandlerName, Handlers };

/**
 * Where `npm run build:backend` writes the backend bundled as `forge deploy` bundles it: one file per
 * handler module manifest.yml names, so each handler is tested in the file Forge loads for it.
 */
export const DEPLOYED_BUNDLES: Record<HandlerName, string> = deployedBundleFiles(
  path.resolve(__dirname, '../../.forge-bundle'),
  path.resolve(__dirname, '../../manifest.yml'),
);

/**
 * Everything a deployed bundle exports, as a fresh Forge instance loads it: the file is required anew
 * on each call (its own copies of the @forge/* SDKs included), so no module state from an earlier
 * load leaks in. Call after the platform emulation is installed.
 */
export function loadDeployedBundle(file: string): Record<string, unknown> {
  if (!existsSync(file)) {
    throw new Error(`No deployed bundle at ${path.relative(process.cwd(), file)}: run npm run build:backend`);
  }
  let exports: Record<string, unknown> | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(file) as Record<string, unknown>;
  });
  if (!exports) throw new Error(`${file} exported nothing`);
  return exports;
}

/** One handler from the bundle Forge runs it from (the trigger's for forwardEvent, and so on), loaded afresh. */
export function loadDeployedHandler<K extends HandlerName>(handler: K): Handlers[K] {
  const exported = loadDeployedBundle(DEPLOYED_BUNDLES[handler])[handler];
  if (typeof exported !== 'function') throw new Error(`${DEPLOYED_BUNDLES[handler]} does not export ${handler}`);
  return exported as Handlers[K];
}
