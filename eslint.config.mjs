import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '**/build/', 'dist/', 'coverage/', '.forge-bundle/', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@forge/*'], message: 'core is pure: platform code lives in src/platform' },
            { group: ['node:fs', 'fs', 'node:http', 'http', 'node:https', 'https', 'node:net', 'net'], message: 'core does no I/O' },
          ],
        },
      ],
    },
  },
);
