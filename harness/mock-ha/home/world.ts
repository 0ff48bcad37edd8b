/**
 * The live state of the synthetic home. Applies state writes with HA's rules (last_changed
 * moves only when `state` changes, last_updated on any change, old_state chaining, ULID
 * context ids) and produces the synthetic changes of the event engine.
 */
import { haIsoTime, newContext, stateChangedEventJson, stateJson } from '../protocol/messages.ts';
import type { Attributes, HaContext, HaState } from '../protocol/types.ts';
import { type EntitySpec, initialState, nextState } from './domains.ts';
import { changeWeights, type HomeDefinition, type HomeEntity } from './home.ts';
import { Rng } from './rng.ts';

export interface StateChange {
  entityId: string;
  contextId: string;
  /** Epoch ms the change happened at (the intended time for scheduled events). */
  epochMs: number;
  timeFired: string;
  context: HaContext;
  oldState: HaState | null;
  newState: HaState | null;
  /** The state_changed event as JSON, built once (from the states' cached JSON) and cached. */
  eventJson(): string;
  /** The same as UTF-8 bytes (cached). */
  eventBuffer(): Buffer;
}

/**
 * One state change. A class rather than an object of closures: the engine makes one per event,
 * and its event JSON is assembled only when asked (once), from the states' cached JSON strings.
 */
class Change implements StateChange {
  readonly entityId: string;
  readonly epochMs: number;
  readonly timeFired: string;
  readonly context: HaContext;
  readonly oldState: HaState | null;
  readonly newState: HaState | null;
  readonly #oldJson: string | null;
  readonly #newJson: string | null;
  #json: string | undefined;
  #buffer: Buffer | undefined;
  constructor(
    entityId: string,
    epochMs: number,
    timeFired: string,
    context: HaContext,
    oldState: HaState | null,
    newState: HaState | null,
    oldJson: string | null,
    newJson: string | null,
  ) {
    this.entityId = entityId;
    this.epochMs = epochMs;
    this.timeFired = timeFired;
    this.context = context;
    this.oldState = oldState;
    this.newState = newState;
    this.#oldJson = oldJson;
    this.#newJson = newJson;
  }
  get contextId(): string {
    return this.context.id;
  }
  eventJson(): string {
    this.#json ??= stateChangedEventJson(
      this.entityId,
      this.#oldJson,
      this.#newJson,
      this.timeFired,
      this.context,
    );
    return this.#json;
  }
  eventBuffer(): Buffer {
    this.#buffer ??= Buffer.from(this.eventJson());
    return this.#buffer;
  }
}

const sameAttributes = (a: Attributes, b: Attributes) => a === b || JSON.stringify(a) === JSON.stringify(b);

export interface WorldOptions {
  /**
   * Plausible minimum gap between two synthetic changes of one entity, ms (0: none). A real
   * sensor does not report twice in a millisecond; InfluxDB keeps one point per series and
   * millisecond, so without a gap a fast schedule on a small home overwrites its own events.
   * next() skips entities changed less than this long before; when every entity is that recent
   * (rate > entities / gap) it takes the least recently changed one and counts a gap violation.
   */
  minGapMs?: number;
}

/** The largest minimum gap per entity, ms: one rule for the control API and HOMEIQ_MIN_GAP_MS. */
export const MAX_MIN_GAP_MS = 60_000;

export class World {
  readonly home: HomeDefinition;
  readonly minGapMs: number;
  /** Synthetic changes that had to break the minimum gap (the home is too small for the rate). */
  gapViolations = 0;
  /** Epoch ms of each entity's last change (intended time for scheduled ones). */
  readonly #lastChangeMs = new Map<string, number>();
  readonly #states = new Map<string, HaState>();
  /** JSON of every current state (the next event's old_state is the last new_state). */
  readonly #json = new Map<string, string>();
  readonly #specs = new Map<string, EntitySpec>();
  readonly #rng: Rng;
  #pickable: HomeEntity[];
  #weights: Float64Array;

  constructor(home: HomeDefinition, loadEpochMs: number, opts: WorldOptions = {}) {
    this.home = home;
    this.minGapMs = opts.minGapMs ?? 0;
    this.#rng = new Rng((home.seed ^ 0x5eed) >>> 0);
    const initRng = new Rng((home.seed ^ 0x1417) >>> 0);
    for (const e of home.entities) {
      this.#specs.set(e.entity_id, e);
      const v = initialState(initRng, e);
      const iso = haIsoTime(loadEpochMs);
      this.#put({
        entity_id: e.entity_id,
        state: v.state,
        attributes: v.attributes,
        last_changed: iso,
        last_reported: iso,
        last_updated: iso,
        context: newContext(initRng.ulid(loadEpochMs)),
      });
    }
    this.#pickable = home.entities;
    this.#weights = changeWeights(home.entities);
  }

  get size(): number {
    return this.#states.size;
  }
  states(): IterableIterator<HaState> {
    return this.#states.values();
  }
  get(entityId: string): HaState | undefined {
    return this.#states.get(entityId);
  }
  has(entityId: string): boolean {
    return this.#states.has(entityId);
  }

  #put(s: HaState) {
    this.#states.set(s.entity_id, s);
    this.#json.set(s.entity_id, stateJson(s));
  }

  #change(
    entityId: string,
    oldState: HaState | null,
    newState: HaState | null,
    epochMs: number,
    ctx: HaContext,
  ) {
    const oldJson = oldState ? (this.#json.get(entityId) ?? stateJson(oldState)) : null;
    if (newState) this.#put(newState);
    else {
      this.#states.delete(entityId);
      this.#json.delete(entityId);
    }
    const newJson = newState ? (this.#json.get(entityId) as string) : null;
    this.#lastChangeMs.set(entityId, epochMs);
    return new Change(entityId, epochMs, haIsoTime(epochMs), ctx, oldState, newState, oldJson, newJson);
  }

  /**
   * Writes a state like `hass.states.async_set`. Returns null when neither the state nor the
   * attributes changed (HA fires no state_changed then), unless `force` is set.
   */
  set(
    entityId: string,
    state: string,
    attributes: Attributes,
    epochMs: number,
    force = false,
    context?: HaContext,
  ): StateChange | null {
    const old = this.#states.get(entityId) ?? null;
    const stateChanged = old === null || old.state !== state;
    if (!stateChanged && !force && old && sameAttributes(old.attributes, attributes)) return null;
    const iso = haIsoTime(epochMs);
    const ctx = context ?? newContext(this.#rng.ulid(epochMs));
    const next: HaState = {
      entity_id: entityId,
      state,
      attributes,
      last_changed: stateChanged || !old ? iso : old.last_changed,
      last_reported: iso,
      last_updated: iso,
      context: ctx,
    };
    return this.#change(entityId, old, next, epochMs, ctx);
  }

  remove(entityId: string, epochMs: number, context?: HaContext): StateChange | null {
    const old = this.#states.get(entityId);
    if (!old) return null;
    return this.#change(entityId, old, null, epochMs, context ?? newContext(this.#rng.ulid(epochMs)));
  }

  /** A new context (ULID from the world's seeded generator), e.g. for a service call. */
  newContext(epochMs: number, userId: string | null = null): HaContext {
    return { id: this.#rng.ulid(epochMs), parent_id: null, user_id: userId };
  }

  /** Registers an entity that synthetic changes may pick from now on. */
  addEntity(entity: HomeEntity, epochMs: number): StateChange | null {
    this.#specs.set(entity.entity_id, entity);
    this.#pickable = [...this.#pickable, entity];
    this.#weights = changeWeights(this.#pickable);
    const v = initialState(this.#rng, entity);
    return this.set(entity.entity_id, v.state, v.attributes, epochMs, true);
  }

  /** Stops an entity from being picked and removes its state. */
  removeEntity(entityId: string, epochMs: number): StateChange | null {
    this.#pickable = this.#pickable.filter((e) => e.entity_id !== entityId);
    this.#weights = changeWeights(this.#pickable);
    this.#specs.delete(entityId);
    return this.remove(entityId, epochMs);
  }

  #pick(): HomeEntity {
    const total = this.#weights[this.#weights.length - 1] ?? 0;
    const x = this.#rng.float() * total;
    let lo = 0;
    let hi = this.#weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#weights[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.#pickable[lo] as HomeEntity;
  }

  /** Changed less than minGapMs before `epochMs`. */
  #recent(entityId: string, epochMs: number): boolean {
    const last = this.#lastChangeMs.get(entityId);
    return last !== undefined && epochMs - last < this.minGapMs;
  }

  /** A weighted pick that honours the minimum gap (see WorldOptions.minGapMs). */
  #pickWithGap(epochMs: number): HomeEntity {
    let entity = this.#pick();
    if (this.minGapMs <= 0) return entity;
    for (let tries = 0; tries < 16 && this.#recent(entity.entity_id, epochMs); tries++) entity = this.#pick();
    if (!this.#recent(entity.entity_id, epochMs)) return entity;
    // Overloaded: the least recently changed entity (first in home order on ties: deterministic).
    let best = entity;
    let bestMs = Number.POSITIVE_INFINITY;
    for (const e of this.#pickable) {
      const last = this.#lastChangeMs.get(e.entity_id) ?? Number.NEGATIVE_INFINITY;
      if (last < bestMs) {
        best = e;
        bestMs = last;
      }
    }
    if (epochMs - bestMs < this.minGapMs) this.gapViolations++;
    return best;
  }

  /** The next synthetic change, deterministic for a given seed and sequence of times. */
  next(epochMs: number): StateChange {
    if (this.#pickable.length === 0) throw new RangeError('the home has no entities to change');
    const entity = this.#pickWithGap(epochMs);
    const cur = this.#states.get(entity.entity_id) as HaState;
    const v = nextState(this.#rng, entity, cur);
    return this.set(entity.entity_id, v.state, v.attributes, epochMs, true) as StateChange;
  }
}
