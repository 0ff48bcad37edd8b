/**
 * `npm run test:faults -- [--only a,b] [--alone] [--data <file>] [--reuse] [--all] [--dry-run]`:
 * the planted-fault matrix (fixtures/faults/faults.json). See USAGE.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseCli, usageError } from '../cli/args.ts';
import { ConfigError, repoRoot } from '../config/load.ts';
import { validateHarnessConfig } from '../config/validate.ts';
import { insertFaultsSection } from '../report/sections/faults.ts';
import { repeatedFlags, targetProblem } from './input.ts';
import { bootsOf, FaultsDataError, faultsDataPath, type LoadedFault, loadFaults } from './load.ts';
import {
  COST_HEADER,
  costTable,
  type FaultResult,
  type FaultsReport,
  MATRIX_HEADER,
  matrixTable,
  secondsText,
  summaryLine,
  textTable,
} from './matrix.ts';
import { oneLine } from './name.ts';
import { bootResult, commandOf, decideFromReports, planBoot, runBoot, signalCurrent } from './run.ts';

const PROGRAM = 'test:faults';
export const USAGE = `usage: npm run test:faults -- [--only <fault>,<fault>] [--alone] [--data <faults.json>] [--reuse] [--all] [--dry-run]

The planted-fault matrix. For every fault of fixtures/faults/faults.json (or those --only names):
boots the stack with it (HOMEIQ_FAULT=<name>; faults that share a "boot" in the data boot together,
HOMEIQ_FAULT=a,b; a group runs on the burst scenario if any member needs it), runs its suite files
in one vitest invocation (runner "upgrade": npm run test:upgrade), its reports in
reports/faults/<fault or group>/ (junit.xml, report.html, run.log), and
decides per fault x test: its expected checks must fail with a message naming the expected
service, "expected" and "measured"; every other test of those files must pass; a test that did
not run is red. Prints the matrix and each boot's wall time, writes reports/faults.json and adds
the matrix to reports/report.html and reports/summary.md.

  --only a,b    run only the faults named (comma-separated); faults of one boot group boot
                together only if both are named
  --alone       every fault in a boot of its own (ignore "boot" groups)
  --data FILE   another matrix data file (default fixtures/faults/faults.json); fault files are
                still found by name in fixtures/faults, and every one needs an entry
  --reuse       decide from the JUnit already in reports/faults/<fault or group>/ (no boot, no
                Docker; run with the same --only/--alone as the run that wrote them)
  --all         print passing bystander tests too (reports/faults.json always has every row)
  --dry-run     print the boots and commands, run nothing (no Docker)

Cost: a full run is 20 boots (18 stack boots, 24.8 min measured in CI, and two short capacity searches), about 28 min on a 2-core machine; each boot's wall time is printed
and in reports/faults.json. Faults are compose overrides of the reference stack: only the compose
target (HOMEIQ_TARGET unset) and the reference profile (HOMEIQ_PROFILE unset) are accepted.

Exit: 0 every fault caught and nothing else red; 1 a fault undetected, a message not naming its
service, "expected" and "measured", a collateral failure, or a test that did not run; 2 bad input
(flags, configuration, matrix data: one line each, before anything starts).`;

function dataProblems(lines: string[]): never {
  for (const l of lines) process.stderr.write(`${PROGRAM}: ${oneLine(l)}\n`);
  process.exit(2);
}

const OPTIONS = {
  only: { type: 'string' },
  alone: { type: 'boolean' },
  data: { type: 'string' },
  reuse: { type: 'boolean' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

async function main(): Promise<number> {
  const { values } = parseCli(PROGRAM, USAGE, OPTIONS);
  const t0 = Date.now();
  // 1. Input, all of it before anything starts.
  const repeated = repeatedFlags(process.argv.slice(2), Object.keys(OPTIONS));
  if (repeated[0]) usageError(PROGRAM, repeated[0]);
  const target = targetProblem(process.env);
  if (target) usageError(PROGRAM, oneLine(target));
  if (process.env.HOMEIQ_FAULT?.trim())
    usageError(
      PROGRAM,
      `HOMEIQ_FAULT="${process.env.HOMEIQ_FAULT}" is invalid here: expected it unset (the matrix sets it per boot; choose faults with --only)`,
    );
  const dataPath =
    values.data === undefined
      ? faultsDataPath()
      : isAbsolute(values.data)
        ? values.data
        : resolve(process.cwd(), values.data);
  if (values.data !== undefined) {
    const why =
      values.data.trim() === ''
        ? 'it is empty'
        : !existsSync(dataPath)
          ? `${dataPath} does not exist`
          : !statSync(dataPath).isFile()
            ? `${dataPath} is not a file`
            : undefined;
    if (why)
      usageError(
        PROGRAM,
        oneLine(`--data="${values.data}" is invalid: expected a readable matrix data file (JSON) (${why})`),
      );
  }
  let faults: LoadedFault[];
  try {
    faults = loadFaults(dataPath).faults;
  } catch (err) {
    if (err instanceof FaultsDataError) dataProblems(err.lines);
    throw err;
  }
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !faults.some((f) => f.name === n));
    if (names.length === 0 || unknown.length)
      usageError(
        PROGRAM,
        `--only="${values.only}" is invalid: ${unknown.length ? `${unknown.join(', ')} not in the matrix data: ` : ''}expected fault names separated by "," (${faults.map((f) => f.name).join(', ')})`,
      );
    faults = faults.filter((f) => names.includes(f.name));
  }
  const plans = bootsOf(faults, values.alone === true).map((b) => planBoot(b));
  // The harness configuration of every boot, validated as its preflight would (exit 2).
  for (const p of plans) {
    if (p.runner === 'upgrade') continue; // a .Dockerfile fault: validated by test:upgrade itself
    try {
      await validateHarnessConfig({ ...process.env, ...p.env }, repoRoot, { runner: 'suites' });
    } catch (err) {
      if (err instanceof ConfigError) usageError(PROGRAM, oneLine(err.message));
      throw err;
    }
  }
  if (values['dry-run']) {
    plans.forEach((p, i) => {
      process.stdout.write(
        `boot ${i + 1}/${plans.length} (${p.faults.map((f) => f.name).join(', ')}; ${p.scenario}): ${commandOf(p)}\n`,
      );
    });
    return 0;
  }

  // 2. The project image and stale resources, once (each boot then runs vitest directly).
  if (!values.reuse && plans.some((p) => p.runner === 'suites')) {
    const pre = spawnSync(process.execPath, [join(repoRoot, 'harness', 'preflight', 'preflight.ts')], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (pre.status !== 0) return pre.status ?? 1;
  }

  // 3. The boots.
  const report: FaultsReport = {
    schemaVersion: 1,
    startedAt: t0,
    finishedAt: t0,
    command: `npm run test:faults${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    ok: false,
    faults: [],
    boots: [],
    problems: [],
  };
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    interrupted = s;
    signalCurrent(s);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const [i, p] of plans.entries()) {
    if (interrupted) break;
    const names = p.faults.map((f) => f.name).join(', ');
    process.stdout.write(
      `${PROGRAM}: boot ${i + 1}/${plans.length}: ${names} (${p.scenario}): ${commandOf(p)}\n`,
    );
    const run = values.reuse ? { exitCode: null, wallMs: 0 } : await runBoot(p);
    const d = decideFromReports(p);
    const boot = bootResult(p, d, run);
    report.boots.push(boot);
    for (const v of d.faults) {
      const f = p.faults.find((x) => x.name === v.fault) as LoadedFault;
      const result: FaultResult = {
        name: f.name,
        kind: f.kind,
        breaks: f.breaks,
        boot: report.boots.length - 1,
        caught: v.caught,
        costMs: Math.round(run.wallMs / p.faults.length),
        problems: v.problems,
      };
      report.faults.push(result);
    }
    report.problems.push(...d.problems);
    process.stdout.write(
      `${PROGRAM}: boot ${i + 1}/${plans.length}: ${names}: ${d.faults.map((v) => `${v.fault} ${v.caught ? 'caught' : 'NOT caught'}`).join(', ')}; ${d.problems.length} problem(s); wall ${secondsText(run.wallMs)}; exit ${run.exitCode}; log ${relative(repoRoot, join(p.dir, 'run.log'))}\n`,
    );
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (interrupted) {
    report.interrupted = interrupted;
    report.problems.push(
      `interrupted by ${interrupted}: ${plans.length - report.boots.length} boot(s) did not run`,
    );
  }
  report.finishedAt = Date.now();
  report.ok = report.problems.length === 0 && report.faults.length === faults.length;

  // 4. What people and machines read.
  const out = join(repoRoot, 'reports');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'faults.json'), `${JSON.stringify(report, null, 2)}\n`);
  const updated = insertFaultsSection(out, report);
  process.stdout.write(`\nplanted-fault matrix (${report.command})\n`);
  process.stdout.write(`${textTable(MATRIX_HEADER, matrixTable(report, { all: values.all === true }))}\n\n`);
  process.stdout.write(`${textTable(COST_HEADER, costTable(report))}\n\n`);
  for (const l of report.problems) process.stdout.write(`${PROGRAM}: ${l}\n`);
  process.stdout.write(
    `${PROGRAM}: ${summaryLine(report)}; reports/faults.json${updated.length ? `, ${updated.join(', ')}` : ''}\n`,
  );
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${PROGRAM} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
