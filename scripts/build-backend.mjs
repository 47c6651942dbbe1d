// `npm run build:backend`: bundles the backend as `forge deploy` does, into .forge-bundle/, so the
// tests and the benchmark can run the files Forge would load: one `<module>.cjs` per handler module
// that manifest.yml names. The settings are @forge/bundler 7.3.0's (its common webpack config plus
// its Node runtime bundler's target, file name and .mjs rule), with webpack and ts-loader at the
// versions it depends on. The bundler itself is not a dependency: it pulls the Forge CLI's native
// keychain module. Fails on any webpack error or warning, as a warning from the same configuration
// would show in `forge deploy`.
// Usage: node scripts/build-backend.mjs [out dir]   (default .forge-bundle)
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const appDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(appDirectory, process.argv[2] ?? '.forge-bundle');

// One entry per module that manifest.yml's function handlers name (`forward-event.forwardEvent` →
// src/forward-event), as @forge/bundler's getEntryPoints derives them: each is its own bundle.
const manifest = parse(readFileSync(path.join(appDirectory, 'manifest.yml'), 'utf8'));
const modules = new Set((manifest.modules.function ?? []).map((f) => f.handler.split('.')[0]));
const entry = Object.fromEntries([...modules].map((name) => [name, path.resolve(appDirectory, 'src', name)]));

const config = {
  name: 'node-runtime',
  // The bundler leaves this to the working directory, which `forge deploy` requires to be the app's root.
  context: appDirectory,
  entry,
  target: 'node18',
  mode: 'production',
  optimization: { minimize: false },
  // What the bundler picks for `forge deploy` (it uses cheaper maps only in `forge tunnel`).
  devtool: 'source-map',
  output: { libraryTarget: 'commonjs', globalObject: 'this', filename: '[name].cjs', path: outDir },
  node: { __dirname: true },
  performance: false,
  resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx', '.json', '.cjs'] },
  plugins: [
    new webpack.IgnorePlugin({ resourceRegExp: /^encoding$/, contextRegExp: /node-fetch/ }),
    new webpack.IgnorePlugin({ resourceRegExp: /^(bufferutil|utf-8-validate)$/, contextRegExp: /ws\/lib$/ }),
    new webpack.IgnorePlugin({ resourceRegExp: /^dtrace-provider$/, contextRegExp: /bunyan$/ }),
  ],
  module: {
    rules: [
      // The bundler also runs babel-loader over the app's own .js/.jsx files; this app has none
      // (checked below), so that rule and its dependency are left out.
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: [
          {
            loader: require.resolve('ts-loader'),
            options: {
              compilerOptions: { jsx: 'react', jsxFactory: 'ForgeUI.createElement', sourceMap: true },
              configFile: path.join(appDirectory, 'tsconfig.json'),
              context: appDirectory,
              onlyCompileBundledFiles: true,
            },
          },
        ],
      },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
};

const started = Date.now();
webpack(config).run((err, stats) => {
  if (err || !stats) {
    console.error('build:backend could not run:', err?.message ?? 'no stats');
    process.exit(2);
  }
  const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true, modules: true, nestedModules: true });
  const where = (p) => (p.moduleName ? ` in ${p.moduleName}${p.loc ? ` ${p.loc}` : ''}` : '');
  // `forge deploy` bundles into a fresh directory: a bundle of a handler module the manifest no longer
  // names must not stay behind here, where a test or the benchmark could load it.
  const current = new Set(Object.keys(entry).flatMap((name) => [`${name}.cjs`, `${name}.cjs.map`]));
  for (const file of existsSync(outDir) ? readdirSync(outDir) : [])
    if (/\.cjs(\.map)?$/.test(file) && !current.has(file)) {
      rmSync(path.join(outDir, file));
      console.log(`  removed ${file}: no manifest handler names its module`);
    }
  const problems = [
    ...info.errors.map((e) => `ERROR${where(e)}: ${e.message}`),
    ...info.warnings.map((w) => `WARNING${where(w)}: ${w.message}`),
  ];
  const appScripts = [];
  const collect = (list) => {
    for (const m of list ?? []) {
      if (m.modules) collect(m.modules);
      else if (m.name && /\.jsx?$/.test(m.name) && !m.name.includes('node_modules')) appScripts.push(m.name);
    }
  };
  collect(info.modules);
  if (appScripts.length)
    problems.push(
      `ERROR app JavaScript that @forge/bundler would run through babel-loader, which this build leaves out: ${appScripts.join(', ')}`,
    );
  for (const problem of problems) console.log(problem.split('\n').slice(0, 12).join('\n      '));
  // Every bundle's size: the trigger's is cold-started per Bitbucket event (bench/run.ts's target).
  const bundles = (info.assets ?? []).filter((asset) => asset?.name && !asset.name.endsWith('.map'));
  for (const asset of bundles.sort((a, b) => a.name.localeCompare(b.name)))
    console.log(`  ${asset.name.padEnd(24)} ${(asset.size / 1024).toFixed(1).padStart(7)} KB  (${asset.size} bytes)`);
  console.log(
    `build:backend: ${info.errors.length} errors, ${info.warnings.length} warnings, ${Date.now() - started} ms, out: ${path.relative(appDirectory, outDir) || '.'}`,
  );
  process.exit(problems.length ? 1 : 0);
});
