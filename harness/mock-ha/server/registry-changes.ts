/**
 * Registry changes driven by the control API: create (a new device and entity), update (an
 * entity's name), remove (an entity). Each fires HA's registry events
 * (device_registry_updated / entity_registry_updated) and the matching state change.
 */
import type { MockClock } from '../engine/clock.ts';
import type { EventEngine } from '../engine/engine.ts';
import { quote } from '../errors.ts';
import { type EntityKind, KIND_DOMAIN } from '../home/domains.ts';
import type { HomeEntity } from '../home/home.ts';
import { Rng } from '../home/rng.ts';
import type { World } from '../home/world.ts';
import { haIsoTime, newContext, registryUpdatedEvent } from '../protocol/messages.ts';
import { MAX_LENGTH_STATE_ENTITY_ID, own, validEntityId } from '../protocol/validation.ts';
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

  /**
   * Registry changes: create (new device + entity), update (entity name), remove (entity). The
   * body was checked by the control route (fields, types, entity_id given); `route` prefixes
   * the messages.
   */
  apply(body: Record<string, unknown>, route = 'POST /_mock/registry'): Record<string, unknown> {
    const home = this.#deps.world().home;
    const now = this.#deps.clock.now();
    if (own(body, 'action') === 'create') {
      const kindGiven = own(body, 'kind');
      const kind = (kindGiven === undefined ? 'temperature' : kindGiven) as EntityKind;
      if (typeof kind !== 'string' || !Object.hasOwn(KIND_DOMAIN, kind))
        throw new HttpError(400, {
          message: `${route}: "kind" must be one of ${Object.keys(KIND_DOMAIN).join('|')}, got ${quote(kind)}`,
        });
      const areaId = own(body, 'area_id');
      let area = home.areas[0] ?? null;
      if (areaId !== undefined) {
        const found = home.areas.find((a) => a.area_id === areaId);
        if (!found) {
          const known = home.areas.slice(0, 10).map((a) => a.area_id);
          throw new HttpError(400, {
            message: `${route}: "area_id" must be an area of the home (${known.join(', ')}${home.areas.length > 10 ? `, ... ${home.areas.length} areas` : ''}), got ${quote(areaId)}`,
          });
        }
        area = found;
      }
      const rng = this.#rng;
      const entry = home.configEntries[0];
      const deviceId = rng.hex(32);
      const n = home.entities.length + 1;
      const nameGiven = own(body, 'name');
      const name = typeof nameGiven === 'string' ? nameGiven : `Added ${kind} ${n}`;
      const entityId = this.#availableEntityId(KIND_DOMAIN[kind], name);
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
    const entityId = own(body, 'entity_id');
    if (entityId === undefined)
      throw new HttpError(400, { message: `${route}: "entity_id" is required, not given` });
    const entity = home.entities.find((e) => e.entity_id === entityId);
    if (!entity)
      throw new HttpError(404, {
        message: `${route}: entity ${quote(entityId)} is not in the entity registry`,
        code: 'unknown_entity',
      });
    if (own(body, 'action') === 'update') {
      // A user rename sets the registry's `name`, which HA shows as is (no device prefix).
      const old = entity.registry_name ?? null;
      const nameGiven = own(body, 'name');
      entity.registry_name = typeof nameGiven === 'string' ? nameGiven : `${entity.name} (renamed)`;
      entity.name = entity.registry_name;
      this.#fireRegistry('entity_registry_updated', {
        action: 'update',
        entity_id: entity.entity_id,
        changes: { name: old },
      });
      this.#deps.bus.flush();
      return { action: 'update', entity_id: entity.entity_id, name: entity.name };
    }
    if (own(body, 'action') === 'remove') {
      home.entities.splice(home.entities.indexOf(entity), 1);
      this.#fireRegistry('entity_registry_updated', { action: 'remove', entity_id: entity.entity_id });
      const change = this.#deps.world().removeEntity(entity.entity_id, now);
      if (change) this.#deps.engine.recordExternal(change);
      this.#deps.bus.flush();
      return { action: 'remove', entity_id: entity.entity_id };
    }
    throw new HttpError(400, {
      message: `${route}: "action" must be create|update|remove, got ${quote(own(body, 'action'))}`,
    });
  }

  /**
   * HA's entity registry rule (`async_generate_entity_id`): `<domain>.<slug of the name>` cut to
   * 255 characters, `_2`, `_3`, ... appended (within the 255) until free. An empty slug (a name
   * of only punctuation) is HA's DEVICE_DEFAULT_NAME, `unnamed_device`. The result is asserted
   * valid with HA's entity id rule (a bug here is a 500, never an invalid id handed out).
   */
  #availableEntityId(domain: string, name: string): string {
    const slug =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'unnamed_device';
    const candidate = (suffix: string): string => {
      const room = MAX_LENGTH_STATE_ENTITY_ID - domain.length - 1 - suffix.length;
      // Cutting may leave a trailing `_`, which HA's rule refuses.
      return `${domain}.${slug.slice(0, room).replace(/_+$/, '')}${suffix}`;
    };
    let entityId = candidate('');
    for (let i = 2; this.#deps.world().has(entityId); i++) entityId = candidate(`_${i}`);
    if (!validEntityId(entityId))
      throw new Error(`registry create generated an invalid entity id ${quote(entityId)}`);
    return entityId;
  }
}
