/**
 * The planted-fault matrix as a run writes it (reports/faults.json) and as people read it: the
 * console table of `npm run test:faults` and the "Planted-fault matrix" section of the human
 * report (harness/report/sections/faults.ts).
 */
import type { MatrixRow } from './decide.ts';

export interface BootResult {
  /** The faults that shared this boot (HOMEIQ_FAULT=a,b). */
  faults: string[];
  runner: 'suites' | 'upgrade' | 'capacity';
  scenario: 'short' | 'burst';
  /** The command run, environment first. */
  command: string;
  /** Where its JUnit, reports and log went, relative to the repository root. */
  dir: string;
  exitCode: number | null;
  wallMs: number;
  rows: MatrixRow[];
}

export interface FaultResult {
  name: string;
  kind: string;
  breaks: string;
  /** Index into `boots`. */
  boot: number;
  caught: boolean;
  /** Its share of the boot's wall time (the boot's wall time over its faults). */
  costMs: number;
  problems: string[];
}

export interface FaultsReport {
  schemaVersion: 1;
  startedAt: number;
  finishedAt: number;
  /** The command line that produced it. */
  command: string;
  /** True when every fault was caught with a message naming its service, expected and measured, and nothing else turned red. */
  ok: boolean;
  interrupted?: string;
  faults: FaultResult[];
  boots: BootResult[];
  /** Every red finding, one line each. */
  problems: string[];
}

const ACTUAL: Record<MatrixRow['actual'], string> = {
  passed: 'pass',
  failed: 'FAIL',
  error: 'not run (error)',
  skipped: 'not run (skipped)',
  missing: 'not run',
};

export const VERDICT_TEXT: Record<MatrixRow['verdict'], string> = {
  caught: 'caught',
  passed: 'ok',
  undetected: 'UNDETECTED',
  vague: 'VAGUE MESSAGE',
  collateral: 'COLLATERAL',
  'not-run': 'NOT RUN',
};

export const isRed = (r: MatrixRow) => !['caught', 'passed'].includes(r.verdict);

const stem = (suite: string) => suite.replace(/^suites\//, '').replace(/(\.smoke)?\.test\.ts$/, '');

export const secondsText = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;

/** Rows of the matrix table: fault(s), check, expected, actual, verdict, message head. */
export function matrixTable(report: FaultsReport, opts: { all?: boolean } = {}): string[][] {
  const rows: string[][] = [];
  for (const b of report.boots)
    for (const r of b.rows) {
      // The console shows the expected failures and every red row; passing bystanders only with --all.
      if (!opts.all && r.expected === 'pass' && !isRed(r)) continue;
      rows.push([
        r.expectedBy.length ? r.expectedBy.map((e) => e.fault).join(', ') : `(${b.faults.join(', ')})`,
        `${stem(r.suite)} > ${r.test}`,
        r.expected,
        ACTUAL[r.actual],
        VERDICT_TEXT[r.verdict],
        r.head || (isRed(r) ? r.why : ''),
      ]);
    }
  return rows;
}

export const MATRIX_HEADER = ['fault', 'check', 'expected', 'actual', 'verdict', 'message head'];
export const COST_HEADER = [
  'fault',
  'kind',
  'caught',
  'boot (shared with)',
  'scenario',
  'boot wall time',
  'cost',
];

export function costTable(report: FaultsReport): string[][] {
  return report.faults.map((f) => {
    const b = report.boots[f.boot];
    return [
      f.name,
      f.kind,
      f.caught ? 'yes' : 'NO',
      b && b.faults.length > 1 ? b.faults.filter((x) => x !== f.name).join(', ') : '(alone)',
      b?.scenario ?? '',
      b ? secondsText(b.wallMs) : '',
      secondsText(f.costMs),
    ];
  });
}

/** Plain-text table with padded columns (cells cut at `max` characters). */
export function textTable(header: string[], rows: string[][], max = 110): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s).replace(/\s+/g, ' ');
  const all = [header, ...rows].map((r) => r.map(cut));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join(
    '\n',
  );
}

/** One line: N of M faults caught, collateral, wall time. */
export function summaryLine(report: FaultsReport): string {
  const caught = report.faults.filter((f) => f.caught).length;
  const rows = report.boots.flatMap((b) => b.rows);
  const count = (v: MatrixRow['verdict']) => rows.filter((r) => r.verdict === v).length;
  const wall = report.boots.reduce((a, b) => a + b.wallMs, 0);
  return `${report.ok ? 'PASS' : 'FAIL'}: ${caught} of ${report.faults.length} faults caught; ${count('undetected')} undetected, ${count('vague')} vague messages, ${count('collateral')} collateral, ${count('not-run')} not run; ${report.boots.length} boots, ${secondsText(wall)}`;
}
