/**
 * The reports of a run: suites record measurements and key figures, the vitest reporter turns them
 * and the test results into reports/junit.xml, summary.json, summary.md and report.html (+ .png).
 *
 * @example
 * // in a suite
 * import { recordEgress, recordLatency, recordMemory, recordSeed, recordThroughput } from '../../harness/report/index.ts';
 * recordSeed('mock-ha', seed);                                   // listed for reproduction
 * recordMemory(await sampler.stop(), 'ingestion under load');    // working set vs limit per service
 * recordThroughput({ label: 'HA -> InfluxDB', targetPerSec: 150, points: ratePerSecond(writtenAtMs, startMs) });
 * recordLatency('event -> InfluxDB', latenciesMs, { percentile: 'p95', maxMs: 1000 });
 * recordEgress('test mode collectors', await egress.read());
 * recordMeasurement('anything-else', { any: 'json' });           // shown as JSON
 * recordVerdict('graceful-shutdown', { kind: 'value', label: 'SIGTERM -> exit', value: 2.4, unit: 's' });
 *
 * // vitest.config.ts: writes junit.xml, summary.json, summary.md, report.html (+ .png)
 * reporters: ['default', './harness/report/reporter.ts'],
 * See harness/report/README.md.
 */
export {
  measurementsDir,
  percentile,
  ratePerSecond,
  recordEgress,
  recordLatency,
  recordMeasurement,
  recordMemory,
  recordSeed,
  recordThroughput,
  reportsDir,
  summariseLatency,
} from './measurements.ts';
export type {
  EgressData,
  LatencyData,
  Measurement,
  MemoryData,
  ReportFile,
  ReportTest,
  RunReport,
  SeedData,
  ThroughputData,
} from './model.ts';
export type { PromiseId } from './promises.ts';
export { PROMISES } from './promises.ts';
export { renderHtml, renderMarkdown } from './render.ts';
export { readMeasurements, writeReport } from './reporter.ts';
export { buildSummary, type Summary } from './summary.ts';
export type { KeyFigure } from './verdicts.ts';
export { recordVerdict } from './verdicts.ts';
