/**
 * The harness's own cost: RSS and CPU of this process (the test process that drives the load,
 * polls InfluxDB and builds the chain of custody) and of its parent (vitest's main process, which
 * collects results), sampled every `intervalMs` from `process.memoryUsage.rss()` /
 * `process.cpuUsage()` and, for the parent, Linux's /proc/<pid>/stat and /proc/<pid>/status.
 */
import { readFileSync } from 'node:fs';

export interface ProcessCost {
  pid: number;
  label: string;
  /** Peak resident set size seen, bytes. */
  peakRssBytes: number;
  /** RSS at the window's first reading, bytes (peak - start: what the window itself added). */
  startRssBytes: number;
  /** CPU time (user + system) over the window, s. */
  cpuSeconds: number;
  /** cpuSeconds / wall seconds: 1.0 = one core fully busy. */
  coreFraction: number;
  /** Highest core fraction over any one interval of the window. */
  peakCoreFraction: number;
  wallSeconds: number;
}

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s.

/** user+system CPU seconds and RSS bytes of another process, from /proc; undefined when unreadable. */
export function procUsage(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    if (!Number.isFinite(utime) || !Number.isFinite(stime) || !Number.isFinite(rssKb)) return undefined;
    return { cpuSeconds: (utime + stime) / CLK_TCK, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

interface Track {
  pid: number;
  label: string;
  read: () => { cpuSeconds: number; rssBytes: number } | undefined;
  /** epoch ms, cumulative CPU s, RSS bytes */
  samples: { t: number; cpu: number; rss: number }[];
}

export interface StartedProcessSampler {
  /** The cost of each sampled process over [fromMs, toMs] (epoch ms; default: everything so far). */
  window(fromMs?: number, toMs?: number): ProcessCost[];
  stop(): void;
}

/** Cost of one process over [fromMs, toMs] from its cumulative samples. Pure. */
export function processWindow(
  track: { pid: number; label: string; samples: readonly { t: number; cpu: number; rss: number }[] },
  fromMs: number,
  toMs: number,
): ProcessCost {
  const inside = track.samples.filter((x) => x.t >= fromMs && x.t <= toMs);
  const first = inside[0];
  const last = inside.at(-1);
  const wall = first && last ? (last.t - first.t) / 1000 : 0;
  const cpu = first && last ? last.cpu - first.cpu : 0;
  let peakFraction = 0;
  for (let i = 1; i < inside.length; i++) {
    const a = inside[i - 1] as { t: number; cpu: number };
    const b = inside[i] as { t: number; cpu: number };
    if (b.t - a.t >= 100) peakFraction = Math.max(peakFraction, (b.cpu - a.cpu) / ((b.t - a.t) / 1000));
  }
  return {
    pid: track.pid,
    label: track.label,
    peakRssBytes: inside.reduce((m, x) => Math.max(m, x.rss), 0),
    startRssBytes: first?.rss ?? 0,
    cpuSeconds: cpu,
    coreFraction: wall > 0 ? cpu / wall : 0,
    peakCoreFraction: peakFraction,
    wallSeconds: wall,
  };
}

/**
 * Samples this process and (when readable) its parent every `intervalMs` until stop().
 * `labels`: names shown in reports (default "test process" / "vitest main process").
 */
export function startProcessSampler(
  opts: { intervalMs?: number; labels?: { self?: string; parent?: string } } = {},
): StartedProcessSampler {
  const self = (): { cpuSeconds: number; rssBytes: number } => {
    const u = process.cpuUsage();
    return { cpuSeconds: (u.user + u.system) / 1e6, rssBytes: process.memoryUsage.rss() };
  };
  const tracks: Track[] = [
    { pid: process.pid, label: opts.labels?.self ?? 'test process', read: self, samples: [] },
  ];
  if (process.ppid > 1 && procUsage(process.ppid))
    tracks.push({
      pid: process.ppid,
      label: opts.labels?.parent ?? 'vitest main process',
      read: () => procUsage(process.ppid),
      samples: [],
    });
  const tick = () => {
    const t = Date.now();
    for (const k of tracks) {
      const u = k.read();
      if (u) k.samples.push({ t, cpu: u.cpuSeconds, rss: u.rssBytes });
    }
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs ?? 500);
  timer.unref();
  return {
    window: (fromMs = 0, toMs = Number.POSITIVE_INFINITY) => {
      tick();
      return tracks.map((k) => processWindow(k, fromMs, toMs));
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}
