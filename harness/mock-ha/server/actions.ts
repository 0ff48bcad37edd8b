/**
 * What clients do to the home, as HA does it, whichever API they come through (websocket or
 * REST): call a service, fire an event, remove a state. Every call and every fired event is
 * recorded (bounded, newest kept) so that a suite can assert that an action reached Home Assistant.
 */
import type { MockClock } from '../engine/clock.ts';
import type { EventEngine } from '../engine/engine.ts';
import { planServiceCall } from '../home/services.ts';
import type { World } from '../home/world.ts';
import { haIsoTime } from '../protocol/messages.ts';
import type { HaContext, HaState } from '../protocol/types.ts';
import type { EventBus } from './bus.ts';

/** The user every accepted token belongs to (HA puts it into each context a client causes). */
export const MOCK_USER_ID = '5a3bb7e6c1f94ad1b2c3d4e5f6a7b8c9';
/** How many service calls and fired events are kept for verification. */
export const ACTION_LOG_LIMIT = 10_000;

export type Via = 'websocket' | 'rest';

export interface ServiceCallRecord {
  seq: number;
  /** Epoch ms when the call was handled. */
  time: number;
  via: Via;
  domain: string;
  service: string;
  /** Service data as validated (target keys merged in). */
  service_data: Record<string, unknown>;
  /** Entities the call acted on. */
  entity_ids: string[];
  /** Entities whose state changed (a state_changed was fired for each). */
  changed: string[];
  context_id: string;
}

export interface FiredEventRecord {
  seq: number;
  time: number;
  via: Via;
  event_type: string;
  event_data: Record<string, unknown>;
  context_id: string;
}

export interface ActionDeps {
  world: () => World;
  clock: MockClock;
  bus: EventBus;
  engine: EventEngine;
}

class BoundedLog<T> {
  readonly #items: T[] = [];
  #total = 0;
  push(item: T): void {
    this.#items.push(item);
    this.#total++;
    if (this.#items.length > ACTION_LOG_LIMIT) this.#items.splice(0, this.#items.length - ACTION_LOG_LIMIT);
  }
  get total(): number {
    return this.#total;
  }
  list(): T[] {
    return [...this.#items];
  }
}

export class Actions {
  readonly #deps: ActionDeps;
  readonly calls = new BoundedLog<ServiceCallRecord>();
  readonly events = new BoundedLog<FiredEventRecord>();

  constructor(deps: ActionDeps) {
    this.#deps = deps;
  }

  #context(now: number): HaContext {
    return this.#deps.world().newContext(now, MOCK_USER_ID);
  }

  /**
   * Calls a service (blocking, as HA's websocket and REST APIs do).
   * @returns the context and the states that changed.
   * @throws ServiceCallError (not_found | invalid_format) before anything changes.
   */
  callService(
    via: Via,
    domain: string,
    service: string,
    serviceData: unknown,
    target: unknown,
  ): { context: HaContext; changed: HaState[] } {
    const world = this.#deps.world();
    const plan = planServiceCall(
      world.home,
      { get: (id) => world.get(id), ids: () => [...world.states()].map((s) => s.entity_id) },
      domain,
      service,
      serviceData,
      target,
    );
    const now = this.#deps.clock.now();
    const context = this.#context(now);
    const changed: HaState[] = [];
    for (const w of plan.writes) {
      const change = world.set(w.entityId, w.state, w.attributes, now, false, context);
      if (!change) continue;
      this.#deps.engine.recordExternal(change);
      if (change.newState) changed.push(change.newState);
    }
    this.calls.push({
      seq: this.calls.total + 1,
      time: now,
      via,
      domain,
      service,
      service_data: { ...plan.data },
      entity_ids: plan.entityIds,
      changed: changed.map((s) => s.entity_id),
      context_id: context.id,
    });
    return { context, changed };
  }

  /** Fires a custom event to `subscribe_events` subscribers (all events or this type). */
  fireEvent(via: Via, eventType: string, eventData: Record<string, unknown> | null): HaContext {
    const now = this.#deps.clock.now();
    const context = this.#context(now);
    const data = eventData ?? {};
    this.#deps.bus.publishEvent(eventType, {
      event_type: eventType,
      data,
      origin: via === 'rest' ? 'REMOTE' : 'LOCAL',
      time_fired: haIsoTime(now),
      context,
    });
    this.#deps.bus.flush();
    this.events.push({
      seq: this.events.total + 1,
      time: now,
      via,
      event_type: eventType,
      event_data: data,
      context_id: context.id,
    });
    return context;
  }

  /** Writes a state as REST `POST /api/states/<id>` does (the caller's context). Null: nothing changed. */
  setState(entityId: string, state: string, attributes: Record<string, unknown>, force: boolean) {
    const now = this.#deps.clock.now();
    const change = this.#deps.world().set(entityId, state, attributes, now, force, this.#context(now));
    if (change) this.#deps.engine.recordExternal(change);
    return change;
  }

  /** Removes a state (fires state_changed with new_state null). False when there is none. */
  removeState(entityId: string): boolean {
    const now = this.#deps.clock.now();
    // HA's REST removal passes no context: the event's context has no user.
    const change = this.#deps.world().remove(entityId, now);
    if (!change) return false;
    this.#deps.engine.recordExternal(change);
    return true;
  }

  /** `{calls, events}` newest last, with totals (older entries beyond ACTION_LOG_LIMIT are dropped). */
  log() {
    return {
      calls_total: this.calls.total,
      events_total: this.events.total,
      calls: this.calls.list(),
      events: this.events.list(),
    };
  }
}
