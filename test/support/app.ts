/**
 * The app as a fresh Forge instance loads it: every module of src/ loaded anew, so no warm cache,
 * counter or settings from another test leaks in. Call after the platform emulation is installed.
 */
export function loadApp() {
  jest.resetModules();
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../../src/index') as typeof import('../../src/index')),
    ...(require('../../src/platform/backlog') as typeof import('../../src/platform/backlog')),
    ...(require('../../src/platform/drain') as typeof import('../../src/platform/drain')),
    ...(require('../../src/platform/drain-schedule') as typeof import('../../src/platform/drain-schedule')),
    ...(require('../../src/platform/enrichment') as typeof import('../../src/platform/enrichment')),
    ...(require('../../src/platform/health') as typeof import('../../src/platform/health')),
    ...(require('../../src/platform/replay') as typeof import('../../src/platform/replay')),
    ...(require('../../src/platform/settings-cache') as typeof import('../../src/platform/settings-cache')),
    ...(require('../../src/platform/settings-store') as typeof import('../../src/platform/settings-store')),
    ...(require('../../src/platform/tags') as typeof import('../../src/platform/tags')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

export type App = ReturnType<typeof loadApp>;
