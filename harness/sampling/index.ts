/**
 * Memory sampling from the Docker engine (not in-process numbers): working set = usage minus
 * inactive file cache, against the container's memory limit, at least once per second.
 *
 * @example
 * import { assertMemoryWithinLimits, assertSampledOftenEnough, startMemorySampler } from '../../harness/sampling/index.ts';
 * import { recordMeasurement } from '../../harness/report/measurements.ts';
 *
 * await using sampler = await startMemorySampler({
 *   containers: [{ service: 'websocket-ingestion-test', containerId }],
 * });
 * sampler.mark('idle');
 * // ... wait ...
 * sampler.mark('load');
 * // ... drive events ...
 * const report = await sampler.stop();
 * recordMeasurement('memory', report); // plotted by the human report
 * assertSampledOftenEnough(report); // proves >= 1 sample/s per container
 * assertMemoryWithinLimits(report, { maxFractionOfLimit: 0.9 });
 * assertTotalMemoryWithin(report, 6 * 1024 ** 3, 'test stack'); // seed 000: whole stack under 6 GB
 * // -> SamplingError MEMORY_LIMIT_BREACH: "websocket-ingestion-test: working set peaked at 250.1 MiB
 * //    (98% of the 256.0 MiB limit; allowed up to 230.4 MiB) during phase 'load' at ... (61 samples, max gap 1004 ms)"
 */
export { SamplingError, type SamplingErrorCode } from './errors.ts';
export { formatMiB, type MemorySample, MiB, parseMemorySample } from './memory-sample.ts';
export {
  type MemorySamplerOptions,
  type SampledContainer,
  type StartedMemorySampler,
  startMemorySampler,
} from './sampler.ts';
export {
  assertMemoryWithinLimits,
  assertSampledOftenEnough,
  assertTotalMemoryWithin,
  findMemoryBreaches,
  type LimitCheckOptions,
  type MemoryBreach,
  type MemoryReport,
  type PhaseMark,
  peakTotalWorkingSet,
  phaseAt,
  type ServiceMemoryReport,
  summariseService,
} from './summary.ts';
