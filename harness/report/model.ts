/**
 * Data the human report is built from: per-file and per-test results (from the vitest reporter)
 * and the measurements suites recorded. Pure types, shared by reporter and renderers.
 */
import type { ServiceEgress } from '../egress/monitor.ts';
import type { MemoryReport } from '../sampling/summary.ts';

export type TestState = 'passed' | 'failed' | 'skipped' | 'pending';

export interface ReportTest {
  name: string;
  state: TestState;
  durationMs: number;
  errors: string[];
}

export interface ReportFile {
  file: string;
  project: string;
  state: string;
  durationMs: number;
  tests: ReportTest[];
}

/** One line of reports/measurements/<pid>.jsonl. */
export interface Measurement {
  name: string;
  data: unknown;
  /** ms since the epoch */
  t: number;
  pid: number;
  /** test file and test name, when recorded inside a vitest test */
  file?: string;
  test?: string;
}

export interface ThroughputData {
  label: string;
  targetPerSec: number;
  /** achieved rate per second since the start of the run */
  points: { tSec: number; perSec: number }[];
}

export interface LatencyData {
  label: string;
  unit: 'ms';
  count: number;
  percentiles: { p50: number; p90: number; p95: number; p99: number; max: number; min: number; mean: number };
  /** histogram over log-spaced bins */
  bins: { from: number; to: number; count: number }[];
  /** optional budget line, e.g. p95 <= 1000 ms */
  budget?: { percentile: 'p50' | 'p90' | 'p95' | 'p99' | 'max'; maxMs: number };
}

export interface SeedData {
  name: string;
  seed: number | string;
}

export interface EgressData {
  label: string;
  services: Record<string, ServiceEgress>;
}

export type MemoryData = MemoryReport & { label?: string };

export interface RunReport {
  startedAt: number;
  finishedAt: number;
  reason: string;
  files: ReportFile[];
  measurements: Measurement[];
  unhandledErrors: string[];
}
