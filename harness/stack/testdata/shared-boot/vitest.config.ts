/**
 * A vitest run of two suite files that share one boot of the mini profile (../mini.profile.json),
 * with the real run owner (global setup) and order: suites/foundation/shared-boot.test.ts starts
 * it and counts what is left after success, failure, SIGTERM and SIGKILL.
 *   HOMEIQ_PROFILE=harness/stack/testdata/mini.profile.json \
 *     npx vitest run --config harness/stack/testdata/shared-boot/vitest.config.ts
 * SHARED_FIXTURE_FAIL=1: the second file fails one check; SHARED_FIXTURE_HANG=1: the second file
 * prints SHARED-FIXTURE-WAITING and waits (to be signalled).
 */
import { defineConfig } from 'vitest/config';
import { repoRoot } from '../../../config/load.ts';
import { SharedBootsLast } from '../../shared-boot-order.ts';

export default defineConfig({
  root: repoRoot,
  test: {
    include: ['harness/stack/testdata/shared-boot/*.fixture.ts'],
    globalSetup: ['harness/docker/run-owner.setup.ts'],
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    sequence: { sequencer: SharedBootsLast },
  },
});
