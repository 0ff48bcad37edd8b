/**
 * Key figures of a promise, for the deployment's verdict table (reports/report.html, first
 * screen), reports/summary.md and reports/summary.json. A suite records what it measured; whether
 * the promise held comes from its checks (a row is FAIL when any check of its files failed, or
 * could not run), never from these figures.
 *
 * Most rows fill themselves from what suites already record: `recordLatency` (p50/p95/p99 against
 * the budget), `recordMemory` (peak as % of limit per service), `recordEgress` (outbound
 * connections) and every `driveScenario` (events fired / stored / missing / duplicated, and the
 * throughput plot). Call `recordVerdict` for anything else, or to tie a file whose name does not
 * say it to a promise (harness/report/promises.ts).
 *
 * @example
 * import { recordVerdict } from '../../harness/report/verdicts.ts';
 * recordVerdict('graceful-shutdown', {
 *   kind: 'value', label: 'SIGTERM -> exit', value: 2.4, unit: 's', limit: '<= 30 s',
 * });
 * recordVerdict('throughput', {
 *   kind: 'events', fired: 6000, stored: 6000, missing: 0, duplicated: 0, misplaced: 0,
 * });
 * recordVerdict('upgrade');   // only ties this file to the promise
 */
import { ratePerSecond, recordMeasurement, recordThroughput } from './measurements.ts';
import type { PromiseId } from './promises.ts';

/** Events the mock HA fired and what InfluxDB holds of them (matched by context_id). */
export interface EventsFigure {
  kind: 'events';
  label?: string;
  fired: number;
  /** distinct fired events found in the test bucket */
  stored: number;
  missing: number;
  duplicated: number;
  /** fired events found in the production bucket */
  misplaced?: number;
}

/** A latency distribution against its limit (ms). */
export interface LatencyFigure {
  kind: 'latency';
  label: string;
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  limit?: { percentile: 'p50' | 'p90' | 'p95' | 'p99' | 'max'; maxMs: number };
}

/** Peak working set against the memory limit, per service (bytes; limit null = none). */
export interface MemoryFigure {
  kind: 'memory';
  label?: string;
  services: { service: string; peakBytes: number; limitBytes: number | null; oomKills: number }[];
}

/** Outbound connections seen at the network level, per service. */
export interface EgressFigure {
  kind: 'egress';
  label?: string;
  services: { service: string; connections: number; external: number }[];
}

/** Anything else: one named value, its unit and the limit it was held to (free text). */
export interface ValueFigure {
  kind: 'value';
  label: string;
  value: number | string;
  unit?: string;
  limit?: string;
}

export type KeyFigure = EventsFigure | LatencyFigure | MemoryFigure | EgressFigure | ValueFigure;

/** One line of reports/measurements: name 'verdict'. */
export interface VerdictData {
  promise: PromiseId;
  figures: KeyFigure[];
}

/**
 * Record key figures of `promise` from the test file that proves it (call it in a test or hook of
 * that file, any number of times; figures add up in order). With no figures it only ties the file
 * to the promise.
 */
export function recordVerdict(promise: PromiseId, ...figures: KeyFigure[]): void {
  recordMeasurement('verdict', { promise, figures } satisfies VerdictData);
}

/** Record the events figure of a scenario run (harness/verify/ingestion.ts calls it for every drive). */
export function recordEvents(figure: Omit<EventsFigure, 'kind'>): void {
  recordMeasurement('events', { kind: 'events', ...figure } satisfies EventsFigure);
}

const MiB = 1048576;
const msText = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** One short line per figure, as the verdict table shows it. */
export function describeFigure(f: KeyFigure): string {
  const pre = 'label' in f && f.label && f.kind !== 'value' ? `${f.label}: ` : '';
  switch (f.kind) {
    case 'events':
      return `${pre}${f.fired} fired, ${f.stored} stored, ${f.missing} missing, ${f.duplicated} duplicated${
        f.misplaced ? `, ${f.misplaced} in the production bucket` : ''
      }`;
    case 'latency': {
      const lim = f.limit ? ` (limit ${f.limit.percentile} <= ${msText(f.limit.maxMs)})` : '';
      return `${pre}p50 ${msText(f.p50Ms)} / p95 ${msText(f.p95Ms)} / p99 ${msText(f.p99Ms)}${lim}, n=${f.count}`;
    }
    case 'memory': {
      const rows = f.services
        .map((s) => ({ s, pct: s.limitBytes ? (s.peakBytes / s.limitBytes) * 100 : null }))
        .sort((a, b) => (b.pct ?? 101) - (a.pct ?? 101));
      const shown = rows
        .slice(0, 4)
        .map(({ s, pct }) =>
          pct === null
            ? `${s.service} ${(s.peakBytes / MiB).toFixed(0)} MiB (no limit)`
            : `${s.service} ${pct.toFixed(0)}%`,
        );
      const more = rows.length > 4 ? `, ${rows.length - 4} more <= ${(rows[4]?.pct ?? 0).toFixed(0)}%` : '';
      const ooms = f.services.reduce((n, s) => n + s.oomKills, 0);
      return `${pre}peak of limit: ${shown.join(', ')}${more}${ooms ? `; ${ooms} OOM kill(s)` : ''}`;
    }
    case 'egress': {
      const total = f.services.reduce((n, s) => n + s.connections, 0);
      const external = f.services.reduce((n, s) => n + s.external, 0);
      const who = f.services.filter((s) => s.connections > 0).map((s) => `${s.service} ${s.connections}`);
      return `${pre}${total} outbound connection(s), ${external} external, over ${f.services.length} service(s)${
        who.length ? ` (${who.join(', ')})` : ''
      }`;
    }
    case 'value':
      return `${f.label}: ${f.value}${f.unit ? ` ${f.unit}` : ''}${f.limit ? ` (limit ${f.limit})` : ''}`;
  }
}

/**
 * Record what one scenario run showed (harness/verify/ingestion.ts calls it after every drive):
 * the events figure, and the throughput plot (events fired and events stored-and-queryable per
 * second, on the same clock from `startMs`, against the peak rate asked for).
 */
export function recordScenarioRun(run: {
  label: string;
  targetPerSec: number;
  startMs: number;
  /** when each event was sent (epoch ms) */
  firedAtMs: readonly number[];
  /** when each stored event was first seen queryable (epoch ms) */
  storedAtMs: readonly number[];
  events: Omit<EventsFigure, 'kind' | 'label'>;
}): void {
  recordEvents({ label: run.label, ...run.events });
  let end = run.startMs;
  for (const t of run.firedAtMs) end = Math.max(end, t);
  for (const t of run.storedAtMs) end = Math.max(end, t);
  recordThroughput({
    label: run.label,
    targetPerSec: run.targetPerSec,
    points: ratePerSecond(run.storedAtMs, run.startMs, end),
    fired: ratePerSecond(run.firedAtMs, run.startMs, end),
  });
}
