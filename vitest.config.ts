import { defineConfig } from 'vitest/config';

// Unit tests live next to the code they test (harness/**, fixtures/**).
// Integration suites live in suites/ and talk to real Docker, InfluxDB, SQLite and sockets.
export default defineConfig({
  test: {
    reporters: ['default', ['junit', { outputFile: 'reports/junit.xml', suiteName: 'homeiq-harness' }]],
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
          testTimeout: 300_000,
          hookTimeout: 600_000,
          // Suites share one Docker engine and one 2-core machine: run them one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
