/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc` in `npm test`; per-file transpiling keeps jest fast.
    // tsconfig.json emits ES modules for the deployed bundle; jest loads CommonJS.
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false, tsconfig: { module: 'commonjs', moduleResolution: 'node10' } }],
  },
  setupFiles: ['<rootDir>/test/support/install-forge-egress.ts'],
  clearMocks: true,
  // An explicit bound for every test. The suites run on fake clocks and assert no durations; this
  // only stops a hung test, with room for a loaded shared machine (jest's 5 s default is not).
  testTimeout: 60_000,
};
