/**
 * Direct reading of a container's memory cgroup from the host's /sys/fs/cgroup, used to fill the
 * gaps between Docker's stats ticks. Docker 20.10's stats collector ticks every 1 s plus its
 * collection time (measured ~1.03-1.08 s here) and `one-shot` waits for the next tick, so the
 * engine alone cannot guarantee one sample per second. The numbers are the same kernel counters
 * Docker reads, for the same cgroup. Only available when the engine runs on this host.
 */
import { readFileSync } from 'node:fs';
import type { MemorySample } from './memory-sample.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';

interface CgroupLayout {
  /** v1 memory.oom_control or v2 memory.events: both carry an `oom_kill <n>` line */
  oomFile: string;
  usageFile: string;
  statFile: string;
  limitFile: string;
  maxUsageFile?: string;
  version: 1 | 2;
}

function layoutsFor(id: string, root: string): CgroupLayout[] {
  const v1 = (dir: string): CgroupLayout => ({
    oomFile: `${dir}/memory.oom_control`,
    usageFile: `${dir}/memory.usage_in_bytes`,
    statFile: `${dir}/memory.stat`,
    limitFile: `${dir}/memory.limit_in_bytes`,
    maxUsageFile: `${dir}/memory.max_usage_in_bytes`,
    version: 1,
  });
  const v2 = (dir: string): CgroupLayout => ({
    oomFile: `${dir}/memory.events`,
    usageFile: `${dir}/memory.current`,
    statFile: `${dir}/memory.stat`,
    limitFile: `${dir}/memory.max`,
    version: 2,
  });
  return [
    v1(`${root}/memory/docker/${id}`),
    v1(`${root}/memory/system.slice/docker-${id}.scope`),
    v2(`${root}/system.slice/docker-${id}.scope`),
    v2(`${root}/docker/${id}`),
  ];
}

function readNumber(file: string): number {
  const text = readFileSync(file, 'utf8').trim();
  return text === 'max' ? Number.POSITIVE_INFINITY : Number(text);
}

function statValue(stat: string, key: string): number | undefined {
  const m = stat.match(new RegExp(`^${key} (\\d+)$`, 'm'));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function findLayout(containerId: string, root: string): CgroupLayout | undefined {
  return layoutsFor(containerId, root).find((l) => {
    try {
      readNumber(l.usageFile);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Kernel OOM kills in the container's cgroup so far. Docker's State.OOMKilled only tells about the
 * main process after exit; a killed child (or a still running container) shows up only here.
 */
export function readOomKills(containerId: string, opts: { root?: string } = {}): number | undefined {
  const layout = findLayout(containerId, opts.root ?? CGROUP_ROOT);
  if (!layout) return undefined;
  try {
    return statValue(readFileSync(layout.oomFile, 'utf8'), 'oom_kill');
  } catch {
    return undefined;
  }
}

/** A reader for the container's memory cgroup, or undefined when it is not visible from here. */
export function createCgroupReader(
  containerId: string,
  opts: { root?: string; now?: () => number } = {},
): (() => MemorySample | undefined) | undefined {
  const now = opts.now ?? Date.now;
  const layout = findLayout(containerId, opts.root ?? CGROUP_ROOT);
  if (!layout) return undefined;
  return () => {
    try {
      const usage = readNumber(layout.usageFile);
      const stat = readFileSync(layout.statFile, 'utf8');
      const inactiveFile =
        (layout.version === 1 ? statValue(stat, 'total_inactive_file') : statValue(stat, 'inactive_file')) ??
        0;
      const limit = readNumber(layout.limitFile);
      const sample: MemorySample = {
        t: now(),
        usageBytes: usage,
        inactiveFileBytes: inactiveFile,
        workingSetBytes: Math.max(0, usage - (inactiveFile < usage ? inactiveFile : 0)),
        engineLimitBytes: Number.isFinite(limit) ? limit : 0,
        source: 'cgroup',
      };
      if (layout.maxUsageFile) sample.kernelMaxUsageBytes = readNumber(layout.maxUsageFile);
      return sample;
    } catch {
      return undefined; // container gone
    }
  };
}
