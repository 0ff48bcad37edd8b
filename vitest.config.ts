import { configDefaults, defineConfig } from 'vitest/config';
import { SharedBootsLast } from './harness/stack/shared-boot-order.ts';

// Unit tests live next to the code they test (harness/**, fixtures/**): pure or in-process, real sockets.
// Integration suites live in suites/ and talk to a real Docker engine, InfluxDB, SQLite and sockets.
export default defineConfig({
  test: {
    reporters: [
      'default',
      // Every report of a run, also of an interrupted one: reports/junit.xml (strict Ant + Jenkins
      // JUnit schemas), summary.json (harness/report/summary.schema.json), summary.md, report.html
      // and its screenshot report.png. See harness/report/README.md.
      './harness/report/reporter.ts',
    ],
    // The run's owner: identity and reaper, and the shared boots (harness/stack/shared-boot.ts).
    globalSetup: ['harness/docker/run-owner.setup.ts'],
    // The suite files that share a boot run last, together (harness/stack/shared-boot-order.ts);
    // the unit project runs before the suites (vitest runs the one-file-at-a-time group last).
    sequence: { sequencer: SharedBootsLast },
    env: {
      // The Testcontainers reaper image cannot be pulled on offline machines; the harness cleans up
      // after itself instead (harness/docker/cleanup.ts) and counts what is left in a test.
      TESTCONTAINERS_RYUK_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'fixtures/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // Every file that boots Docker, one file at a time: they share one engine and one 2-core
          // machine, and concurrent stacks would measure each other. The nightly subset is the
          // *.smoke.test.ts files of this project (`npm run test:smoke`).
          name: 'suites',
          include: ['suites/**/*.test.ts'],
          // The capacity search runs for minutes by design: `npm run capacity` (project below).
          exclude: [...configDefaults.exclude, 'suites/capacity/**'],
          setupFiles: ['suites/setup/strict-network.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      // `npm run capacity` (harness/capacity/cli.ts) sets HOMEIQ_CAPACITY_SUITE=1: the capacity search
      // is bounded (HOMEIQ_CAPACITY_BUDGET_S, default 5 min), so it stays out of the default run.
      ...(process.env.HOMEIQ_CAPACITY_SUITE === '1'
        ? [
            {
              extends: true as const,
              test: {
                name: 'capacity',
                include: ['suites/capacity/**/*.test.ts'],
                setupFiles: ['suites/setup/strict-network.ts'],
                testTimeout: 300_000,
                hookTimeout: 4_000_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
