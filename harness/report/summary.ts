/**
 * The run's summary for machines and the first screen for people: the deployment's verdict (one
 * row per promise with its key figures), the target, the seed, the memory limits against the
 * budget, and the counts, deployment checks apart from the harness's own self-tests.
 * `reports/summary.json` is this object; its schema is harness/report/summary.schema.json
 * (versioned by `schemaVersion`; bump it and the schema's `$id` on any incompatible change).
 */
import { limits } from '../config/defaults.ts';
import type {
  EgressData,
  LatencyData,
  Measurement,
  MemoryData,
  ReportFile,
  ReportTest,
  RunReport,
  SeedData,
  TargetInfo,
} from './model.ts';
import { isPromiseId, PROMISES, type PromiseId, promiseOfPath } from './promises.ts';
import { describeFigure, type EventsFigure, type KeyFigure, type VerdictData } from './verdicts.ts';

export const SUMMARY_SCHEMA_VERSION = 1;
export const SUMMARY_SCHEMA_ID = 'urn:homeiq-harness:report-summary:v1';

export type PromiseStatus = 'pass' | 'fail' | 'not run';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** failed because a shared hook or the stack boot they needed failed */
  failedBySetup: number;
  /** did not finish because the run was interrupted (counted in failed) */
  interrupted: number;
}

export interface PromiseVerdict {
  id: PromiseId;
  title: string;
  status: PromiseStatus;
  checks: Counts;
  files: string[];
  /** the figures, one line each */
  keyFigures: string[];
  figures: KeyFigure[];
  /** first line of each failed check's message */
  failures: string[];
  /** ran only on request (the upgrade check) */
  whenRun: boolean;
}

export interface FailureEntry {
  file: string;
  test: string;
  cause: 'check' | 'setup' | 'interrupted' | 'file';
  message: string;
}

export interface FileEntry {
  file: string;
  project: string;
  kind: 'deployment' | 'self-test';
  promise: PromiseId | null;
  seconds: number;
  counts: Counts;
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA_ID;
  schemaVersion: typeof SUMMARY_SCHEMA_VERSION;
  run: {
    startedAt: string;
    finishedAt: string;
    wallSeconds: number;
    /** 'passed' | 'failed' | 'interrupted' */
    outcome: 'passed' | 'failed' | 'interrupted';
    interrupted: { signal: string; at: string } | null;
    hostname: string | null;
  };
  target: TargetInfo;
  seeds: { name: string; seed: number | string }[];
  deployment: {
    verdict: 'pass' | 'fail' | 'interrupted' | 'not run';
    promises: PromiseVerdict[];
    counts: Counts;
  };
  memoryBudget: {
    limitsTotalBytes: number;
    budgetBytes: number;
    services: { service: string; limitBytes: number | null }[];
    source: string;
  } | null;
  selfTests: { counts: Counts };
  counts: Counts;
  failures: FailureEntry[];
  unhandledErrors: string[];
  files: FileEntry[];
}

const zero = (): Counts => ({ passed: 0, failed: 0, skipped: 0, failedBySetup: 0, interrupted: 0 });

function add(c: Counts, t: ReportTest): void {
  if (t.state === 'passed') c.passed++;
  else if (t.state === 'failed') {
    c.failed++;
    if (t.cause === 'setup') c.failedBySetup++;
    if (t.cause === 'interrupted') c.interrupted++;
  } else if (t.state === 'skipped') c.skipped++;
}

function sum(cs: Counts[]): Counts {
  const out = zero();
  for (const c of cs) for (const k of Object.keys(out) as (keyof Counts)[]) out[k] += c[k];
  return out;
}

const firstLine = (s: string): string => s.split('\n').find((l) => l.trim()) ?? '';

/** Failures of a promise, one line per distinct reason: "2 checks: could not run: ..." or "<test>: <message>". */
function groupFailures(list: FailureEntry[]): string[] {
  const byMessage = new Map<string, FailureEntry[]>();
  for (const f of list) byMessage.set(f.message, [...(byMessage.get(f.message) ?? []), f]);
  return [...byMessage.entries()].map(([message, fs]) => {
    const short = message.length > 240 ? `${message.slice(0, 240)}…` : message;
    const only = fs[0];
    return fs.length === 1 && only
      ? `${only.test ? `${only.test.split(' > ').pop()}: ` : ''}${short}`
      : `${fs.length} checks: ${short}`;
  });
}

/** Which file proves which promise: explicit recordVerdict calls first, then the file's name. */
export function promiseOfFile(file: string, measurements: readonly Measurement[]): PromiseId | undefined {
  for (const m of measurements) {
    if (m.name !== 'verdict' || m.file !== file) continue;
    const p = (m.data as Partial<VerdictData> | null)?.promise;
    if (isPromiseId(p)) return p;
  }
  return promiseOfPath(file);
}

/** Key figures derived from one measurement (undefined for names without a figure). */
export function figuresOf(m: Measurement): KeyFigure[] {
  const d = m.data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object') return [];
  try {
    switch (m.name) {
      case 'verdict':
        return Array.isArray(d.figures) ? (d.figures as KeyFigure[]) : [];
      case 'events':
        return [d as unknown as EventsFigure];
      case 'latency': {
        const l = d as unknown as LatencyData;
        return [
          {
            kind: 'latency',
            label: l.label,
            count: l.count,
            p50Ms: l.percentiles.p50,
            p95Ms: l.percentiles.p95,
            p99Ms: l.percentiles.p99,
            ...(l.budget ? { limit: l.budget } : {}),
          },
        ];
      }
      case 'memory': {
        const r = d as unknown as MemoryData;
        return [
          {
            kind: 'memory',
            ...(r.label ? { label: r.label } : {}),
            services: Object.values(r.services).map((s) => ({
              service: s.service,
              peakBytes: s.peakWorkingSetBytes,
              limitBytes: s.limitBytes,
              oomKills: s.oomKills ?? (s.oomKilled ? 1 : 0),
            })),
          },
        ];
      }
      case 'egress': {
        const e = d as unknown as EgressData;
        return [
          {
            kind: 'egress',
            label: e.label,
            services: Object.entries(e.services).map(([service, s]) => ({
              service,
              connections: s?.newConnections ?? 0,
              external: s?.externalConnections ?? 0,
            })),
          },
        ];
      }
      default:
        return [];
    }
  } catch {
    return [{ kind: 'value', label: `${m.name} (unreadable)`, value: JSON.stringify(d).slice(0, 80) }];
  }
}

function seedsOf(report: RunReport): { name: string; seed: number | string }[] {
  const out: { name: string; seed: number | string }[] = [];
  const seen = new Set<string>();
  const push = (name: string, seed: unknown) => {
    if (typeof seed !== 'number' && typeof seed !== 'string') return;
    const key = `${name}\u0000${seed}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, seed });
  };
  if (report.target?.seed !== undefined) push('HOMEIQ_SEED', report.target.seed);
  for (const m of report.measurements) {
    if (m.name === 'seed') push((m.data as SeedData).name, (m.data as SeedData).seed);
  }
  return out;
}

function memoryBudget(report: RunReport): Summary['memoryBudget'] {
  // Prefer the limits the booted stack declared (every service), else the widest memory sample.
  const declared = [...report.measurements]
    .reverse()
    .find((m) => m.name === 'target' && (m.data as { memoryLimits?: unknown }).memoryLimits);
  let services: { service: string; limitBytes: number | null }[] | undefined;
  let source = '';
  if (declared) {
    const ml = (declared.data as { memoryLimits: Record<string, number | null> }).memoryLimits;
    services = Object.entries(ml).map(([service, limitBytes]) => ({ service, limitBytes }));
    source = `limits of the booted stack (${declared.file ?? 'boot'})`;
  } else {
    let widest: MemoryData | undefined;
    let from: Measurement | undefined;
    for (const m of report.measurements) {
      if (m.name !== 'memory' || promiseOfFile(m.file ?? '', report.measurements) === undefined) continue;
      const r = m.data as MemoryData;
      if (!widest || Object.keys(r.services).length > Object.keys(widest.services).length) {
        widest = r;
        from = m;
      }
    }
    if (widest) {
      services = Object.values(widest.services).map((s) => ({
        service: s.service,
        limitBytes: s.limitBytes,
      }));
      source = `limits of the sampled services (${from?.file ?? 'memory'})`;
    }
  }
  if (!services || services.length === 0) return null;
  services.sort((a, b) => a.service.localeCompare(b.service));
  return {
    limitsTotalBytes: services.reduce((n, s) => n + (s.limitBytes ?? 0), 0),
    budgetBytes: limits.stackMemoryBytes,
    services,
    source,
  };
}

function fileCounts(f: ReportFile): Counts {
  const c = zero();
  for (const t of f.tests) add(c, t);
  return c;
}

export function buildSummary(report: RunReport): Summary {
  const { measurements } = report;
  const fileEntries: FileEntry[] = report.files.map((f) => {
    const promise = promiseOfFile(f.file, measurements) ?? null;
    return {
      file: f.file,
      project: f.project,
      kind: promise ? 'deployment' : 'self-test',
      promise,
      seconds: Math.round(f.durationMs) / 1000,
      counts: fileCounts(f),
    };
  });
  const failures: FailureEntry[] = [];
  for (const f of report.files) {
    for (const t of f.tests) {
      if (t.state !== 'failed') continue;
      failures.push({
        file: f.file,
        test: t.name,
        cause: t.cause ?? 'check',
        message: firstLine(t.errors[0] ?? '(no message)'),
      });
    }
    if (f.tests.length === 0 || (f.state === 'failed' && !f.tests.some((t) => t.state === 'failed'))) {
      for (const e of f.errors ?? [])
        failures.push({ file: f.file, test: '', cause: 'file', message: firstLine(e) });
      if (f.state === 'failed' && (f.errors ?? []).length === 0 && !f.tests.some((t) => t.state === 'failed'))
        failures.push({
          file: f.file,
          test: '',
          cause: 'file',
          message: 'the file failed outside its tests',
        });
    }
  }
  const promises: PromiseVerdict[] = PROMISES.map((p) => {
    const files = fileEntries.filter((e) => e.promise === p.id);
    const names = new Set(files.map((e) => e.file));
    const checks = sum(files.map((e) => e.counts));
    const figures = measurements.filter((m) => m.file && names.has(m.file)).flatMap(figuresOf);
    const fileFailed = report.files.some((f) => names.has(f.file) && f.state === 'failed');
    const ran = checks.passed + checks.failed > 0 || fileFailed;
    const status: PromiseStatus = !ran ? 'not run' : checks.failed > 0 || fileFailed ? 'fail' : 'pass';
    return {
      id: p.id,
      title: p.title,
      status,
      checks,
      files: [...names],
      keyFigures: figures.map(describeFigure),
      figures,
      failures: groupFailures(failures.filter((f) => names.has(f.file))),
      whenRun: 'whenRun' in p && p.whenRun === true,
    };
  });
  const deploymentCounts = sum(fileEntries.filter((e) => e.kind === 'deployment').map((e) => e.counts));
  const selfCounts = sum(fileEntries.filter((e) => e.kind === 'self-test').map((e) => e.counts));
  const counts = sum([deploymentCounts, selfCounts]);
  const anyFail = promises.some((p) => p.status === 'fail');
  const anyPass = promises.some((p) => p.status === 'pass');
  const verdict = anyFail ? 'fail' : report.interrupted ? 'interrupted' : anyPass ? 'pass' : 'not run';
  const runFailed =
    counts.failed > 0 || report.unhandledErrors.length > 0 || report.files.some((f) => f.state === 'failed');
  const iso = (t: number) => new Date(t).toISOString();
  return {
    schema: SUMMARY_SCHEMA_ID,
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    run: {
      startedAt: iso(report.startedAt),
      finishedAt: iso(report.finishedAt),
      wallSeconds: Math.round(report.finishedAt - report.startedAt) / 1000,
      outcome: report.interrupted ? 'interrupted' : runFailed ? 'failed' : 'passed',
      interrupted: report.interrupted
        ? { signal: report.interrupted.signal, at: iso(report.interrupted.at) }
        : null,
      hostname: report.hostname ?? null,
    },
    target: report.target ?? { kind: 'unknown' },
    seeds: seedsOf(report),
    deployment: { verdict, promises, counts: deploymentCounts },
    memoryBudget: memoryBudget(report),
    selfTests: { counts: selfCounts },
    counts,
    failures,
    unhandledErrors: report.unhandledErrors.map(firstLine),
    files: fileEntries,
  };
}
