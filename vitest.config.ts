import { defineConfig } from 'vitest/config';

// Unit tests live next to the code they test (harness/**, fixtures/**): pure or in-process, real sockets.
// Integration suites live in suites/ and talk to a real Docker engine, InfluxDB, SQLite and sockets.
// Files named *.smoke.test.ts form the nightly smoke subset (`npm run test:smoke`).
export default defineConfig({
  test: {
    reporters: [
      'default',
      ['junit', { outputFile: 'reports/junit.xml', suiteName: 'homeiq-harness' }],
      // The human report: reports/report.html (plots) and reports/summary.md.
      './harness/report/reporter.ts',
    ],
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
          name: 'suites',
          include: ['suites/**/*.test.ts'],
          setupFiles: ['suites/setup/strict-network.ts'],
          exclude: ['suites/**/*.smoke.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          // Suites share one Docker engine and one 2-core machine: one file at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'smoke',
          include: ['suites/**/*.smoke.test.ts'],
          setupFiles: ['suites/setup/strict-network.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
