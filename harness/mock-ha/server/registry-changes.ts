/**
 * Registry changes driven by the control API: create (a new device and entity), update (an
 * entity's name), remove (an entity). Each fires HA's registry events
 * (device_registry_updated / entity_registry_updated) and the matching state change.
 */
import type { MockClock } from '../engine/clock.ts';
import type { EventEngine } from '../engine/engine.ts';
import { MockHaError } from '../errors.ts';
import { type EntityKind, KIND_DOMAIN } from '../home/domains.ts';
import type { HomeEntity } from '../home/home.ts';
import { Rng } from '../home/rng.ts';
import type { World } from '../home/world.ts';
import { haIsoTime, newContext, registryUpdatedEvent } from '../protocol/messages.ts';
import type { EventBus } from './bus.ts';
import { HttpError } from './http-util.ts';

export interface RegistryDeps {
  world: () => World;
  clock: MockClock;
  bus: EventBus;
  engine: EventEngine;
}

export class RegistryChanges {
  readonly #deps: RegistryDeps;
  #rng: Rng;

  constructor(deps: RegistryDeps, seed: number) {
    this.#deps = deps;
    this.#rng = new Rng((seed ^ 0x0e91) >>> 0);
  }

  /** A new home was loaded: ids of added devices follow its seed. */
  reseed(seed: number): void {
    this.#rng = new Rng((seed ^ 0x0e91) >>> 0);
  }

  #fireRegistry(
    eventType: 'device_registry_updated' | 'entity_registry_updated',
    data: Record<string, unknown>,
  ) {
    const now = this.#deps.clock.now();
    this.#deps.bus.publishEvent(
      eventType,
      registryUpdatedEvent(eventType, data, haIsoTime(now), newContext(this.#rng.ulid(now))),
    );
  }

  /** Registry changes: create (new device + entity), update (entity name), remove (entity). */
  apply(body: Record<string, unknown>): Record<string, unknown> {
    const home = this.#deps.world().home;
    const now = this.#deps.clock.now();
    if (body.action === 'create') {
      const kind = (body.kind ?? 'temperature') as EntityKind;
      if (typeof kind !== 'string' || !Object.hasOwn(KIND_DOMAIN, kind))
        throw new HttpError(400, {
          message: `unknown "kind" ${JSON.stringify(kind)}; one of ${Object.keys(KIND_DOMAIN).join('|')}`,
        });
      const area = home.areas.find((a) => a.area_id === body.area_id) ?? home.areas[0] ?? null;
      const rng = this.#rng;
      const entry = home.configEntries[0];
      const deviceId = rng.hex(32);
      const n = home.entities.length + 1;
      const name = typeof body.name === 'string' ? body.name : `Added ${kind} ${n}`;
      const objectId = name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_|_$/g, '');
      let entityId = `${KIND_DOMAIN[kind]}.${objectId}`;
      for (let i = 2; this.#deps.world().has(entityId); i++)
        entityId = `${KIND_DOMAIN[kind]}.${objectId}_${i}`;
      home.devices.push({
        id: deviceId,
        name,
        area_id: area?.area_id ?? null,
        manufacturer: 'Mock',
        model: 'Added device',
        config_entry_id: entry?.entry_id ?? '',
        integration: entry?.domain ?? 'mock',
        identifier: rng.hex(16),
      });
      const entity: HomeEntity = {
        entity_id: entityId,
        kind,
        name,
        original_name: null,
        has_entity_name: true,
        domain: KIND_DOMAIN[kind],
        device_id: deviceId,
        area_id: null,
        platform: entry?.domain ?? 'mock',
        unique_id: `mock-${rng.hex(12)}`,
        registry_id: rng.hex(32),
        config_entry_id: entry?.entry_id ?? null,
        entity_category: null,
      };
      home.entities.push(entity);
      this.#fireRegistry('device_registry_updated', { action: 'create', device_id: deviceId });
      this.#fireRegistry('entity_registry_updated', { action: 'create', entity_id: entityId });
      const change = this.#deps.world().addEntity(entity, now);
      if (change) this.#deps.engine.recordExternal(change);
      this.#deps.bus.flush();
      return { action: 'create', entity_id: entityId, device_id: deviceId };
    }
    const entityId = body.entity_id;
    const entity = home.entities.find((e) => e.entity_id === entityId);
    if (!entity)
      throw new MockHaError(
        'unknown_entity',
        `entity ${JSON.stringify(entityId)} is not in the entity registry`,
      );
    if (body.action === 'update') {
      // A user rename sets the registry's `name`, which HA shows as is (no device prefix).
      const old = entity.registry_name ?? null;
      entity.registry_name = typeof body.name === 'string' ? body.name : `${entity.name} (renamed)`;
      entity.name = entity.registry_name;
      this.#fireRegistry('entity_registry_updated', {
        action: 'update',
        entity_id: entity.entity_id,
        changes: { name: old },
      });
      this.#deps.bus.flush();
      return { action: 'update', entity_id: entity.entity_id, name: entity.name };
    }
    if (body.action === 'remove') {
      home.entities.splice(home.entities.indexOf(entity), 1);
      this.#fireRegistry('entity_registry_updated', { action: 'remove', entity_id: entity.entity_id });
      const change = this.#deps.world().removeEntity(entity.entity_id, now);
      if (change) this.#deps.engine.recordExternal(change);
      this.#deps.bus.flush();
      return { action: 'remove', entity_id: entity.entity_id };
    }
    throw new HttpError(400, {
      message: `"action" must be create|update|remove, got ${JSON.stringify(body.action)}`,
    });
  }
}
