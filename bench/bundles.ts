import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Every handler manifest.yml names, by its export name (src/index.ts re-exports them all). */
export type Handlers = typeof import('../src/index');
export type HandlerName = keyof Handlers;

export interface DeployedBundle {
  /** The manifest function's key, e.g. `forward-event`. */
  functionKey: string;
  /** The bundle `forge deploy` builds for the function's handler module. */
  file: string;
}

// A Record, so a handler added to src/index.ts without a place here fails the type check.
const HANDLERS: Record<HandlerName, true> = { forwardEvent: true, retryDelivery: true, heartbeat: true, settingsResolver: true };

interface Manifest {
  modules?: { function?: Array<{ key: string; handler: string }> };
}

/**
 * The file each handler runs from once deployed: a manifest handler `<module>.<export>` is the export
 * of `<bundleDir>/<module>.cjs`, because @forge/bundler makes one webpack entry per handler module,
 * named after it, and writes `[name].cjs` (scripts/build-backend.mjs does the same).
 */
export function deployedBundles(bundleDir: string, manifestPath: string): Record<HandlerName, DeployedBundle> {
  const manifest = parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const found = new Map<string, DeployedBundle>();
  for (const fn of manifest.modules?.function ?? []) {
    const dot = fn.handler.lastIndexOf('.');
    found.set(fn.handler.slice(dot + 1), { functionKey: fn.key, file: path.join(bundleDir, `${fn.handler.slice(0, dot)}.cjs`) });
  }
  const bundles = {} as Record<HandlerName, DeployedBundle>;
  for (const handler of Object.keys(HANDLERS) as HandlerName[]) {
    const bundle = found.get(handler);
    if (!bundle) throw new Error(`manifest.yml names no function whose handler is ${handler}`);
    bundles[handler] = bundle;
  }
  return bundles;
}

/** Each handler's bundle file, as bench/probe.ts takes them. */
export function deployedBundleFiles(bundleDir: string, manifestPath: string): Record<HandlerName, string> {
  const bundles = deployedBundles(bundleDir, manifestPath);
  return Object.fromEntries(Object.entries(bundles).map(([handler, bundle]) => [handler, bundle.file])) as Record<HandlerName, string>;
}
