/**
 * Console progress for long phases (boot, bursts, upgrade steps): one plain line per change of
 * state, never a spinner, carriage return or escape code, so CI logs stay readable. Lines go
 * through the harness logger (stderr, `[elapsed] component: message`).
 *
 *   const boot = progressLine('stack:boot');
 *   boot.update('3 of 19 services ready');   // printed
 *   boot.update('3 of 19 services ready');   // same state: nothing
 *   boot.done('19 of 19 services ready after 21s');
 *
 * States that change all the time (events fired) pass `minIntervalMs`: a new state is printed at
 * most that often, and the latest one is always printed by done().
 */
import { createLogger } from './log.ts';

export interface ProgressLine {
  /** Report the current state (one line of text). Printed when it differs from the last printed. */
  update(state: string): void;
  /** Print the latest state if it is still unprinted, then `final` when given. Later updates are ignored. */
  done(final?: string): void;
}

export interface ProgressOptions {
  /** Minimum time between two printed lines (ms); 0 prints every change. Default 0. */
  minIntervalMs?: number;
  /** Where a line goes (default: the harness logger of the component, on stderr). */
  write?: (line: string) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** A progress line for one phase; `component` names it in the log (e.g. 'stack:boot', 'burst'). */
export function progressLine(component: string, opts: ProgressOptions = {}): ProgressLine {
  const write = opts.write ?? ((line: string) => createLogger(component).info(line));
  const now = opts.now ?? (() => performance.now());
  const minInterval = opts.minIntervalMs ?? 0;
  let printed: string | undefined;
  let latest: string | undefined;
  let printedAt = Number.NEGATIVE_INFINITY;
  let finished = false;
  const print = (state: string) => {
    write(state);
    printed = state;
    printedAt = now();
  };
  return {
    update(state) {
      if (finished) return;
      latest = state;
      if (state === printed) return;
      if (now() - printedAt >= minInterval) print(state);
    },
    done(final) {
      if (finished) return;
      finished = true;
      if (latest !== undefined && latest !== printed) print(latest);
      if (final !== undefined) write(final);
    },
  };
}

export interface BurstCounts {
  /** Events the mock HA has fired so far. */
  fired: number;
  /** Events found stored in InfluxDB so far (undefined: not counted yet). */
  stored?: number | undefined;
  /** Events planned for the burst (undefined: open-ended). */
  planned?: number | undefined;
}

/** `fired 2,500 of 5,000 (50%), stored 2,310`: the text a burst's progress line shows. */
export function formatBurst(c: BurstCounts): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const fired =
    c.planned !== undefined && c.planned > 0
      ? `fired ${n(c.fired)} of ${n(c.planned)} (${Math.floor((100 * c.fired) / c.planned)}%)`
      : `fired ${n(c.fired)}`;
  return c.stored === undefined ? fired : `${fired}, stored ${n(c.stored)}`;
}

/**
 * Progress of a burst: call update() with the counts whenever they are known (every tick is fine);
 * a line is printed at most every `minIntervalMs` (default 2 s) and the final counts by done().
 */
export function burstProgress(
  label: string,
  opts: ProgressOptions = {},
): { update(c: BurstCounts): void; done(c?: BurstCounts, final?: string): void } {
  const line = progressLine('burst', { minIntervalMs: 2_000, ...opts });
  return {
    update: (c) => line.update(`${label}: ${formatBurst(c)}`),
    done: (c, final) => {
      if (c) line.update(`${label}: ${formatBurst(c)}`);
      line.done(final);
    },
  };
}
