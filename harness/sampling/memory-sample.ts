/**
 * One memory sample from a Docker stats JSON document (engine numbers, not in-process ones).
 * Working set = usage minus inactive file cache, like `docker stats` and the kubelet:
 * cgroup v1 reports `total_inactive_file`, cgroup v2 `inactive_file`.
 */

/** The part of Docker's stats document we read. */
export interface DockerMemoryStats {
  read?: string;
  memory_stats?: {
    usage?: number;
    max_usage?: number;
    limit?: number;
    failcnt?: number;
    stats?: Record<string, number | undefined>;
  };
}

export interface MemorySample {
  /** Engine timestamp of the reading, ms since the epoch. */
  t: number;
  usageBytes: number;
  inactiveFileBytes: number;
  workingSetBytes: number;
  /** Limit as the engine reports it (the host's memory when the container has none). */
  engineLimitBytes: number;
  /** cgroup v1 high-water mark of usage (includes cache); undefined on cgroup v2. */
  kernelMaxUsageBytes?: number;
  /** 'engine': Docker stats; 'cgroup': the same kernel counters read from the host between ticks. */
  source: 'engine' | 'cgroup';
}

const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Parse a stats document; undefined when it carries no reading (container not running). */
export function parseMemorySample(doc: DockerMemoryStats): MemorySample | undefined {
  const m = doc.memory_stats;
  const t = doc.read ? Date.parse(doc.read) : Number.NaN;
  if (!m || m.usage === undefined || !Number.isFinite(t) || t <= ZERO_TIME) return undefined;
  const stats = m.stats ?? {};
  const inactiveFile = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const workingSet = Math.max(0, m.usage - (inactiveFile < m.usage ? inactiveFile : 0));
  const sample: MemorySample = {
    t,
    usageBytes: m.usage,
    inactiveFileBytes: inactiveFile,
    workingSetBytes: workingSet,
    engineLimitBytes: m.limit ?? 0,
    source: 'engine',
  };
  if (m.max_usage !== undefined) sample.kernelMaxUsageBytes = m.max_usage;
  return sample;
}

export const MiB = 1024 * 1024;
export const formatMiB = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
