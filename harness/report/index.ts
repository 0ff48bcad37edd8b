/**
 * The human report: suites record measurements, the vitest reporter turns them and the test
 * results into `reports/report.html` (self-contained, inline SVG plots) and `reports/summary.md`.
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
 *
 * // vitest.config.ts (the lead registers it beside default + junit)
 * reporters: ['default', ['junit', { outputFile: 'reports/junit.xml' }], './harness/report/reporter.ts'],
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
export { renderHtml, renderMarkdown } from './render.ts';
export { readMeasurements, writeReport } from './reporter.ts';
