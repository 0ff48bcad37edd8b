/**
 * Who owns a Docker resource. Every container, network and volume the harness creates carries
 * the identity of the run that created it (labels beside com.homeiq.harness=1):
 *
 *   com.homeiq.owner.host   os.hostname() of the machine the run's process lives on
 *   com.homeiq.owner.pid    pid of the run's root process (the test runner, or a CLI)
 *   com.homeiq.owner.start  that process's start time (`<boot id>:<clock ticks>` on Linux), so a
 *                           reused pid is told apart from the owner
 *   com.homeiq.owner.run    the run id (HOMEIQ_RUN_ID, or a random one)
 *
 * The root of a run is the first process that asks for the identity (the test runner's global
 * setup, or a CLI); it passes the identity to its children in HOMEIQ_RUN_OWNER, so a test worker
 * labels with the runner's identity, not its own. An owner is gone when its pid is dead or now
 * belongs to a process that started at another time (harness/docker/stale.ts sweeps those).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const HARNESS_LABEL = 'com.homeiq.harness';
export const OWNER_LABELS = {
  host: 'com.homeiq.owner.host',
  pid: 'com.homeiq.owner.pid',
  start: 'com.homeiq.owner.start',
  run: 'com.homeiq.owner.run',
} as const;

/** The variable a run's root passes its identity to its children in (JSON of RunOwner). */
export const OWNER_ENV = 'HOMEIQ_RUN_OWNER';

export interface RunOwner {
  host: string;
  pid: number;
  /** Start time of `pid` as processStartTime() gives it; '' when it cannot be read. */
  start: string;
  run: string;
}

let bootId: string | undefined;

/**
 * Start time of a process, comparable across calls: `<boot id prefix>:<start ticks>` from
 * /proc on Linux, `ps -o lstart=` elsewhere. undefined when the process does not exist.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the command name, which may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    return `${bootId}:${fields[19]}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') return undefined;
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

function parseOwner(text: string | undefined): RunOwner | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as Partial<RunOwner>;
    if (
      typeof o.host === 'string' &&
      typeof o.pid === 'number' &&
      typeof o.start === 'string' &&
      typeof o.run === 'string'
    )
      return { host: o.host, pid: o.pid, start: o.start, run: o.run };
  } catch {
    // not ours: this process becomes a root
  }
  return undefined;
}

let owner: RunOwner | undefined;

/**
 * Start the run's reaper (harness/docker/reaper.ts), a detached process that outlives this one:
 * when this process ends by any means (SIGKILL included), it removes what the run left. It
 * learns of the end from its stdin closing. HOMEIQ_REAPER=off: no reaper (preflight's sweep
 * of the next run still removes what is left).
 */
function startReaper(o: RunOwner): void {
  if (process.env.HOMEIQ_REAPER === 'off') return;
  const child = spawn(process.execPath, [join(import.meta.dirname, 'reaper.ts'), JSON.stringify(o)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, [OWNER_ENV]: '' },
  });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  // Neither the child nor the pipe keeps this process alive; the pipe closes when it exits.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

/**
 * The identity of the run this process belongs to: inherited from HOMEIQ_RUN_OWNER, or this
 * process becomes the root of a new run (and exports it to its children).
 */
export function runOwner(): RunOwner {
  if (owner) return owner;
  const inherited = parseOwner(process.env[OWNER_ENV]);
  if (inherited) {
    owner = inherited;
    return owner;
  }
  const run =
    process.env.HOMEIQ_RUN_ID?.trim() || `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  owner = { host: hostname(), pid: process.pid, start: processStartTime(process.pid) ?? '', run };
  process.env[OWNER_ENV] = JSON.stringify(owner);
  startReaper(owner);
  return owner;
}

/** The labels every resource the harness creates carries: com.homeiq.harness=1 and the owner's. */
export function ownerLabels(o: RunOwner = runOwner()): Record<string, string> {
  return {
    [HARNESS_LABEL]: '1',
    [OWNER_LABELS.host]: o.host,
    [OWNER_LABELS.pid]: String(o.pid),
    [OWNER_LABELS.start]: o.start,
    [OWNER_LABELS.run]: o.run,
  };
}

/** The owner a resource's labels name; undefined when it carries none (made by an older harness). */
export function ownerOf(labels: Record<string, string> | undefined): RunOwner | undefined {
  const pid = Number(labels?.[OWNER_LABELS.pid]);
  const host = labels?.[OWNER_LABELS.host];
  if (!labels || !host || !Number.isInteger(pid) || pid <= 0) return undefined;
  return { host, pid, start: labels[OWNER_LABELS.start] ?? '', run: labels[OWNER_LABELS.run] ?? '' };
}

export type Liveness = 'alive' | 'gone' | 'elsewhere';

/**
 * Is the owner still running? `gone`: its pid is dead, or belongs to a process started at
 * another time (a reused pid). `elsewhere`: it lives on another host, so this one cannot tell.
 */
export function ownerLiveness(o: RunOwner, host = hostname()): Liveness {
  if (o.host !== host) return 'elsewhere';
  const start = processStartTime(o.pid);
  if (start === undefined) return 'gone';
  return o.start !== '' && start !== o.start ? 'gone' : 'alive';
}

/** `run-x (pid 123 on host)`, for messages. */
export const describeOwner = (o: RunOwner) => `${o.run || '(no run id)'} (pid ${o.pid} on ${o.host})`;
