// The settings page's resolver module (manifest.yml `settings-resolver`; Custom UI, static/settings),
// bundled on its own by `forge deploy`.
export { settingsResolver } from './platform/resolvers';
