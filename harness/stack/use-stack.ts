/**
 * The stack of a suite file: `const stack = useStack({ shares: true })` (or `{ changes: '...' }`)
 * in a describe block; beforeAll gets the stack, afterAll gives it back (also when a test failed).
 *
 * A suite declares what it does to the stack:
 *   useStack({ shares: true })
 *       it only observes the stack and fires synthetic events into the test bucket (through the
 *       mock HA, with its own run ids and ledgers): it shares ONE boot per configuration with the
 *       other sharing suites of the same vitest invocation (compose target; ./shared-boot.ts).
 *       The boot is adopted by later files and torn down once, at the end of the run (also on a
 *       failure, Ctrl-C and SIGTERM; after a SIGKILL by the run's reaper or the next preflight).
 *       On a shared boot, signal, stopService and restartWithEnv refuse (StackError STACK_SHARED),
 *       and a file that finds a service stopped or restarted since the boot fails, naming it.
 *       Before each sharing file, a mock-HA scenario an earlier file left running is stopped.
 *       A shared boot that failed fails every file that needed it with the boot's error.
 *   useStack({ changes: 'SIGTERM to the ingestion mid-burst' })
 *       it stops, signals or replaces a service, starts production copies, or changes the
 *       config: it boots a stack of its own, torn down after the file.
 *   useStack()
 *       no declaration: a boot of its own (the safe default).
 * `overrides` (environment variables over process.env) make another configuration, so another
 * boot; so does HOMEIQ_FAULT. The attach and local targets are never shared (attach boots nothing;
 * local processes belong to the file's worker).
 */
import { relative } from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { type HarnessConfig, loadConfig, repoRoot } from '../config/load.ts';
import { MockHaControlClient } from '../mock-ha/control-client.ts';
import { recordStackTarget } from '../report/target.ts';
import { createLogger } from '../util/log.ts';
import { startStack } from './index.ts';
import { acquireSharedStack, SHARED_BOOTS } from './shared-boot.ts';
import type { StartedStack } from './types.ts';

export type StackRef = () => StartedStack;

export interface StackUse {
  /** The suite only observes the stack and fires synthetic events: it shares the run's boot. */
  shares?: boolean;
  /** What the suite does to the stack that others must not see: it boots its own. */
  changes?: string;
  /** Environment variables over process.env for this suite's configuration. */
  overrides?: Record<string, string>;
}

const log = createLogger('stack');

/** The run directory of the shared boots, when the run's global setup provided one. */
function sharedBootsDir(): string | undefined {
  try {
    return inject(SHARED_BOOTS) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A mock-HA scenario still running from an earlier file would fire into this file's window: stop
 * it (and say so). Profiles whose mock HA is not a service of the stack are left alone.
 */
async function stopLeftoverScenario(stack: StartedStack, cfg: HarnessConfig): Promise<void> {
  const service = cfg.profile.roles.mockHa.service;
  const token = stack.tokens.mockHaControl;
  if (!token || !stack.services().includes(service)) return;
  const ha = new MockHaControlClient(stack.url(service), token, { service });
  if (!(await ha.health()).scenario_running) return;
  const { stopped } = await ha.stopScenario();
  log.warn(
    `an earlier suite left a scenario running on ${service} of the shared boot: stopped run ${stopped?.run_id ?? '(unknown)'} after ${stopped?.count ?? '?'} events`,
  );
}

export function useStack(use: StackUse = {}): StackRef {
  if (use.shares && use.changes !== undefined)
    throw new Error(
      `useStack: a suite either shares the boot or changes the stack, not both (changes: "${use.changes}")`,
    );
  let stack: StartedStack | undefined;
  beforeAll(async () => {
    const cfg = loadConfig({ ...process.env, ...use.overrides });
    const dir = use.shares ? sharedBootsDir() : undefined;
    if (dir && cfg.target === 'compose') {
      const file = relative(repoRoot, expect.getState().testPath ?? '(unknown file)');
      stack = await acquireSharedStack(cfg, dir, file, log);
      await stopLeftoverScenario(stack, cfg);
    } else {
      if (use.shares)
        log.info(
          `own boot: ${cfg.target !== 'compose' ? `the ${cfg.target} target is not shared` : 'no shared-boot run directory (run through vitest with harness/docker/run-owner.setup.ts as globalSetup)'}`,
        );
      stack = await startStack(cfg);
    }
    // What was tested (images, InfluxDB version, memory limits) for the report; never throws.
    await recordStackTarget(stack).catch(() => {});
  });
  afterAll(async () => {
    await stack?.down();
  });
  return () => {
    if (!stack)
      throw new Error('the stack is not booted (beforeAll failed: see the first error of this file)');
    return stack;
  };
}
