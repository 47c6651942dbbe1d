// Every handler manifest.yml names, for the tests, the sandbox and the benchmark's breakdown. Forge
// never loads this file: each manifest function names its own module, so `forge deploy` bundles each
// handler with only what it runs (@forge/bundler makes one bundle per handler module).
export { forwardEvent } from './forward-event';
export { retryDelivery } from './retry-delivery';
export { heartbeat } from './hourly-heartbeat';
export { settingsResolver } from './settings-resolver';
