/** Registry, config and service payloads in the shapes HA's websocket and REST APIs return. */
import type { HomeDefinition, HomeEntity } from './home.ts';
import { REGISTRY_EPOCH_S } from './home.ts';

const T = REGISTRY_EPOCH_S;

export const areaRegistryList = (home: HomeDefinition) =>
  home.areas.map((a) => ({
    aliases: [],
    area_id: a.area_id,
    floor_id: null,
    humidity_entity_id: null,
    icon: null,
    labels: [],
    name: a.name,
    picture: null,
    temperature_entity_id: null,
    created_at: T,
    modified_at: T,
  }));

export const deviceRegistryList = (home: HomeDefinition) =>
  home.devices.map((d) => ({
    area_id: d.area_id,
    configuration_url: null,
    config_entries: [d.config_entry_id],
    config_entries_subentries: { [d.config_entry_id]: [null] },
    connections: [],
    created_at: T,
    disabled_by: null,
    entry_type: d.integration === 'sun' ? 'service' : null,
    hw_version: null,
    id: d.id,
    identifiers: [[d.integration, d.identifier]],
    labels: [],
    manufacturer: d.manufacturer,
    model: d.model,
    model_id: null,
    modified_at: T,
    name_by_user: null,
    name: d.name,
    primary_config_entry: d.config_entry_id,
    serial_number: null,
    sw_version: '1.0.0',
    via_device_id: null,
  }));

/** One entry as `config/entity_registry/list` returns it (HA's `as_partial_dict`). */
export const entityRegistryEntry = (e: HomeEntity) => ({
  area_id: e.area_id,
  categories: {},
  config_entry_id: e.config_entry_id,
  config_subentry_id: null,
  created_at: T,
  device_id: e.device_id,
  disabled_by: null,
  entity_category: e.entity_category,
  entity_id: e.entity_id,
  has_entity_name: e.has_entity_name,
  hidden_by: null,
  icon: null,
  id: e.registry_id,
  labels: [],
  modified_at: T,
  name: e.registry_name ?? null,
  options: {},
  original_name: e.original_name,
  platform: e.platform,
  translation_key: null,
  unique_id: e.unique_id,
});

export const entityRegistryList = (home: HomeDefinition) => home.entities.map(entityRegistryEntry);

const DEVICE_CLASS: Partial<Record<HomeEntity['kind'], string>> = {
  temperature: 'temperature',
  humidity: 'humidity',
  power: 'power',
  energy: 'energy',
  motion: 'motion',
  door: 'door',
  cover: 'shutter',
  media_player: 'speaker',
};

/** One entry as `config/entity_registry/get` / `get_entries` return it (HA's `extended_dict`). */
export const entityRegistryExtended = (e: HomeEntity) => ({
  ...entityRegistryEntry(e),
  aliases: [],
  capabilities: null,
  device_class: null,
  original_device_class: DEVICE_CLASS[e.kind] ?? null,
  original_icon: null,
});

/** `config/entity_registry/list_for_display` (HA's `display_json_repr`, the frontend's source of names). */
export function entityRegistryForDisplay(home: HomeDefinition) {
  return {
    entity_categories: { 0: 'config', 1: 'diagnostic' },
    entities: home.entities.map((e) => {
      const d: Record<string, unknown> = { ei: e.entity_id, pl: e.platform };
      if (e.area_id !== null) d.ai = e.area_id;
      d.lb = [];
      if (e.device_id !== null) d.di = e.device_id;
      if (e.entity_category !== null) d.ec = e.entity_category === 'config' ? 0 : 1;
      if (e.has_entity_name) d.hn = true;
      const name = e.registry_name ?? e.original_name;
      if (name !== null) d.en = name;
      return d;
    }),
  };
}

export const configEntriesList = (home: HomeDefinition) =>
  home.configEntries.map((c) => ({
    created_at: T,
    entry_id: c.entry_id,
    domain: c.domain,
    modified_at: T,
    title: c.title,
    source: 'user',
    state: 'loaded',
    supports_options: false,
    supports_remove_device: false,
    supports_unload: true,
    supports_reconfigure: false,
    supported_subentry_types: {},
    pref_disable_new_entities: false,
    pref_disable_polling: false,
    disabled_by: null,
    reason: null,
    error_reason_translation_key: null,
    error_reason_translation_placeholders: null,
    num_subentries: 0,
  }));

export function haConfig(home: HomeDefinition, haVersion: string) {
  const components = [
    ...new Set([
      'api',
      'websocket_api',
      'homeassistant',
      'person',
      'sun',
      ...home.configEntries.map((c) => c.domain),
      ...home.entities.map((e) => e.domain),
    ]),
  ].sort();
  return {
    latitude: 52.3731,
    longitude: 4.8922,
    elevation: 0,
    unit_system: {
      length: 'km',
      accumulated_precipitation: 'mm',
      area: 'm²',
      mass: 'g',
      pressure: 'Pa',
      temperature: '°C',
      volume: 'L',
      wind_speed: 'm/s',
    },
    location_name: `Mock Home (seed ${home.seed}, ${home.size})`,
    time_zone: 'UTC',
    components,
    config_dir: '/config',
    allowlist_external_dirs: ['/config/www', '/media'],
    allowlist_external_urls: [],
    version: haVersion,
    config_source: 'storage',
    recovery_mode: false,
    state: 'RUNNING',
    external_url: null,
    internal_url: null,
    currency: 'EUR',
    country: 'NL',
    language: 'en',
    safe_mode: false,
    debug: false,
    radius: 100,
  };
}

export { servicesByDomain, servicesList } from './services.ts';
