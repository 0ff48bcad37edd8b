/**
 * The synthetic home: areas, devices, entities and config entries, generated from a seed.
 * Same seed and size -> the same home, byte for byte (registry timestamps are fixed).
 */
import { CHANGE_WEIGHT, type EntityKind, type EntitySpec, KIND_DOMAIN } from './domains.ts';
import { Rng } from './rng.ts';

export type HomeSize = 'small' | 'medium' | 'large';
export const HOME_SIZES: readonly HomeSize[] = ['small', 'medium', 'large'];
const AREA_COUNT: Record<HomeSize, number> = { small: 4, medium: 10, large: 30 };
const PERSON_COUNT: Record<HomeSize, number> = { small: 2, medium: 3, large: 5 };

/** Registry timestamps (epoch seconds) are fixed so the registries are deterministic. */
export const REGISTRY_EPOCH_S = 1_735_689_600; // 2025-01-01T00:00:00Z

export interface Area {
  area_id: string;
  name: string;
}
export interface ConfigEntry {
  entry_id: string;
  domain: string;
  title: string;
}
export interface Device {
  id: string;
  name: string;
  area_id: string | null;
  manufacturer: string;
  model: string;
  config_entry_id: string;
  integration: string;
  identifier: string;
}
export interface HomeEntity extends EntitySpec {
  /** `name` (EntitySpec) is the friendly name, composed as HA composes it (see addEntity). */
  domain: string;
  /** The registry's `original_name`: the entity's own name, without the device's (null = the device's name). */
  original_name: string | null;
  /** The registry's `has_entity_name`: true for entities of a device, whose names HA prefixes with the device name. */
  has_entity_name: boolean;
  /** The registry's `name`: set by a user rename (shown as the friendly name as is); absent = null. */
  registry_name?: string | null;
  device_id: string | null;
  area_id: string | null;
  platform: string;
  unique_id: string;
  registry_id: string;
  config_entry_id: string | null;
  entity_category: string | null;
}
export interface HomeDefinition {
  seed: number;
  size: HomeSize;
  areas: Area[];
  configEntries: ConfigEntry[];
  devices: Device[];
  entities: HomeEntity[];
}

const AREA_NAMES = [
  'Living Room',
  'Kitchen',
  'Bedroom',
  'Hallway',
  'Bathroom',
  'Office',
  'Dining Room',
  'Garage',
  'Kids Room',
  'Guest Room',
  'Laundry',
  'Basement',
  'Attic',
  'Garden',
];
const PERSON_NAMES = ['Alex', 'Sam', 'Robin', 'Kim', 'Jo', 'Charlie', 'Maria', 'Noah'];

const INTEGRATIONS = {
  zha: { title: 'Zigbee Home Automation', manufacturer: 'Aqara', model: 'Multisensor MS-S02' },
  hue: { title: 'Philips Hue', manufacturer: 'Signify', model: 'LCA001' },
  shelly: { title: 'Shelly', manufacturer: 'Shelly', model: 'Plug S' },
  ecobee: { title: 'ecobee', manufacturer: 'ecobee', model: 'Smart Thermostat' },
  somfy: { title: 'Somfy', manufacturer: 'Somfy', model: 'RS100 io' },
  sonos: { title: 'Sonos', manufacturer: 'Sonos', model: 'One SL' },
  sun: { title: 'Sun', manufacturer: 'Home Assistant', model: 'Sun' },
} as const;
type Integration = keyof typeof INTEGRATIONS;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/** Fewest entities one area adds (multisensor 3, one light, plug 3): sizes a home to an entity count. */
export const MIN_ENTITIES_PER_AREA = 7;
/**
 * Most entities a sized home may ask for (control API, capacity and throughput sizing). A home gets
 * ~1.37x the entities asked (whole areas); building one blocks the event loop ~60 ms per 1,000.
 * 200,000 (the first limit) built 274,157 entities in 12 s and ~940 MiB, far past the mock's 256 MiB
 * container; 25,000 (the second) left a host mock at 286 MiB RSS. 12,000 is the largest home a
 * capacity search has loaded in that container (for its 8,000 ev/s step, session 4) with the mock
 * staying up. The mock's memory is not flat in the home's size: three loads of 5,000 in a row took a
 * host mock from 116 to 219 MiB RSS (measured; not fixed).
 */
export const MAX_HOME_ENTITIES = 12_000;

/**
 * The synthetic home of `seed`. `opts.entities`: at least this many entities (more areas than the
 * size has, named "Living Room 2", ...), for load that a real home could produce at a given event
 * rate (see World's minimum gap); the size's own areas when it asks for fewer.
 */
export function buildHome(seed: number, size: HomeSize, opts: { entities?: number } = {}): HomeDefinition {
  const rng = new Rng(seed);
  const regTime = REGISTRY_EPOCH_S * 1000;
  const home: HomeDefinition = { seed, size, areas: [], configEntries: [], devices: [], entities: [] };
  const entries = new Map<Integration, ConfigEntry>();
  const entryFor = (integration: Integration): ConfigEntry => {
    let e = entries.get(integration);
    if (!e) {
      e = { entry_id: rng.ulid(regTime), domain: integration, title: INTEGRATIONS[integration].title };
      entries.set(integration, e);
      home.configEntries.push(e);
    }
    return e;
  };
  const usedIds = new Set<string>();
  const uniqueEntityId = (domain: string, objectId: string) => {
    let id = `${domain}.${objectId}`;
    for (let i = 2; usedIds.has(id); i++) id = `${domain}.${objectId}_${i}`;
    usedIds.add(id);
    return id;
  };
  const addDevice = (integration: Integration, name: string, area: Area | null): Device => {
    const entry = entryFor(integration);
    const device: Device = {
      id: rng.hex(32),
      name,
      area_id: area?.area_id ?? null,
      manufacturer: INTEGRATIONS[integration].manufacturer,
      model: INTEGRATIONS[integration].model,
      config_entry_id: entry.entry_id,
      integration,
      identifier: rng.hex(16),
    };
    home.devices.push(device);
    return device;
  };
  /**
   * `entityName` is the entity's own name. With a device, HA's composition applies
   * (homeassistant/helpers/entity.py `_friendly_name_internal`): the friendly name is
   * "<device name> <entity name>", or the device name alone when the entity name is null.
   */
  const addEntity = (
    kind: EntityKind,
    objectId: string,
    entityName: string | null,
    device: Device | null,
    platform: string,
  ) => {
    const domain = KIND_DOMAIN[kind];
    const name = device
      ? entityName === null
        ? device.name
        : `${device.name} ${entityName}`
      : (entityName ?? objectId);
    home.entities.push({
      entity_id: uniqueEntityId(domain, slug(objectId)),
      kind,
      name,
      original_name: entityName,
      has_entity_name: device !== null,
      domain,
      device_id: device?.id ?? null,
      area_id: null, // entities inherit the device's area, as in HA
      platform,
      unique_id: `${platform}-${rng.hex(12)}`,
      registry_id: rng.hex(32),
      config_entry_id: device?.config_entry_id ?? null,
      entity_category: null,
    });
  };

  const areaCount = Math.max(AREA_COUNT[size], Math.ceil((opts.entities ?? 0) / MIN_ENTITIES_PER_AREA));
  for (let i = 0; i < areaCount; i++) {
    const base = AREA_NAMES[i % AREA_NAMES.length] as string;
    const round = Math.floor(i / AREA_NAMES.length);
    const name = round === 0 ? base : `${base} ${round + 1}`;
    home.areas.push({ area_id: slug(name), name });
  }

  // Optional per-area devices: [kind, label, integration, probability, area index that always has one].
  const optional: [EntityKind, string, Integration, number, number][] = [
    ['door', 'Door', 'zha', 0.5, 0],
    ['climate', 'Thermostat', 'ecobee', 0.4, 0],
    ['cover', 'Shutter', 'somfy', 0.4, 1],
    ['media_player', 'Speaker', 'sonos', 0.3, 0],
  ];
  home.areas.forEach((area, index) => {
    const a = area.name;
    const multi = addDevice('zha', `${a} Multisensor`, area);
    addEntity('temperature', `${a} temperature`, 'Temperature', multi, 'zha');
    addEntity('humidity', `${a} humidity`, 'Humidity', multi, 'zha');
    addEntity('motion', `${a} motion`, 'Motion', multi, 'zha');
    const lights = rng.int(1, 3);
    for (let l = 1; l <= lights; l++) {
      const label = lights === 1 ? 'Ceiling' : `Light ${l}`;
      addEntity('light', `${a} ${label}`, null, addDevice('hue', `${a} ${label}`, area), 'hue');
    }
    const plug = addDevice('shelly', `${a} Plug`, area);
    addEntity('switch', `${a} plug`, null, plug, 'shelly');
    addEntity('power', `${a} plug power`, 'Power', plug, 'shelly');
    addEntity('energy', `${a} plug energy`, 'Energy', plug, 'shelly');
    for (const [kind, label, integration, p, always] of optional) {
      const has = rng.chance(p) || index === Math.min(always, home.areas.length - 1);
      if (has)
        addEntity(kind, `${a} ${label}`, null, addDevice(integration, `${a} ${label}`, area), integration);
    }
  });
  for (let p = 0; p < PERSON_COUNT[size]; p++) {
    const name = PERSON_NAMES[p % PERSON_NAMES.length] as string;
    addEntity('person', name, name, null, 'person');
  }
  addEntity('sun', 'sun', null, addDevice('sun', 'Sun', null), 'sun');
  return home;
}

/** Cumulative change weights, for picking the next entity to change. */
export function changeWeights(entities: readonly HomeEntity[]): Float64Array {
  const cumulative = new Float64Array(entities.length);
  let sum = 0;
  entities.forEach((e, i) => {
    sum += CHANGE_WEIGHT[e.kind];
    cumulative[i] = sum;
  });
  return cumulative;
}
