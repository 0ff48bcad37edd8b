/**
 * CPU and memory of containers from the Docker engine's stats stream (the cgroup counters Docker
 * reads: `cpu_stats.cpu_usage.total_usage` in ns, memory usage minus inactive file cache), about
 * one reading per second per container, with each container's limits from `docker inspect`:
 * CPU = `NanoCpus` (compose `cpus:`) or `CpuQuota / CpuPeriod`, else the host's cores; memory =
 * `Memory`, else none. `window(from, to)` sums one interval of time (e.g. one capacity step).
 */
import Docker from 'dockerode';
import { createLogger } from '../util/log.ts';
import { SamplingError } from './errors.ts';
import { type DockerMemoryStats, parseMemorySample } from './memory-sample.ts';

const log = createLogger('sampling:resources');

interface DockerStats extends DockerMemoryStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number };
    online_cpus?: number;
    /** CFS bandwidth control of a container with a CPU limit (cumulative). */
    throttling_data?: { periods?: number; throttled_periods?: number; throttled_time?: number };
  };
}

export interface ResourceSample {
  /** Engine timestamp, epoch ms. */
  t: number;
  /** Cumulative CPU time of the container, ns. */
  cpuNs: number;
  workingSetBytes: number;
  /** Cumulative CFS periods and throttled periods (containers with a CPU limit; else absent). */
  periods?: number;
  throttledPeriods?: number;
  /** Cumulative time the container was throttled, ns. */
  throttledNs?: number;
}

export interface ServiceResources {
  service: string;
  /** CPU limit in cores (NanoCpus / 1e9, CpuQuota / CpuPeriod), else the host's cores. */
  cpuLimitCores: number;
  /** Where cpuLimitCores came from. */
  cpuLimitFrom: 'nanoCPUs' | 'quota' | 'host cores';
  memLimitBytes: number | null;
}

export interface ServiceWindow extends ServiceResources {
  /** CPU seconds used in the window (from the readings that bracket it). */
  cpuSeconds: number;
  /** Mean cores used: cpuSeconds / window length. */
  meanCores: number;
  /** Fraction of the CPU limit used per reading interval in the window. */
  cpuFractions: number[];
  /**
   * At its CPU limit for the whole window: every reading interval at >= pinnedAt of the limit (and
   * at least 3 intervals), or, with a limit the kernel enforces, the mean over the window at >=
   * pinnedAt of it and the container throttled in >= pinnedAt of its CFS periods (the readings'
   * 1 s intervals jitter: the ingestion starved to 0.05 cores averaged 96% of it, throttled in 99%
   * of its periods, with one reading under 90%).
   */
  cpuPinned: boolean;
  peakWorkingSetBytes: number;
  /** Peak working set / memory limit (null without a limit). */
  peakMemFraction: number | null;
  /**
   * Share of the CFS periods of the window in which the container used up its CPU quota and was
   * stopped until the next period (null: no CPU limit or no readings). A container can be
   * throttled while its mean is far below its limit (bursts within one 100 ms period).
   */
  throttledFraction: number | null;
  /** Time the container spent throttled in the window, s (null: no CPU limit or no readings). */
  throttledSeconds: number | null;
  samples: number;
}

export interface StartedResourceSampler {
  services(): ServiceResources[];
  /** Per service over [fromMs, toMs] (epoch ms). `pinnedAt` default 0.9 of the limit. */
  window(fromMs: number, toMs: number, opts?: { pinnedAt?: number }): ServiceWindow[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Target extends ServiceResources {
  samples: ResourceSample[];
  stream?: NodeJS.ReadableStream & { destroy?: () => void };
}

/** The CPU limit of a container from its inspect document, else the host's cores. */
export function cpuLimitOf(
  host: { NanoCpus?: number; CpuQuota?: number; CpuPeriod?: number },
  hostCores: number,
): { cores: number; from: ServiceResources['cpuLimitFrom'] } {
  if (host.NanoCpus && host.NanoCpus > 0) return { cores: host.NanoCpus / 1e9, from: 'nanoCPUs' };
  if (host.CpuQuota && host.CpuQuota > 0)
    return {
      cores: host.CpuQuota / (host.CpuPeriod && host.CpuPeriod > 0 ? host.CpuPeriod : 100_000),
      from: 'quota',
    };
  return { cores: hostCores, from: 'host cores' };
}

/** Summarises one service's samples over [fromMs, toMs]. Pure. */
export function summariseWindow(
  r: ServiceResources,
  samples: readonly ResourceSample[],
  fromMs: number,
  toMs: number,
  pinnedAt = 0.9,
): ServiceWindow {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  // The readings that bracket the window: the last one at or before its start, the first at or after its end.
  let first = -1;
  let last = -1;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i] as ResourceSample;
    if (s.t <= fromMs) first = i;
    if (last === -1 && s.t >= toMs) last = i;
  }
  if (first === -1) first = sorted.findIndex((s) => s.t >= fromMs);
  if (last === -1) last = sorted.length - 1;
  const inside = first >= 0 && last > first ? sorted.slice(first, last + 1) : [];
  const fractions: number[] = [];
  for (let i = 1; i < inside.length; i++) {
    const a = inside[i - 1] as ResourceSample;
    const b = inside[i] as ResourceSample;
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) fractions.push(Math.max(0, b.cpuNs - a.cpuNs) / 1e9 / dt / r.cpuLimitCores);
  }
  const cpuSeconds =
    inside.length >= 2
      ? Math.max(0, (inside.at(-1) as ResourceSample).cpuNs - (inside[0] as ResourceSample).cpuNs) / 1e9
      : 0;
  const span =
    inside.length >= 2 ? ((inside.at(-1) as ResourceSample).t - (inside[0] as ResourceSample).t) / 1000 : 0;
  const a0 = inside[0];
  const a1 = inside.at(-1);
  const periods =
    a0?.periods !== undefined && a1?.periods !== undefined && inside.length >= 2
      ? a1.periods - a0.periods
      : null;
  const throttledPeriods =
    periods !== null ? (a1?.throttledPeriods ?? 0) - (a0?.throttledPeriods ?? 0) : null;
  const throttledNs = periods !== null ? (a1?.throttledNs ?? 0) - (a0?.throttledNs ?? 0) : null;
  const during = sorted.filter((s) => s.t >= fromMs && s.t <= toMs);
  const peak = during.reduce((m, s) => Math.max(m, s.workingSetBytes), 0);
  return {
    ...r,
    cpuSeconds,
    meanCores: span > 0 ? cpuSeconds / span : 0,
    cpuFractions: fractions,
    cpuPinned:
      (fractions.length >= 3 && fractions.every((f) => f >= pinnedAt)) ||
      (span > 0 &&
        cpuSeconds / span / r.cpuLimitCores >= pinnedAt &&
        periods !== null &&
        periods > 0 &&
        throttledPeriods !== null &&
        throttledPeriods / periods >= pinnedAt),
    peakWorkingSetBytes: peak,
    peakMemFraction: r.memLimitBytes ? peak / r.memLimitBytes : null,
    throttledFraction:
      periods !== null && periods > 0 && throttledPeriods !== null ? throttledPeriods / periods : null,
    throttledSeconds: periods !== null && periods > 0 && throttledNs !== null ? throttledNs / 1e9 : null,
    samples: during.length,
  };
}

/** Streams Docker stats of every container until stop(). */
export async function startResourceSampler(opts: {
  containers: { service: string; containerId: string }[];
  docker?: Docker;
}): Promise<StartedResourceSampler> {
  const docker = opts.docker ?? new Docker();
  const info = await docker.info().catch(() => ({ NCPU: 1 }));
  const hostCores = Number((info as { NCPU?: number }).NCPU) || 1;
  const targets: Target[] = [];
  const close = () => {
    for (const t of targets) t.stream?.destroy?.();
  };
  try {
    for (const c of opts.containers) {
      const container = docker.getContainer(c.containerId);
      const inspect = await container.inspect();
      const cpu = cpuLimitOf(inspect.HostConfig, hostCores);
      const mem = inspect.HostConfig.Memory ?? 0;
      const target: Target = {
        service: c.service,
        cpuLimitCores: cpu.cores,
        cpuLimitFrom: cpu.from,
        memLimitBytes: mem > 0 ? mem : null,
        samples: [],
      };
      targets.push(target);
      const stream = (await container.stats({ stream: true })) as Target['stream'] & NodeJS.ReadableStream;
      target.stream = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer | string) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            const doc = JSON.parse(line) as DockerStats;
            const mem = parseMemorySample(doc);
            const cpuNs = doc.cpu_stats?.cpu_usage?.total_usage;
            const th = doc.cpu_stats?.throttling_data;
            if (mem && typeof cpuNs === 'number')
              target.samples.push({
                t: mem.t,
                cpuNs,
                workingSetBytes: mem.workingSetBytes,
                ...(typeof th?.periods === 'number' && th.periods > 0
                  ? {
                      periods: th.periods,
                      throttledPeriods: th.throttled_periods ?? 0,
                      throttledNs: th.throttled_time ?? 0,
                    }
                  : {}),
              });
          } catch (err) {
            log.warn(`${c.service}: unparseable stats line (${String(err)})`);
          }
        }
      });
      stream.on('error', (err: Error) => log.debug(`${c.service}: stats stream error: ${err.message}`));
    }
  } catch (err) {
    close();
    throw new SamplingError(
      'SAMPLER_START_FAILED',
      `resource sampler could not start for ${opts.containers.map((c) => c.service).join(', ')}: ${String(err)}`,
    );
  }
  const stop = async () => close();
  return {
    services: () =>
      targets.map(({ service, cpuLimitCores, cpuLimitFrom, memLimitBytes }) => ({
        service,
        cpuLimitCores,
        cpuLimitFrom,
        memLimitBytes,
      })),
    window: (fromMs, toMs, o = {}) =>
      targets.map((t) =>
        summariseWindow(
          // only the resource fields: a Target also holds its stats stream (circular, not JSON)
          {
            service: t.service,
            cpuLimitCores: t.cpuLimitCores,
            cpuLimitFrom: t.cpuLimitFrom,
            memLimitBytes: t.memLimitBytes,
          },
          t.samples,
          fromMs,
          toMs,
          o.pinnedAt,
        ),
      ),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
