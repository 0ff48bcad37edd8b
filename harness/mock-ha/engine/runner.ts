/**
 * Paces a schedule in real time (open model): event i is fired at t0 + offset_i whatever the
 * consumers do. Every wake-up fires all events that are due (each keeps its own intended
 * time), so setTimeout's ~1 ms granularity costs at most ~1 ms of lateness, not rate.
 *
 * `minTickMs` trades lateness for CPU: every wake-up ends in one socket write per client, and
 * that write (a loopback TCP send wakes the reader) is most of the mock's CPU per event below
 * ~1,000 ev/s (`npm run bench:mock-ha`). 0 (default): wake for every due event (lateness p50
 * under 1 ms, up to ~1,000 writes/s); N: at most one wake-up per N ms, sending all that is due
 * then (lateness up to N ms; at most 1000/N writes/s, like a plain server on an N ms timer).
 * An event due after a quiet spell longer than N ms is still sent on time.
 */
import type { MockClock } from './clock.ts';
import type { DueEvent } from './schedule.ts';

export interface RunnerHooks {
  fire(due: DueEvent, intendedEpochMs: number): void;
  /** After each batch: flush the writers and stamp the batch's sent time. */
  batchDone(): void;
  done(reason: 'finished' | 'stopped'): void;
}

export class PacedRunner {
  readonly #schedule: Iterator<DueEvent>;
  readonly #clock: MockClock;
  readonly #hooks: RunnerHooks;
  readonly #maxBatch: number;
  readonly #minTickMs: number;
  #lastWake = Number.NEGATIVE_INFINITY;
  #t0 = 0;
  #next: DueEvent | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #over = false;

  constructor(
    schedule: Iterator<DueEvent>,
    clock: MockClock,
    hooks: RunnerHooks,
    opts: { maxBatch?: number; minTickMs?: number } = {},
  ) {
    this.#schedule = schedule;
    this.#clock = clock;
    this.#hooks = hooks;
    this.#maxBatch = opts.maxBatch ?? 2000;
    this.#minTickMs = opts.minTickMs ?? 0;
  }

  get t0(): number {
    return this.#t0;
  }

  start(): void {
    this.#t0 = this.#clock.now();
    this.#advance();
    this.#tick();
  }

  stop(): void {
    if (this.#over) return;
    this.#clear();
    this.#end('stopped');
  }

  #advance() {
    const r = this.#schedule.next();
    this.#next = r.done ? undefined : r.value;
  }

  #clear() {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
  }

  #end(reason: 'finished' | 'stopped') {
    this.#over = true;
    this.#hooks.done(reason);
  }

  #tick = (): void => {
    this.#timer = undefined;
    if (this.#over) return;
    this.#lastWake = this.#clock.now();
    let fired = 0;
    let now = this.#lastWake;
    while (this.#next && fired < this.#maxBatch) {
      const due = this.#t0 + this.#next.offsetMs;
      // Read the clock again only when the next event looks not yet due (one read per event otherwise).
      if (due > now) {
        now = this.#clock.now();
        if (due > now) break;
      }
      this.#hooks.fire(this.#next, due);
      fired++;
      this.#advance();
    }
    if (fired > 0) this.#hooks.batchDone();
    if (this.#over) return;
    if (!this.#next) {
      this.#end('finished');
      return;
    }
    if (fired >= this.#maxBatch) {
      // Far behind: yield to I/O before the next batch.
      this.#timer = setImmediate(this.#tick);
      return;
    }
    now = this.#clock.now();
    const dueWait = this.#t0 + this.#next.offsetMs - now;
    const tickWait = this.#lastWake + this.#minTickMs - now;
    // Aim at the due time rounded down (early, then fire what is due), but never wake sooner
    // than minTickMs after the last wake-up (rounded up).
    const wait = tickWait > dueWait ? Math.ceil(tickWait) : Math.floor(dueWait);
    this.#timer = setTimeout(this.#tick, Math.max(0, wait));
  };
}
