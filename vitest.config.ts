import { defineConfig } from 'vitest/config';
import { findCitus } from './scripts/lib/citus';

const intEnv = {
  NODE_ENV: 'test' as const,
  HOOKRELAY_SECRET_KEY: 'test-secret-key-0123456789abcdef',
  ALLOW_PRIVATE_TARGETS: 'true',
  LOG_LEVEL: 'warn',
};

/**
 * The integration suites that matter for correctness on a distributed engine, run again on a local
 * Citus cluster (tests/support/citus-setup.ts): publish and fan-out, delivery and retries, replay
 * and bulk replay, tenancy, worker SIGKILL, retention per customer, expunge, channels and tags;
 * plus the Citus-only checks in tests/citus/.
 */
export const citusSuites = [
  'tests/citus/**/*.test.ts',
  'server/domain/events/fanout.int.test.ts',
  'server/domain/events/group-commit.int.test.ts',
  'server/domain/delivery/delivery.int.test.ts',
  'server/domain/delivery/retries.int.test.ts',
  'server/domain/delivery/dead-letter.int.test.ts',
  'server/domain/delivery/state.int.test.ts',
  'server/api/routes.int.test.ts',
  'tests/fault/worker-kill.int.test.ts',
  'tests/fault/replay-kill.int.test.ts',
  'server/domain/upkeep/partitions.int.test.ts',
  'server/domain/upkeep/retention.int.test.ts',
  'server/domain/lifecycle/lifecycle.int.test.ts',
  'server/api/channels-tags.int.test.ts',
  'server/domain/upkeep/customer-retention.int.test.ts',
  'server/db/migrations.int.test.ts',
  'server/domain/delivery/lanes.int.test.ts',
];

// Runs when this machine's PostgreSQL has Citus (`../shared/citus/install.sh`, or CITUS_PG_BINDIR);
// scripts/test.ts says so when it does not.
const citus = findCitus();

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
          env: intEnv,
          // next-auth imports `next/server` without an extension, which Node's ESM loader cannot
          // resolve: let Vite resolve it, so the dashboard's real Auth.js configuration runs in tests.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
      ...(citus.ok
        ? [
            {
              test: {
                name: 'citus',
                include: citusSuites,
                exclude: ['node_modules/**', '.data/**'],
                environment: 'node' as const,
                globalSetup: ['tests/support/citus-setup.ts'],
                testTimeout: 180_000,
                hookTimeout: 180_000,
                maxWorkers: 2,
                // After the PostgreSQL suites, not beside them: two projects at once on 2 cores would
                // make the timing-sensitive suites of both flaky.
                sequence: { groupOrder: 1 },
                env: intEnv,
              },
            },
          ]
        : []),
    ],
  },
});
