import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import drizzle from 'eslint-plugin-drizzle';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.data/**',
      'drizzle/migrations/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
      '*.config.mjs',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // An UPDATE or DELETE through Drizzle always says which rows (db, tx and q are our Drizzle handles).
    plugins: { drizzle },
    rules: {
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx', 'q'] }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx', 'q'] }],
    },
  },
  {
    // Tests read the API's JSON loosely (as `any`) and let their assertions check its shape.
    files: ['**/*.test.ts', 'tests/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The environment is parsed once, in server/env.ts; everything else reads its settings through
    // env() or the domain context (server/runtime.ts). Scripts, benchmarks, tests and config files
    // set up processes and may read it.
    files: ['server/**', 'app/**', 'worker/**', 'proxy.ts'],
    ignores: ['server/env.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through env() (server/env.ts) or ctx.config, not process.env.',
        },
      ],
    },
  },
  {
    // The domain is shared by web and worker: it must not import web code.
    files: ['server/domain/**', 'server/queue/**', 'server/db/**', 'worker/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'next',
                'next/*',
                'react',
                'react-dom',
                '@trpc/*',
                'server-only',
                '**/app/**',
                '**/server/api/**',
                '**/server/auth/**',
              ],
              message: 'server/domain, queue, db and worker run under plain Node: no web imports.',
            },
          ],
        },
      ],
    },
  },
  {
    // Pages and components reach data through tRPC only.
    files: ['app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', 'pg-boss', '**/server/db/**'],
              message: 'app/ never touches the database: go through server/api (tRPC) or a route handler.',
            },
            {
              // drizzle/schema/values.ts holds the columns' value sets: pure, shared with the browser.
              regex: '(^|/)drizzle/(?!schema/values$)',
              message: 'app/ never touches the database: go through server/api (tRPC) or a route handler.',
            },
          ],
        },
      ],
    },
  },
);
