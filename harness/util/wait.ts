/**
 * Wait on a condition with a deadline. Never a fixed sleep: the probe is polled until it
 * reports done, and on timeout the error says what was awaited and what was last seen. A wait
 * gives up at once when what it waits for can no longer happen: a probe's `fatal`, or the
 * `abandonWhen` promise (a child that exited, a container that stopped).
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  readonly awaited: string;
  readonly timeoutMs: number;
  readonly lastSeen: string;
  constructor(awaited: string, timeoutMs: number, lastSeen: string) {
    super(`Timed out after ${timeoutMs}ms waiting for ${awaited}; last seen: ${lastSeen}`);
    this.awaited = awaited;
    this.timeoutMs = timeoutMs;
    this.lastSeen = lastSeen;
  }
}

/** What one probe of the condition returned: done, plus a description of what it saw. */
export interface Observation<T> {
  done: boolean;
  value?: T;
  seen: string;
  /** Set when the condition can never be met (e.g. the process being awaited exited): stop now. */
  fatal?: string;
}

export class WaitAbortedError extends Error {
  override readonly name = 'WaitAbortedError';
  readonly awaited: string;
  readonly reason: string;
  constructor(awaited: string, reason: string) {
    super(`Gave up waiting for ${awaited}: ${reason}`);
    this.awaited = awaited;
    this.reason = reason;
  }
}

export interface WaitOptions {
  /** Human description of the awaited condition, e.g. "influxdb /health to pass". */
  what: string;
  timeoutMs: number;
  /** Poll interval; doubles up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /**
   * Resolves (with the reason) when the condition can no longer happen, e.g. `childExit(child)`
   * or `containerStop(container)`: the wait gives up at once with WaitAbortedError, without
   * waiting for the next probe or the deadline. A function gets a signal that is aborted when
   * the wait ends, to release what it holds (e.g. an open Docker wait request).
   */
  abandonWhen?: Promise<string> | ((signal: AbortSignal) => Promise<string>) | undefined;
}

/** Resolves when the child process has exited (with its exit code or signal). */
export function childExit(child: {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(`it exited (${child.exitCode ?? child.signalCode})`);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(`it exited (${code ?? signal})`)),
  );
}

export async function waitFor<T>(probe: () => Promise<Observation<T>>, opts: WaitOptions): Promise<T> {
  if (!opts.abandonWhen) return poll(probe, opts);
  const ended = new AbortController();
  let gaveUp: string | undefined;
  const when = typeof opts.abandonWhen === 'function' ? opts.abandonWhen(ended.signal) : opts.abandonWhen;
  const abandoned = when.then((reason) => {
    gaveUp ??= reason;
    throw new WaitAbortedError(opts.what, reason);
  });
  try {
    // The poll loop stops at its next turn once gaveUp is set; the race answers at once.
    return await Promise.race([poll(probe, { ...opts, stopped: () => gaveUp }), abandoned]);
  } finally {
    gaveUp ??= 'the wait ended';
    ended.abort();
  }
}

async function poll<T>(
  probe: () => Promise<Observation<T>>,
  opts: WaitOptions & { stopped?: () => string | undefined },
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 50;
  const maxInterval = opts.maxIntervalMs ?? 1000;
  let lastSeen = 'nothing yet (no probe completed)';
  for (;;) {
    opts.signal?.throwIfAborted();
    const stopped = opts.stopped?.();
    if (stopped !== undefined) throw new WaitAbortedError(opts.what, stopped);
    try {
      const obs = await probe();
      lastSeen = obs.seen;
      if (obs.done) return obs.value as T;
      if (obs.fatal !== undefined) throw new WaitAbortedError(opts.what, obs.fatal);
    } catch (err) {
      if (err instanceof WaitAbortedError) throw err;
      lastSeen = `error: ${err instanceof Error ? err.message : String(err)}`;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) throw new WaitTimeoutError(opts.what, opts.timeoutMs, lastSeen);
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * 2, maxInterval);
  }
}
