/**
 * Paces a schedule in real time (open model): event i is fired at t0 + offset_i whatever the
 * consumers do. Every wake-up fires all events that are due (each keeps its own intended
 * time), so setTimeout's ~1 ms granularity costs at most ~1 ms of lateness, not rate.
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
  #t0 = 0;
  #next: DueEvent | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #over = false;

  constructor(schedule: Iterator<DueEvent>, clock: MockClock, hooks: RunnerHooks, maxBatch = 2000) {
    this.#schedule = schedule;
    this.#clock = clock;
    this.#hooks = hooks;
    this.#maxBatch = maxBatch;
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
    let fired = 0;
    while (this.#next && fired < this.#maxBatch) {
      const due = this.#t0 + this.#next.offsetMs;
      if (due > this.#clock.now()) break;
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
    const wait = this.#t0 + this.#next.offsetMs - this.#clock.now();
    this.#timer = setTimeout(this.#tick, Math.max(0, Math.floor(wait)));
  };
}
