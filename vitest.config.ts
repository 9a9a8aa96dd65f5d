import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'worker/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', '.data/**'],
          environment: 'node',
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Files run in parallel, each against a database of its own; two at a time on 2 cores.
          maxWorkers: 2,
          env: { NODE_ENV: 'test', HOOKRELAY_SECRET_KEY: 'test-secret-key-0123456789abcdef', ALLOW_PRIVATE_TARGETS: 'true', LOG_LEVEL: 'warn' },
        },
      },
    ],
  },
});
