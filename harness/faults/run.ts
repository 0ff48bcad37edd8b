/**
 * Running the matrix: one boot per fault (or per group of faults sharing a `boot`), each its own
 * vitest invocation of the fault's suite files with HOMEIQ_FAULT set (runner "upgrade": the
 * pre-upgrade check, `node harness/upgrade/cli.ts`), its reports (JUnit, human report, log) in
 * reports/faults/<fault or group>/ (a grouped boot: its `boot` name; one fault: its name); then the decision of harness/faults/decide.ts.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../config/load.ts';
import { type BootDecision, decideBoot, parseJunit } from './decide.ts';
import type { LoadedFault } from './load.ts';
import type { BootResult } from './matrix.ts';

/** The short scenario: bursts of the configured rate, 3 s long instead of 10 s (faults that need no burst). */
export const SHORT_BURST_SECONDS = '3';

/** Environment of a scenario on top of the caller's. */
export const scenarioEnv = (scenario: 'short' | 'burst'): Record<string, string> =>
  scenario === 'short' ? { HOMEIQ_BURST_SECONDS: SHORT_BURST_SECONDS } : {};

export interface BootPlan {
  faults: LoadedFault[];
  runner: 'suites' | 'upgrade' | 'capacity';
  scenario: 'short' | 'burst';
  suites: string[];
  /** HOMEIQ_FAULT of the boot. */
  fault: string;
  dir: string;
  env: Record<string, string>;
  argv: string[];
}

/**
 * The report directory name of a boot: the group's `boot` name when several faults share it, else
 * the fault's name (never the joined names: a group of long names exceeds the 255-byte limit).
 */
export function bootDirName(faults: LoadedFault[]): string {
  const first = faults[0];
  if (!first) throw new Error('a boot needs at least one fault');
  return faults.length > 1 ? (first.boot ?? faults.map((f) => f.name).join('+')) : first.name;
}

/** What one boot runs: the union of its faults' suite files (in data order), burst if any needs it. */
export function planBoot(faults: LoadedFault[], root = repoRoot): BootPlan {
  const first = faults[0];
  if (!first) throw new Error('a boot needs at least one fault');
  const runner = first.runner;
  const scenario = faults.some((f) => f.scenario === 'burst') ? 'burst' : 'short';
  const suites = [...new Set(faults.flatMap((f) => f.suites))];
  const fault = faults.map((f) => f.name).join(',');
  const dir = join(root, 'reports', 'faults', bootDirName(faults));
  const env = {
    ...scenarioEnv(scenario),
    HOMEIQ_FAULT: fault,
    HOMEIQ_REPORTS_DIR: dir,
    HOMEIQ_REPORT_SCREENSHOT: process.env.HOMEIQ_REPORT_SCREENSHOT ?? '0',
  };
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const argv =
    runner === 'upgrade'
      ? [process.execPath, join(root, 'harness', 'upgrade', 'cli.ts')]
      : runner === 'capacity'
        ? [process.execPath, join(root, 'harness', 'capacity', 'cli.ts'), ...CAPACITY_FAULT_ARGS]
        : [process.execPath, vitest, 'run', '--project', 'suites', ...suites];
  return { faults, runner, scenario, suites, fault, dir, env, argv };
}

export const commandOf = (p: BootPlan, root = repoRoot): string =>
  [
    ...Object.entries(p.env)
      .filter(([k]) => k !== 'HOMEIQ_REPORT_SCREENSHOT')
      .map(([k, v]) => `${k}=${k === 'HOMEIQ_REPORTS_DIR' ? relative(root, v) : v}`),
    p.runner === 'upgrade'
      ? 'npm run test:upgrade'
      : p.runner === 'capacity'
        ? `npm run capacity -- ${CAPACITY_FAULT_ARGS.join(' ')}`
        : `npx vitest run --project suites ${p.suites.join(' ')}`,
  ].join(' ');

/**
 * The capacity search a fault of runner "capacity" gets: one 10 s step at 500 ev/s (the seed's
 * peak) within a 40 s budget, the smallest that showed ingestion-cpu-starved (limit at 500 ev/s)
 * and mock-ha-cpu-starved (harness-limited) caught.
 */
export const CAPACITY_FAULT_ARGS = ['--budget', '40', '--start-rate', '500'] as const;

let current: ReturnType<typeof spawn> | undefined;

/** Lines of a boot's output worth showing while it runs (the rest is in its run.log). */
const PROGRESS =
  /^\s*(✓|×|↓)\s|Test Files|^\s+Tests\s|boot: \d+ of \d+ services ready|^preflight: |test:upgrade: /;

/** Forward a signal to the running boot (the child cleans its stack up). */
export function signalCurrent(signal: NodeJS.Signals): void {
  current?.kill(signal);
}

/** Run one boot; its output goes to <dir>/run.log. Resolves with the exit code and wall time. */
export function runBoot(p: BootPlan, root = repoRoot): Promise<{ exitCode: number | null; wallMs: number }> {
  rmSync(p.dir, { recursive: true, force: true });
  mkdirSync(p.dir, { recursive: true });
  const log = createWriteStream(join(p.dir, 'run.log'));
  const t0 = performance.now();
  return new Promise((done) => {
    const [cmd, ...args] = p.argv as [string, ...string[]];
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, ...p.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    // Everything to the log; progress (boot, each test's verdict, the totals) to the console.
    const prefix = `  [${bootDirName(p.faults)}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          // biome-ignore lint/suspicious/noControlCharactersInRegex: removing ANSI colour codes
          const l = line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
          if (PROGRESS.test(l)) process.stdout.write(`${prefix}${l.trim()}\n`);
        }
      });
    }
    child.on('close', (code, signal) => {
      current = undefined;
      log.end();
      done({ exitCode: code ?? (signal ? 128 : null), wallMs: performance.now() - t0 });
    });
    child.on('error', (err) => {
      log.write(`could not start ${cmd}: ${err.message}\n`);
    });
  });
}

/** Decide a finished boot from its JUnit (a missing or unreadable JUnit: every file did not run). */
export function decideFromReports(p: BootPlan): BootDecision & { junitError?: string } {
  const junit = join(p.dir, 'junit.xml');
  let cases: ReturnType<typeof parseJunit> = [];
  let junitError: string | undefined;
  if (!existsSync(junit))
    junitError = `${junit} is missing: the run wrote no JUnit (see ${join(p.dir, 'run.log')})`;
  else
    try {
      cases = parseJunit(readFileSync(junit, 'utf8'));
    } catch (err) {
      junitError = `${junit}: ${err instanceof Error ? err.message : String(err)}`;
    }
  const d = decideBoot(
    p.faults.map((f) => ({
      name: f.name,
      suites: p.runner === 'upgrade' ? f.suites : f.suites,
      expect: f.expect,
    })),
    cases,
  );
  if (junitError) {
    d.problems.unshift(junitError);
    for (const f of d.faults) f.problems.unshift(junitError);
  }
  return junitError ? { ...d, junitError } : d;
}

export function bootResult(
  p: BootPlan,
  d: BootDecision,
  run: { exitCode: number | null; wallMs: number },
  root = repoRoot,
): BootResult {
  return {
    faults: p.faults.map((f) => f.name),
    runner: p.runner,
    scenario: p.scenario,
    command: commandOf(p, root),
    dir: relative(root, p.dir),
    exitCode: run.exitCode,
    wallMs: Math.round(run.wallMs),
    rows: d.rows,
  };
}
