/**
 * `npm run capacity -- [--budget <s>] [--step <s>] [--start-rate <ev/s>] [--max-rate <ev/s>]
 * [--min-gap <ms>] [--seed <n>]`: validates the flags and the whole harness configuration before
 * anything starts (one line naming the flag or variable, the value and what is allowed, exit 2),
 * then runs preflight and the capacity suite (suites/capacity) through vitest, so the result lands
 * in reports/capacity.json, the human report's capacity section and JUnit. Exit code: vitest's.
 */
import { resolve } from 'node:path';
import { parseCli, usageError } from '../cli/args.ts';
import { ConfigError } from '../config/load.ts';
import { validateHarnessConfig } from '../config/validate.ts';
import { runForwardingSignals } from '../util/child.ts';

const PROGRAM = 'capacity';
const root = resolve(import.meta.dirname, '..', '..');
export const CAPACITY_SUITE = 'suites/capacity/capacity.test.ts';

/** Each flag and the variable it sets (the suite reads the variables; the schema validates them). */
export const CAPACITY_FLAGS = {
  budget: 'HOMEIQ_CAPACITY_BUDGET_S',
  step: 'HOMEIQ_CAPACITY_STEP_S',
  'start-rate': 'HOMEIQ_CAPACITY_START_RATE',
  'max-rate': 'HOMEIQ_CAPACITY_MAX_RATE',
  'min-gap': 'HOMEIQ_MIN_GAP_MS',
  seed: 'HOMEIQ_SEED',
} as const;

const USAGE = `usage: npm run capacity -- [--budget <s>] [--step <s>] [--start-rate <ev/s>] [--max-rate <ev/s>] [--min-gap <ms>] [--seed <n>]

How far is the stack from falling over? Boots the stack (HOMEIQ_PROFILE, default the reference
stack) and searches the highest event rate it sustains: steady open-model steps (the mock HA fires
at a fixed arrival rate whatever the stack does), x2 from --start-rate, then bisection, each on a
home sized to the rate (entities >= 1.5 x rate x --min-gap) with a fresh ledger. A step fails on
the first of: any loss (chain-of-custody cause), p99 end-to-end latency over batch timeout + 2 s, a
service's working set over 90% of its memory limit, a service's CPU at its limit for the whole
step. A step where the mock HA or this process saturates ends the search as "harness-limited".

  --budget <s>          the most the search may take (default 300; 30-3600)      HOMEIQ_CAPACITY_BUDGET_S
  --step <s>            length of each step (default 10; 3-120)                   HOMEIQ_CAPACITY_STEP_S
  --start-rate <ev/s>   first step's rate (default 250)                            HOMEIQ_CAPACITY_START_RATE
  --max-rate <ev/s>     highest rate tried (default 4000)                          HOMEIQ_CAPACITY_MAX_RATE
  --min-gap <ms>        minimum gap between two updates of one entity (default 1000) HOMEIQ_MIN_GAP_MS
  --seed <n>            seed of the home and the events (default 40)              HOMEIQ_SEED
  --help                this text

Results: reports/capacity.json (maximum sustainable rate, headroom against the HOMEIQ_BURST_RATE
peak, limiting service and constraint, per-step CPU/memory per service, cost curve), the capacity
section of reports/report.html, reports/junit.xml. Docker runs one stack at a time on a shared
machine: keep one capacity run at a time.
Exit: 0 passed, 1 a check failed (e.g. headroom < 1), 2 bad input.`;

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
  runForwardingSignals(cmd, args, { cwd: root, env });

async function main(): Promise<number> {
  const { values } = parseCli(PROGRAM, USAGE, {
    budget: { type: 'string' },
    step: { type: 'string' },
    'start-rate': { type: 'string' },
    'max-rate': { type: 'string' },
    'min-gap': { type: 'string' },
    seed: { type: 'string' },
  });
  const env: NodeJS.ProcessEnv = { ...process.env, HOMEIQ_CAPACITY_SUITE: '1' };
  const fromFlag = new Map<string, string>();
  for (const [flag, variable] of Object.entries(CAPACITY_FLAGS)) {
    const v = (values as Record<string, string | undefined>)[flag];
    if (v !== undefined) {
      env[variable] = v;
      fromFlag.set(variable, `--${flag}`);
    }
  }
  try {
    await validateHarnessConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // Name the flag when a flag set the variable.
      let line = err.message;
      for (const [variable, flag] of fromFlag)
        line = line.replace(new RegExp(`\\b${variable}\\b`, 'g'), flag);
      usageError(PROGRAM, line);
    }
    throw err;
  }
  const pre = await run(process.execPath, ['harness/preflight/preflight.ts'], env);
  if (pre !== 0) return pre;
  const vitest = resolve(root, 'node_modules', 'vitest', 'vitest.mjs');
  return run(process.execPath, [vitest, 'run', '--project', 'capacity', CAPACITY_SUITE], env);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`capacity failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
