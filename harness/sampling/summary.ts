/**
 * Pure summaries of collected samples: peak working set, the phase it happened in, sample count
 * and spacing (max gap, mean interval), and the limit checks with messages naming service, limit
 * and measured peak.
 */
import { SamplingError } from './errors.ts';
import { formatMiB, type MemorySample } from './memory-sample.ts';

export interface PhaseMark {
  label: string;
  /** ms since the epoch */
  t: number;
}

export interface ServiceMemoryReport {
  service: string;
  containerId: string;
  /** HostConfig.Memory; null when the container has no memory limit. */
  limitBytes: number | null;
  /** memory_stats.limit as last reported by the engine. */
  engineLimitBytes: number;
  peakWorkingSetBytes: number;
  peakAt: number | null;
  peakPhase: string | null;
  sampleCount: number;
  /** How many samples came from Docker stats (the rest were read from the cgroup between ticks). */
  engineSampleCount: number;
  /** Largest spacing between consecutive samples (ms); the first gap counts from sampler start. */
  maxGapMs: number;
  meanIntervalMs: number;
  kernelMaxUsageBytes: number | null;
  oomKilled: boolean;
  /** container restarts while sampled (e.g. after an OOM kill with a restart policy) */
  restarts: number;
  /** kernel OOM kills in the container's cgroup while sampled (any process); null when not visible */
  oomKills: number | null;
  samples: MemorySample[];
}

export interface MemoryReport {
  startedAt: number;
  stoppedAt: number;
  intervalMs: number;
  marks: PhaseMark[];
  services: Record<string, ServiceMemoryReport>;
}

/** The label of the last mark at or before `t` (null before the first mark). */
export function phaseAt(marks: readonly PhaseMark[], t: number): string | null {
  let label: string | null = null;
  for (const m of marks) if (m.t <= t) label = m.label;
  return label;
}

export function summariseService(args: {
  service: string;
  containerId: string;
  limitBytes: number | null;
  samples: MemorySample[];
  marks: readonly PhaseMark[];
  startedAt: number;
  stoppedAt: number;
  oomKilled: boolean;
  restarts?: number;
  oomKills?: number | null;
}): ServiceMemoryReport {
  const samples = [...args.samples].sort((a, b) => a.t - b.t);
  let peak: MemorySample | undefined;
  for (const s of samples) if (!peak || s.workingSetBytes > peak.workingSetBytes) peak = s;
  let maxGap = 0;
  let prev = args.startedAt;
  for (const s of samples) {
    maxGap = Math.max(maxGap, s.t - prev);
    prev = Math.max(prev, s.t);
  }
  if (samples.length > 0) maxGap = Math.max(maxGap, args.stoppedAt - prev);
  else maxGap = args.stoppedAt - args.startedAt;
  const first = samples[0];
  const last = samples.at(-1);
  const kernelMax = samples.reduce<number | null>(
    (m, s) => (s.kernelMaxUsageBytes === undefined ? m : Math.max(m ?? 0, s.kernelMaxUsageBytes)),
    null,
  );
  return {
    service: args.service,
    containerId: args.containerId,
    limitBytes: args.limitBytes,
    engineLimitBytes: last?.engineLimitBytes ?? 0,
    peakWorkingSetBytes: peak?.workingSetBytes ?? 0,
    peakAt: peak?.t ?? null,
    peakPhase: peak ? phaseAt(args.marks, peak.t) : null,
    sampleCount: samples.length,
    engineSampleCount: samples.filter((s) => s.source === 'engine').length,
    maxGapMs: Math.round(maxGap),
    meanIntervalMs:
      first && last && samples.length > 1 ? Math.round((last.t - first.t) / (samples.length - 1)) : 0,
    kernelMaxUsageBytes: kernelMax,
    oomKilled: args.oomKilled,
    restarts: args.restarts ?? 0,
    oomKills: args.oomKills ?? null,
    samples,
  };
}

export interface LimitCheckOptions {
  /** Breach when the peak working set reaches this fraction of the limit. Default 0.9. */
  maxFractionOfLimit?: number;
  /** Per-service budgets in bytes, used instead of the container limit (e.g. seed 002 ceilings). */
  budgetsBytes?: Record<string, number>;
}

export interface MemoryBreach {
  service: string;
  limitBytes: number;
  peakWorkingSetBytes: number;
  message: string;
}

/** Every service whose peak working set reached its budget, that was OOM-killed or that restarted. */
export function findMemoryBreaches(report: MemoryReport, opts: LimitCheckOptions = {}): MemoryBreach[] {
  const fraction = opts.maxFractionOfLimit ?? 0.9;
  const out: MemoryBreach[] = [];
  for (const r of Object.values(report.services)) {
    const budget = opts.budgetsBytes?.[r.service];
    const limit = budget ?? r.limitBytes;
    const where = `phase '${r.peakPhase ?? 'unmarked'}'${r.peakAt ? ` at ${new Date(r.peakAt).toISOString()}` : ''}`;
    const basis = `${r.sampleCount} samples, max gap ${r.maxGapMs} ms`;
    const oomKills = r.oomKills ?? 0;
    if (r.oomKilled || r.restarts > 0 || oomKills > 0) {
      const what = r.oomKilled
        ? 'OOM-killed by the kernel'
        : oomKills > 0
          ? `${oomKills} process(es) OOM-killed by the kernel inside the container`
          : `restarted ${r.restarts} time(s) while sampled (an OOM kill can hide behind a restart)`;
      out.push({
        service: r.service,
        limitBytes: limit ?? 0,
        peakWorkingSetBytes: r.peakWorkingSetBytes,
        message: `${r.service}: ${what} (limit ${limit ? formatMiB(limit) : 'none'}${r.kernelMaxUsageBytes === null ? '' : `, kernel max usage ${formatMiB(r.kernelMaxUsageBytes)}`}, sampled peak working set ${formatMiB(r.peakWorkingSetBytes)} during ${where}; ${basis})`,
      });
      continue;
    }
    if (limit === null || limit <= 0) continue;
    const threshold = budget ?? limit * fraction;
    if (r.peakWorkingSetBytes >= threshold) {
      const pct = ((r.peakWorkingSetBytes / limit) * 100).toFixed(0);
      out.push({
        service: r.service,
        limitBytes: limit,
        peakWorkingSetBytes: r.peakWorkingSetBytes,
        message: `${r.service}: working set peaked at ${formatMiB(r.peakWorkingSetBytes)} (${pct}% of the ${formatMiB(limit)} ${budget ? 'budget' : 'limit'}; allowed up to ${formatMiB(threshold)}) during ${where} (${basis})`,
      });
    }
  }
  return out;
}

export function assertMemoryWithinLimits(report: MemoryReport, opts: LimitCheckOptions = {}): void {
  const breaches = findMemoryBreaches(report, opts);
  if (breaches.length > 0) {
    throw new SamplingError('MEMORY_LIMIT_BREACH', breaches.map((b) => b.message).join('\n'));
  }
}

/** Fails when any service went longer than `maxGapMs` (default: the sampler's interval) without a sample. */
export function assertSampledOftenEnough(report: MemoryReport, maxGapMs = report.intervalMs): void {
  const sparse = Object.values(report.services).filter((r) => r.maxGapMs > maxGapMs);
  if (sparse.length > 0) {
    throw new SamplingError(
      'SAMPLING_TOO_SPARSE',
      sparse
        .map(
          (r) =>
            `${r.service}: max gap between memory samples ${r.maxGapMs} ms, expected <= ${maxGapMs} ms (${r.sampleCount} samples)`,
        )
        .join('\n'),
    );
  }
}

/**
 * Peak of the summed working sets of all services (e.g. the whole stack against seed 000's 6 GB):
 * at every sample instant, each service contributes its latest working set.
 */
export function peakTotalWorkingSet(report: MemoryReport): {
  bytes: number;
  at: number | null;
  phase: string | null;
} {
  const events = Object.values(report.services)
    .flatMap((s) => s.samples.map((p) => ({ service: s.service, t: p.t, ws: p.workingSetBytes })))
    .sort((a, b) => a.t - b.t);
  const latest = new Map<string, number>();
  let total = 0;
  let best = { bytes: 0, at: null as number | null };
  for (const e of events) {
    total += e.ws - (latest.get(e.service) ?? 0);
    latest.set(e.service, e.ws);
    if (total > best.bytes) best = { bytes: total, at: e.t };
  }
  return { ...best, phase: best.at === null ? null : phaseAt(report.marks, best.at) };
}

export function assertTotalMemoryWithin(report: MemoryReport, maxBytes: number, what = 'stack'): void {
  const peak = peakTotalWorkingSet(report);
  if (peak.bytes > maxBytes) {
    throw new SamplingError(
      'MEMORY_LIMIT_BREACH',
      `${what}: summed working set of ${Object.keys(report.services).length} services peaked at ${formatMiB(peak.bytes)}, expected <= ${formatMiB(maxBytes)} (phase '${peak.phase ?? 'unmarked'}'${peak.at ? ` at ${new Date(peak.at).toISOString()}` : ''})`,
    );
  }
}
