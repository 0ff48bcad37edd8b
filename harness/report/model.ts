/**
 * Data the reports are built from: per-file and per-test results (from the vitest reporter), the
 * measurements suites recorded, the target the run ran against and how the run ended. Pure types,
 * shared by the reporter and every renderer (HTML, Markdown, JUnit, summary.json).
 */
import type { ServiceEgress } from '../egress/monitor.ts';
import type { FaultsReport } from '../faults/matrix.ts';
import type { MemoryReport } from '../sampling/summary.ts';

export type TestState = 'passed' | 'failed' | 'skipped' | 'pending';

/**
 * Why a test failed: its own check (`check`), a shared hook or the stack boot it depended on
 * (`setup`: vitest reports such tests as skipped; the harness counts them failed), or the run
 * being interrupted before the test finished (`interrupted`).
 */
export type FailureCause = 'check' | 'setup' | 'interrupted';

export interface ReportTest {
  /** Full name: describe blocks and test, joined with ' > '. */
  name: string;
  state: TestState;
  /** Wall time of the test body and its each-hooks, ms. */
  durationMs: number;
  errors: string[];
  /** Set when state is 'failed'. */
  cause?: FailureCause;
  /**
   * Its share of the shared (beforeAll/afterAll) hook time of the blocks it belongs to, ms: each
   * block's hook time divided evenly over the tests that block ran for. durationMs + setupMs is the
   * time of the test's work; over a file they add up to the file's wall time.
   */
  setupMs?: number;
  /** Log excerpts of the failing services (from withFailureContext), shown apart from the message. */
  logs?: string;
}

export interface ReportFile {
  /** Path relative to the repository root. */
  file: string;
  project: string;
  state: string;
  durationMs: number;
  tests: ReportTest[];
  /** Errors outside any test: import errors, failed hooks (each once, with the block it belongs to). */
  errors?: string[];
  /** Title of the top-level describe block (the file's subject), when there is one. */
  title?: string;
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
  /** The rate asked for (the peak of a burst schedule), events/s. */
  targetPerSec: number;
  /** achieved rate per second since the start of the run (events stored and queryable) */
  points: { tSec: number; perSec: number }[];
  /** optional: the rate the mock HA fired at, per second, on the same clock */
  fired?: { tSec: number; perSec: number }[];
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

/** What the run was pointed at (from the validated configuration, completed by what the stack reported). */
export interface TargetInfo {
  kind: string;
  composeFiles?: string[];
  profiles?: string[];
  images?: Record<string, string>;
  /** InfluxDB version: the server's own answer when a stack booted, else the configured image's tag. */
  influxdbVersion?: string;
  /** Attached or local service URLs. */
  urls?: Record<string, string>;
  seed?: number | string;
  fault?: string;
  /** Set when the configuration could not be read (the run then failed before any stack). */
  error?: string;
}

export interface RunReport {
  startedAt: number;
  finishedAt: number;
  /** 'passed' | 'failed' | 'interrupted' (vitest's reason), or 'interrupted by SIGTERM' etc. */
  reason: string;
  files: ReportFile[];
  measurements: Measurement[];
  unhandledErrors: string[];
  /** Set when the run was cut short (Ctrl-C, SIGTERM): the reports hold what finished. */
  interrupted?: { signal: string; at: number };
  target?: TargetInfo;
  /** Host the run ran on (JUnit hostname). */
  hostname?: string;
  /** The planted-fault matrix (reports/faults.json of `npm run test:faults`), when there is one. */
  faults?: FaultsReport;
}
