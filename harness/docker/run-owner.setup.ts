/**
 * Vitest global setup: the test runner becomes the root of the run (harness/docker/identity.ts),
 * so every resource its workers create carries the runner's identity, and the run's reaper
 * removes what is left if the runner dies (SIGKILL included).
 *
 * It also owns the run's shared boots (harness/stack/shared-boot.ts): it provides their run
 * directory to every file (`inject('homeiqSharedBoots')`) and tears every shared boot down once,
 * when the run ends (teardown), or detached on SIGINT/SIGTERM (vitest then exits without running
 * global teardowns).
 */
import type { TestProject } from 'vitest/node';
import {
  createSharedBootsDir,
  SHARED_BOOTS,
  tearDownSharedBoots,
  tearDownSharedBootsDetached,
} from '../stack/shared-boot.ts';
import { createLogger } from '../util/log.ts';
import { runOwner } from './identity.ts';

export default function setup(project: TestProject): () => Promise<void> {
  const owner = runOwner();
  const dir = createSharedBootsDir(owner.run);
  project.provide(SHARED_BOOTS, dir);
  const onSignal = (signal: NodeJS.Signals) => {
    tearDownSharedBootsDetached(dir);
    // Only when nobody else (vitest) handles the signal: end the process as the signal would.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const line of await tearDownSharedBoots(dir)) createLogger('stack').info(line);
  };
}
