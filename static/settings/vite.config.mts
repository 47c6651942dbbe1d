import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

// Forge Custom UI is served under a Content Security Policy that blocks inline <style> unless the
// manifest relaxes it (which also costs "Runs on Atlassian" eligibility). So the Atlaskit token
// themes are bundled as a static stylesheet instead of being injected at run time, and only
// components styled with static CSS (Compiled) are used.
const THEMES = ['light', 'dark', 'spacing', 'shape', 'typography', 'motion'];
const THEME_MODULE = 'virtual:atlaskit-themes.css';

function atlaskitStaticThemes(): Plugin {
  return {
    name: 'atlaskit-static-themes',
    resolveId: (id) => (id === THEME_MODULE ? `\0${THEME_MODULE}` : undefined),
    load: (id) =>
      id === `\0${THEME_MODULE}`
        ? THEMES.map(
            (theme) => (require(`@atlaskit/tokens/dist/cjs/artifacts/themes/atlassian-${theme}.js`) as { default: string }).default,
          ).join('\n')
        : undefined,
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Forge serves the resource folder as static files: asset URLs must be relative.
  base: './',
  plugins: [atlaskitStaticThemes()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'build', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
