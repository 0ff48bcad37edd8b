/**
 * Wait on a condition with a deadline. Never a fixed sleep: the probe is polled until it
 * reports done, and on timeout the error says what was awaited and what was last seen.
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
}

export async function waitFor<T>(probe: () => Promise<Observation<T>>, opts: WaitOptions): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + opts.timeoutMs;
  let interval = opts.intervalMs ?? 50;
  const maxInterval = opts.maxIntervalMs ?? 1000;
  let lastSeen = 'nothing yet (no probe completed)';
  for (;;) {
    opts.signal?.throwIfAborted();
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
