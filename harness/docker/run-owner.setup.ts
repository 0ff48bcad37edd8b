/**
 * Vitest global setup: the test runner becomes the root of the run (harness/docker/identity.ts),
 * so every resource its workers create carries the runner's identity, and the run's reaper
 * removes what is left if the runner dies (SIGKILL included).
 */
import { runOwner } from './identity.ts';

export default function setup(): void {
  runOwner();
}
