/**
 * Measurements for the human report. Suites call these from any process (vitest workers,
 * scripts); each appends one JSON line to `reports/measurements/<pid>.jsonl`, which the reporter
 * (harness/report/reporter.ts) reads at the end of the run. Known names get plots: 'memory',
 * 'throughput', 'latency', 'egress'; 'seed' is listed; anything else is shown as JSON.
 *
 * @example
 * import { recordLatency, recordMemory, recordSeed, recordThroughput } from '../../harness/report/measurements.ts';
 * recordSeed('mock-ha scenario', 42);
 * recordMemory(await sampler.stop());
 * recordThroughput({ label: 'mock HA -> InfluxDB', targetPerSec: 150, points: [{ tSec: 1, perSec: 149 }] });
 * recordLatency('event -> InfluxDB', latenciesMs, { percentile: 'p95', maxMs: 1000 });
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { EgressData, LatencyData, Measurement, MemoryData, SeedData, ThroughputData } from './model.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Where reports go: HOMEIQ_REPORTS_DIR or <repo>/reports. */
export function reportsDir(): string {
  return process.env.HOMEIQ_REPORTS_DIR ?? join(REPO_ROOT, 'reports');
}

export function measurementsDir(): string {
  return join(reportsDir(), 'measurements');
}

/** The current vitest test, when called inside one (best effort; vitest's worker state). */
function currentTest(): { file?: string; test?: string } {
  const worker = (globalThis as { __vitest_worker__?: { filepath?: string; current?: { name?: string } } })
    .__vitest_worker__;
  const out: { file?: string; test?: string } = {};
  if (worker?.filepath) out.file = relative(REPO_ROOT, worker.filepath);
  if (worker?.current?.name) out.test = worker.current.name;
  return out;
}

export function recordMeasurement(name: string, data: unknown): void {
  const line: Measurement = { name, data, t: Date.now(), pid: process.pid, ...currentTest() };
  mkdirSync(measurementsDir(), { recursive: true });
  appendFileSync(join(measurementsDir(), `${process.pid}.jsonl`), `${JSON.stringify(line)}\n`);
}

export function recordSeed(name: string, seed: number | string): void {
  recordMeasurement('seed', { name, seed } satisfies SeedData);
}

export function recordMemory(report: MemoryData, label?: string): void {
  recordMeasurement('memory', label ? { ...report, label } : report);
}

export function recordThroughput(data: ThroughputData): void {
  recordMeasurement('throughput', data);
}

/**
 * Events per second from event timestamps (ms since the epoch): one point per whole second since
 * `startMs`, including seconds without events, up to `endMs` (default: the last event).
 */
export function ratePerSecond(
  eventTimesMs: readonly number[],
  startMs: number,
  endMs?: number,
): ThroughputData['points'] {
  const last = endMs ?? eventTimesMs.reduce((m, t) => Math.max(m, t), startMs);
  const seconds = Math.max(1, Math.ceil((last - startMs) / 1000));
  const counts = new Array<number>(seconds).fill(0);
  for (const t of eventTimesMs) {
    const i = Math.floor((t - startMs) / 1000);
    if (i >= 0 && i < seconds) counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((perSec, i) => ({ tSec: i + 1, perSec }));
}

export function recordEgress(label: string, services: EgressData['services']): void {
  recordMeasurement('egress', { label, services } satisfies EgressData);
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/** Percentiles and a log-spaced histogram of latencies (raw samples are not stored). */
export function summariseLatency(
  label: string,
  samplesMs: readonly number[],
  budget?: LatencyData['budget'],
): LatencyData {
  const sorted = [...samplesMs].filter(Number.isFinite).sort((a, b) => a - b);
  const min = sorted[0] ?? 0;
  const max = sorted.at(-1) ?? 0;
  const lo = Math.max(0.1, min);
  const hi = Math.max(lo * 1.0001, max);
  const binCount = sorted.length === 0 ? 0 : Math.min(30, Math.max(5, Math.ceil(Math.sqrt(sorted.length))));
  const ratio = (hi / lo) ** (1 / Math.max(1, binCount));
  const bins = Array.from({ length: binCount }, (_, i) => ({
    from: lo * ratio ** i,
    to: lo * ratio ** (i + 1),
    count: 0,
  }));
  for (const v of sorted) {
    const i = v <= lo ? 0 : Math.min(binCount - 1, Math.floor(Math.log(v / lo) / Math.log(ratio)));
    const bin = bins[i];
    if (bin) bin.count++;
  }
  const data: LatencyData = {
    label,
    unit: 'ms',
    count: sorted.length,
    percentiles: {
      min,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max,
      mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
    },
    bins,
  };
  if (budget) data.budget = budget;
  return data;
}

export function recordLatency(
  label: string,
  samplesMs: readonly number[],
  budget?: LatencyData['budget'],
): void {
  recordMeasurement('latency', summariseLatency(label, samplesMs, budget));
}
