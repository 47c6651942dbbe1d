import { setGlobalTheme } from '@atlaskit/tokens/set-global-theme';

// The theme stylesheets are bundled (see vite.config.ts); a no-op loader keeps setGlobalTheme from
// injecting <style> tags, so it only switches <html data-theme/data-color-mode>.
const bundledThemes = () => undefined;

export function applyColorMode(colorMode: 'light' | 'dark'): void {
  void setGlobalTheme({ colorMode }, bundledThemes);
}
