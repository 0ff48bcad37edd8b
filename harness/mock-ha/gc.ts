/**
 * On a small machine shared with the stack under test, V8's parallel scavenger makes the main
 * thread wait for GC helper threads that the OS has not scheduled: young-generation pauses of
 * 50-200 ms were measured at load 10 on 2 cores, against ~5-30 ms with the collector on the
 * main thread only. Processes that pace events (the mock's CLI, the benchmark) call this once
 * at startup; in-process use (tests) leaves the host's flags alone.
 */
import { setFlagsFromString } from 'node:v8';

export function singleThreadedGc(): void {
  setFlagsFromString('--single-threaded-gc');
}
