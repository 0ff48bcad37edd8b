/**
 * Messages between the benchmark's driver (harness/bench/mock-ha.ts) and its child processes:
 * the servers under comparison (mock-server.ts, plain-server.ts) and one subscriber each
 * (subscriber.ts). Every server and subscriber is a process of its own, so that process CPU
 * time and RSS are the server's alone.
 */
import { usageError } from '../../cli/args.ts';

/** Server -> driver once listening. */
export interface ServerReady {
  type: 'ready';
  wsUrl: string;
  token: string;
  /** Control API (mock servers only): base URL and token. */
  url: string | null;
  controlToken: string | null;
}

/** Driver -> server: run a steady open-model scenario. */
export interface RunRequest {
  type: 'run';
  rate: number;
  durationS: number;
}

export interface LatenessMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Server -> driver when the run is over (all events handed to the socket). */
export interface RunDone {
  type: 'ran';
  runId: string | null;
  count: number;
  achievedRate: number | null;
  rateErrorPct: number | null;
  /** Scheduler lateness: sent time minus intended time per event, ms. */
  lateness: LatenessMs | null;
}

/** Server -> driver: its own process usage (process.cpuUsage, process.memoryUsage). */
export interface Usage {
  type: 'usage';
  cpuUs: number;
  rss: number;
  heapUsed: number;
  external: number;
}

/** Subscriber -> driver. */
export interface SubscriberCounts {
  type: 'counts';
  events: number;
  frames: number;
  /** FNV-1a over the context ids received since the last reset, in arrival order (hex). */
  hash: string;
  /** Receive time minus the event's time_fired (= intended time), ms, since the last reset. */
  lagP50: number | null;
  lagP99: number | null;
  lagMax: number | null;
}

/** FNV-1a (32-bit) folded over strings: the same function on both sides of the ledger check. */
export function fnv1a(h: number, s: string): number {
  let x = h;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}
export const FNV_START = 0x811c9dc5;

/**
 * The positional arguments of a child role (mock-server, plain-server, subscriber). Roles are
 * started by the driver with an IPC channel: `--help` prints the usage (exit 0); a flag, a
 * missing argument or a start without the IPC channel is refused in one line (exit 2).
 */
export function roleArgs(role: string, usage: string, count: number, args: string[]): string[] {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${usage}\n(a child process of npm run bench:mock-ha, which starts it)\n`);
    process.exit(0);
  }
  const flag = args.find((a) => a.startsWith('-'));
  if (flag !== undefined)
    usageError(role, `unknown flag ${flag}: expected only positional arguments (${usage})`);
  if (args.length < count) usageError(role, `expected ${count} arguments, got ${args.length} (${usage})`);
  if (!process.send) usageError(role, 'no IPC channel: this is a child process of npm run bench:mock-ha');
  return args;
}

/** This process's CPU time (user + system, µs) and memory (bytes), as a server answers `usage`. */
export function processUsage(): Usage {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    type: 'usage',
    cpuUs: cpu.user + cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external,
  };
}
