import { defineConfig } from 'vitest/config';

/**
 * The suites that test the hub, run again on Postgres (test/support/hub-engine.ts picks the
 * engine): the same files, every hub on its own database.
 */
const HUB_SUITE_ON_POSTGRES = [
  'test/integration/{hub,agent,bloom,console,health,notify,ombori}/**/*.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Seeded properties run hundreds of cases: room for a loaded 2-core machine.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration tests start real processes, ports and ptys: keep them from starving 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The hub suites again, every hub on its own database of one throw-away cluster.
          name: 'integration-postgres',
          include: HUB_SUITE_ON_POSTGRES,
          environment: 'node',
          env: { LINEUP_TEST_HUB_ENGINE: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
          setupFiles: ['test/support/postgres-setup-file.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // After the other projects: real processes on 2 cores, one suite at a time.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
