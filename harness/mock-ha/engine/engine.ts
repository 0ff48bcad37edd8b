/**
 * The synthetic event engine: runs scenarios (one at a time) against the world, publishes
 * every change, and keeps a ledger per run. Single events fired outside a scenario (control
 * API, REST writes) go to the ledger of run `manual`.
 */
import { MockHaError, quote } from '../errors.ts';
import type { StateChange, World } from '../home/world.ts';
import type { Attributes } from '../protocol/types.ts';
import { pyLen, validEntityId, validState } from '../protocol/validation.ts';
import type { MockClock } from './clock.ts';
import { Ledger, type LedgerStats } from './ledger.ts';
import { PacedRunner } from './runner.ts';
import { checkReplayDuration, type ScenarioSpec, scheduleFor, validateScenario } from './schedule.ts';
import { loadTrace, parseTrace, type TraceEntry } from './trace.ts';

export type RunState = 'running' | 'finished' | 'stopped';

export interface RunInfo {
  run_id: string;
  kind: ScenarioSpec['kind'] | 'manual';
  /** The scenario as requested (an inline trace is summarised by its length). */
  spec: Record<string, unknown>;
  seed: number;
  state: RunState;
  started_at: number;
  finished_at: number | null;
}

export interface RunReport extends RunInfo, LedgerStats {}

interface Run {
  info: RunInfo;
  ledger: Ledger;
  runner: PacedRunner | null;
  ended: Promise<RunInfo>;
  resolveEnded: (info: RunInfo) => void;
}

export interface EngineDeps {
  clock: MockClock;
  world: () => World;
  publish: (change: StateChange) => void;
  flush: () => void;
  /** How many finished runs to keep (their ledgers) besides `manual` (default 5; 48 bytes per event, bounded memory: see ledger.ts). */
  keepRuns?: number;
  /** Shortest interval between two wake-ups of a run's scheduler, ms (0 = every due event; see runner.ts). */
  minTickMs?: number;
}

export const MANUAL_RUN = 'manual';

export class EventEngine {
  readonly #deps: EngineDeps;
  readonly #runs = new Map<string, Run>();
  #current: Run | null = null;
  #counter = 0;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  #newRun(runId: string, kind: RunInfo['kind'], spec: Record<string, unknown>): Run {
    let resolveEnded: (info: RunInfo) => void = () => {};
    const ended = new Promise<RunInfo>((r) => {
      resolveEnded = r;
    });
    const run: Run = {
      info: {
        run_id: runId,
        kind,
        spec,
        seed: this.#deps.world().home.seed,
        state: 'running',
        started_at: this.#deps.clock.now(),
        finished_at: null,
      },
      ledger: new Ledger(),
      runner: null,
      ended,
      resolveEnded,
    };
    this.#runs.set(runId, run);
    const keep = this.#deps.keepRuns ?? 5;
    const finished = [...this.#runs.values()].filter(
      (r) => r.info.run_id !== MANUAL_RUN && r.info.state !== 'running',
    );
    for (const old of finished.slice(0, Math.max(0, finished.length - keep))) {
      this.#runs.delete(old.info.run_id);
      old.ledger.dispose();
    }
    return run;
  }

  #manual(): Run {
    return this.#runs.get(MANUAL_RUN) ?? this.#newRun(MANUAL_RUN, 'manual', {});
  }

  get current(): RunInfo | null {
    return this.#current?.info ?? null;
  }

  start(spec: ScenarioSpec): RunInfo {
    if (this.#current) {
      throw new MockHaError(
        'scenario_running',
        `scenario ${this.#current.info.run_id} is still running; stop it first`,
      );
    }
    validateScenario(spec);
    let trace: TraceEntry[] | null = null;
    if (spec.kind === 'replay')
      trace =
        typeof spec.trace === 'string'
          ? loadTrace(spec.trace)
          : parseTrace(spec.trace.map((e) => JSON.stringify(e) ?? 'null').join('\n'), 'inline trace');
    if (spec.kind === 'replay' && trace) checkReplayDuration(trace, spec.speed ?? 1, spec.loop ?? false);
    const shown =
      spec.kind === 'replay' && typeof spec.trace !== 'string'
        ? { ...spec, trace: `inline (${spec.trace.length} entries)` }
        : { ...spec };
    const run = this.#newRun(`run-${++this.#counter}`, spec.kind, shown);
    const { clock, publish, flush } = this.#deps;
    let batchStart = 0;
    const runner = new PacedRunner(
      scheduleFor(spec, trace),
      clock,
      {
        fire: (due, intended) => {
          const world = this.#deps.world();
          let change: StateChange | null;
          if (due.replay) {
            const r = due.replay;
            const attrs = r.attributes ?? world.get(r.entity_id)?.attributes ?? {};
            change = world.set(r.entity_id, r.state, attrs, intended, true);
          } else {
            change = world.next(intended);
          }
          if (!change) return;
          publish(change);
          run.ledger.append(change.contextId, change.entityId, intended, Number.NaN);
        },
        batchDone: () => {
          flush();
          run.ledger.markSent(batchStart, run.ledger.length, clock.now());
          batchStart = run.ledger.length;
        },
        done: (reason) => {
          run.ledger.seal();
          run.info.state = reason;
          run.info.finished_at = clock.now();
          if (this.#current === run) this.#current = null;
          run.resolveEnded(run.info);
        },
      },
      { minTickMs: this.#deps.minTickMs ?? 0 },
    );
    run.runner = runner;
    this.#current = run;
    runner.start();
    run.info.started_at = runner.t0;
    return run.info;
  }

  stop(): RunInfo | null {
    const run = this.#current;
    if (!run) return null;
    run.runner?.stop();
    return run.info;
  }

  /** Resolves when the run finishes or is stopped. */
  ended(runId: string): Promise<RunInfo> {
    const run = this.#runs.get(runId);
    if (!run)
      throw new MockHaError(
        'unknown_run',
        `no run ${quote(runId)}; known: ${[...this.#runs.keys()].join(', ')}`,
      );
    return run.ended;
  }

  /** Fires one state change now (random entity unless given) and records it in run `manual`. */
  fire(opts: { entity_id?: string; state?: string; attributes?: Attributes } = {}): StateChange {
    const world = this.#deps.world();
    const now = this.#deps.clock.now();
    let change: StateChange | null;
    if (opts.entity_id === undefined) change = world.next(now);
    else {
      if (!validEntityId(opts.entity_id))
        throw new MockHaError(
          'invalid_config',
          `"entity_id" ${quote(opts.entity_id)} is not a valid HA entity id`,
        );
      if (opts.state !== undefined && !validState(opts.state))
        throw new MockHaError(
          'invalid_config',
          `"state" has ${pyLen(opts.state)} characters; HA allows at most 255`,
        );
      const cur = world.get(opts.entity_id);
      if (!cur && opts.state === undefined) {
        throw new MockHaError(
          'unknown_entity',
          `entity ${quote(opts.entity_id)} does not exist; give a "state" to create it`,
        );
      }
      change = world.set(
        opts.entity_id,
        opts.state ?? cur?.state ?? '',
        opts.attributes ?? cur?.attributes ?? {},
        now,
        true,
      );
    }
    if (!change) throw new MockHaError('unknown_entity', `no change for ${quote(opts.entity_id)}`);
    this.recordExternal(change);
    return change;
  }

  /** Publishes a change that did not come from a scenario and records it in run `manual`. */
  recordExternal(change: StateChange): void {
    const run = this.#manual();
    this.#deps.publish(change);
    this.#deps.flush();
    run.ledger.append(change.contextId, change.entityId, change.epochMs, this.#deps.clock.now());
  }

  ledger(runId: string): Ledger {
    const run = this.#runs.get(runId);
    if (!run)
      throw new MockHaError(
        'unknown_run',
        `no run ${quote(runId)}; known: ${[...this.#runs.keys()].join(', ')}`,
      );
    return run.ledger;
  }

  report(runId: string): RunReport {
    const run = this.#runs.get(runId);
    if (!run)
      throw new MockHaError(
        'unknown_run',
        `no run ${quote(runId)}; known: ${[...this.#runs.keys()].join(', ')}`,
      );
    return { ...run.info, ...run.ledger.stats() };
  }

  runs(): RunInfo[] {
    return [...this.#runs.values()].map((r) => r.info);
  }

  /** The run most recently started (not `manual`), if any. */
  latest(): RunInfo | null {
    const all = this.runs().filter((r) => r.run_id !== MANUAL_RUN);
    return all[all.length - 1] ?? null;
  }
}
