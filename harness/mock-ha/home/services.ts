/**
 * The services the mock advertises, and what calling them does to the synthetic home, as HA's
 * own integrations would (light, switch, climate, cover, media_player, homeassistant, person).
 * One implementation behind the websocket `call_service` and REST `POST /api/services/<d>/<s>`.
 * What is not here is not advertised (get_services / GET /api/services list exactly this table).
 *
 * Targets follow HA's rules (homeassistant/helpers/service.py): `entity_id`, `device_id` and
 * `area_id` in `target` or in the service data, `cv.comp_entity_ids` (a list, a comma-separated
 * string, or `all`); entities of other domains and missing entities are ignored (HA logs them).
 */
import type { Attributes, HaContext, HaState } from '../protocol/types.ts';
import { compEntityIds, Invalid, isInvalid, isRecord, own, pyRepr } from '../protocol/validation.ts';
import type { HomeDefinition } from './home.ts';

export interface StateWrite {
  entityId: string;
  state: string;
  attributes: Attributes;
}

type FieldCheck = (v: unknown) => unknown | Invalid;
interface ServiceDef {
  /** Domain of the entities the service acts on; '*' = any entity (homeassistant.*). */
  entityDomain: string | '*' | null;
  fields: ReadonlyMap<string, FieldCheck>;
  required?: readonly string[];
  /** The new state of one entity, or null when the call does not change it. */
  apply?: (cur: HaState, data: Readonly<Record<string, unknown>>) => Omit<StateWrite, 'entityId'> | null;
  description: string;
}

const num =
  (lo: number, hi: number, integer = false, clamp = false): FieldCheck =>
  (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) return new Invalid(integer ? 'expected int' : 'expected float');
    const x = integer ? Math.trunc(n) : n;
    if (clamp) return Math.min(hi, Math.max(lo, x));
    if (x < lo) return new Invalid(`value must be at least ${lo}`);
    if (x > hi) return new Invalid(`value must be at most ${hi}`);
    return x;
  };
const oneOf =
  (values: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v)
      ? v
      : new Invalid(`value must be one of [${values.map(pyRepr).join(', ')}]`);
const anyValue: FieldCheck = (v) => v;

const LIGHT_FIELDS = new Map<string, FieldCheck>([
  ['brightness', num(0, 255, true, true)],
  ['brightness_pct', num(0, 100)],
  ['brightness_step', num(-255, 255, true)],
  ['brightness_step_pct', num(-100, 100)],
  ['transition', num(0, 6553)],
  ['flash', oneOf(['short', 'long'])],
  ['effect', anyValue],
]);
const NONE = new Map<string, FieldCheck>();
const TRANSITION = new Map<string, FieldCheck>([['transition', num(0, 6553)]]);
const HVAC = ['off', 'heat', 'cool', 'heat_cool', 'auto', 'dry', 'fan_only'];

const lightOn = (cur: HaState, d: Readonly<Record<string, unknown>>) => {
  const prev = typeof cur.attributes.brightness === 'number' ? cur.attributes.brightness : 255;
  let b = prev;
  if (typeof d.brightness === 'number') b = d.brightness;
  else if (typeof d.brightness_pct === 'number') b = Math.round((d.brightness_pct * 255) / 100);
  else if (typeof d.brightness_step === 'number') b = prev + d.brightness_step;
  else if (typeof d.brightness_step_pct === 'number')
    b = prev + Math.round((d.brightness_step_pct * 255) / 100);
  b = Math.min(255, Math.max(0, Math.round(b)));
  if (b === 0) return lightOff(cur);
  return {
    state: 'on',
    attributes: { ...cur.attributes, color_mode: 'brightness', brightness: b },
  };
};
const lightOff = (cur: HaState) => ({
  state: 'off',
  attributes: { ...cur.attributes, color_mode: null, brightness: null },
});
const onOff = (state: 'on' | 'off') => (cur: HaState) => ({ state, attributes: cur.attributes });
const toggleOf =
  (on: ServiceDef['apply'], off: ServiceDef['apply']): ServiceDef['apply'] =>
  (cur, d) =>
    cur.state === 'off' ? (on?.(cur, d) ?? null) : (off?.(cur, d) ?? null);

const coverTo = (position: number) => (cur: HaState) => ({
  state: position > 0 ? 'open' : 'closed',
  attributes: { ...cur.attributes, current_position: position },
});

const SERVICES = new Map<string, Map<string, ServiceDef>>([
  [
    'light',
    new Map<string, ServiceDef>([
      [
        'turn_on',
        {
          entityDomain: 'light',
          fields: LIGHT_FIELDS,
          apply: lightOn,
          description: 'Turns on one or more lights and adjusts their properties.',
        },
      ],
      [
        'turn_off',
        {
          entityDomain: 'light',
          fields: new Map([...TRANSITION, ['flash', oneOf(['short', 'long'])]]),
          apply: lightOff,
          description: 'Turns off one or more lights.',
        },
      ],
      [
        'toggle',
        {
          entityDomain: 'light',
          fields: LIGHT_FIELDS,
          apply: toggleOf(lightOn, lightOff),
          description: 'Toggles one or more lights.',
        },
      ],
    ]),
  ],
  [
    'switch',
    new Map<string, ServiceDef>([
      [
        'turn_on',
        { entityDomain: 'switch', fields: NONE, apply: onOff('on'), description: 'Turns a switch on.' },
      ],
      [
        'turn_off',
        { entityDomain: 'switch', fields: NONE, apply: onOff('off'), description: 'Turns a switch off.' },
      ],
      [
        'toggle',
        {
          entityDomain: 'switch',
          fields: NONE,
          apply: toggleOf(onOff('on'), onOff('off')),
          description: 'Toggles a switch on/off.',
        },
      ],
    ]),
  ],
  [
    'climate',
    new Map<string, ServiceDef>([
      [
        'set_temperature',
        {
          entityDomain: 'climate',
          fields: new Map([
            ['temperature', num(-273, 1000)],
            ['target_temp_high', num(-273, 1000)],
            ['target_temp_low', num(-273, 1000)],
            ['hvac_mode', oneOf(HVAC)],
          ]),
          apply: (cur, d) => ({
            state: typeof d.hvac_mode === 'string' ? d.hvac_mode : cur.state,
            attributes: {
              ...cur.attributes,
              ...(typeof d.temperature === 'number' ? { temperature: d.temperature } : {}),
            },
          }),
          description: 'Sets the temperature setpoint.',
        },
      ],
      [
        'set_hvac_mode',
        {
          entityDomain: 'climate',
          fields: new Map([['hvac_mode', oneOf(HVAC)]]),
          apply: (cur, d) => ({
            state: String(d.hvac_mode ?? cur.state),
            attributes: { ...cur.attributes, hvac_action: d.hvac_mode === 'off' ? 'off' : 'idle' },
          }),
          description: 'Sets HVAC operation mode.',
        },
      ],
      [
        'turn_on',
        {
          entityDomain: 'climate',
          fields: NONE,
          apply: (cur) =>
            cur.state === 'off'
              ? { state: 'heat', attributes: { ...cur.attributes, hvac_action: 'idle' } }
              : null,
          description: 'Turns climate device on.',
        },
      ],
      [
        'turn_off',
        {
          entityDomain: 'climate',
          fields: NONE,
          apply: (cur) => ({ state: 'off', attributes: { ...cur.attributes, hvac_action: 'off' } }),
          description: 'Turns climate device off.',
        },
      ],
    ]),
  ],
  [
    'cover',
    new Map<string, ServiceDef>([
      [
        'open_cover',
        { entityDomain: 'cover', fields: NONE, apply: coverTo(100), description: 'Opens a cover.' },
      ],
      [
        'close_cover',
        { entityDomain: 'cover', fields: NONE, apply: coverTo(0), description: 'Closes a cover.' },
      ],
      [
        'set_cover_position',
        {
          entityDomain: 'cover',
          fields: new Map([['position', num(0, 100, true)]]),
          required: ['position'],
          apply: (cur, d) => coverTo(Number(d.position))(cur),
          description: 'Moves a cover to a specific position.',
        },
      ],
      ['stop_cover', { entityDomain: 'cover', fields: NONE, description: 'Stops the cover movement.' }],
    ]),
  ],
  [
    'media_player',
    new Map<string, ServiceDef>([
      [
        'media_play',
        {
          entityDomain: 'media_player',
          fields: NONE,
          apply: (cur) => ({ state: 'playing', attributes: cur.attributes }),
          description: 'Starts playing.',
        },
      ],
      [
        'media_pause',
        {
          entityDomain: 'media_player',
          fields: NONE,
          apply: (cur) => ({ state: 'paused', attributes: cur.attributes }),
          description: 'Pauses.',
        },
      ],
      [
        'volume_set',
        {
          entityDomain: 'media_player',
          fields: new Map([['volume_level', num(0, 1)]]),
          required: ['volume_level'],
          apply: (cur, d) => ({
            state: cur.state,
            attributes: { ...cur.attributes, volume_level: d.volume_level },
          }),
          description: 'Sets the volume level.',
        },
      ],
      [
        'turn_on',
        {
          entityDomain: 'media_player',
          fields: NONE,
          apply: (cur) => (cur.state === 'off' ? { state: 'on', attributes: cur.attributes } : null),
          description: 'Turns on the power of the media player.',
        },
      ],
      [
        'turn_off',
        {
          entityDomain: 'media_player',
          fields: NONE,
          apply: (cur) => ({ state: 'off', attributes: cur.attributes }),
          description: 'Turns off the power of the media player.',
        },
      ],
    ]),
  ],
  [
    'homeassistant',
    new Map<string, ServiceDef>([
      [
        'turn_on',
        {
          entityDomain: '*',
          fields: NONE,
          description: 'Generic action to turn devices on under any domain.',
        },
      ],
      [
        'turn_off',
        {
          entityDomain: '*',
          fields: NONE,
          description: 'Generic action to turn devices off under any domain.',
        },
      ],
      [
        'toggle',
        {
          entityDomain: '*',
          fields: NONE,
          description: 'Generic action to toggle devices on/off under any domain.',
        },
      ],
      [
        'update_entity',
        { entityDomain: '*', fields: NONE, description: 'Forces one or more entities to update their data.' },
      ],
      [
        'reload_all',
        {
          entityDomain: null,
          fields: NONE,
          description: 'Reloads all YAML configuration that can be reloaded.',
        },
      ],
    ]),
  ],
  [
    'person',
    new Map<string, ServiceDef>([
      [
        'reload',
        { entityDomain: null, fields: NONE, description: 'Reloads persons from the YAML-configuration.' },
      ],
    ]),
  ],
]);

const TARGET_KEYS = ['entity_id', 'device_id', 'area_id', 'floor_id', 'label_id'];

export class ServiceCallError extends Error {
  readonly code: 'not_found' | 'invalid_format' | 'service_validation_error';
  constructor(code: ServiceCallError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export const hasService = (domain: string, service: string): boolean =>
  SERVICES.get(domain)?.has(service) ?? false;

/** `get_services` result: {domain: {service: {name, description, fields}}}. */
export function servicesByDomain(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [domain, services] of SERVICES) {
    const d: Record<string, unknown> = {};
    for (const [service, def] of services) {
      const fields: Record<string, unknown> = {};
      for (const f of def.fields.keys())
        fields[f] = { required: def.required?.includes(f) ?? false, selector: {} };
      d[service] = {
        name: service.replace(/_/g, ' '),
        description: def.description,
        fields,
        ...(def.entityDomain !== null
          ? { target: { entity: [def.entityDomain === '*' ? {} : { domain: [def.entityDomain] }] } }
          : {}),
      };
    }
    out[domain] = d;
  }
  return out;
}

/** `GET /api/services` result: [{domain, services}]. */
export const servicesList = () =>
  Object.entries(servicesByDomain()).map(([domain, services]) => ({ domain, services }));

export interface ServicePlan {
  domain: string;
  service: string;
  /** Service data as validated (target keys merged in, ids lower-cased). */
  data: Record<string, unknown>;
  /** The entities the call acts on (existing, of the right domain), in order. */
  entityIds: string[];
  writes: StateWrite[];
}

/**
 * Validates a call and computes its effect on `states` (no side effects).
 * @throws ServiceCallError not_found (unknown service) | invalid_format (bad data, HA's message).
 */
export function planServiceCall(
  home: HomeDefinition,
  states: { get(id: string): HaState | undefined; ids(): Iterable<string> },
  domain: string,
  service: string,
  serviceData: unknown,
  target: unknown,
): ServicePlan {
  const def = SERVICES.get(domain)?.get(service);
  if (!def) throw new ServiceCallError('not_found', `Action ${domain}.${service} not found.`);
  if (serviceData !== undefined && serviceData !== null && !isRecord(serviceData))
    throw new ServiceCallError('invalid_format', 'expected dict');
  if (target !== undefined && target !== null && !isRecord(target))
    throw new ServiceCallError(
      'invalid_format',
      "expected a dictionary for dictionary value @ data['target']",
    );
  const data: Record<string, unknown> = Object.create(null);
  const raw: Record<string, unknown> = { ...(isRecord(serviceData) ? serviceData : {}) };
  if (isRecord(target)) for (const k of TARGET_KEYS) if (Object.hasOwn(target, k)) raw[k] = target[k];
  for (const key of Object.keys(raw)) {
    if (TARGET_KEYS.includes(key)) continue;
    const check = def.fields.get(key);
    if (!check) throw new ServiceCallError('invalid_format', `extra keys not allowed @ data['${key}']`);
    const v = check(raw[key]);
    if (isInvalid(v))
      throw new ServiceCallError('invalid_format', `${v.message} for dictionary value @ data['${key}']`);
    data[key] = v;
  }
  for (const key of def.required ?? [])
    if (!Object.hasOwn(data, key))
      throw new ServiceCallError('invalid_format', `required key not provided @ data['${key}']`);

  const wanted = new Set<string>();
  const ent = own(raw, 'entity_id');
  let all = false;
  if (ent !== undefined) {
    const ids = compEntityIds(ent);
    // The entity service schema wraps the id check in vol.Any: voluptuous' generic message.
    if (isInvalid(ids))
      throw new ServiceCallError(
        'invalid_format',
        "not a valid value for dictionary value @ data['entity_id']",
      );
    if (ids === 'all') all = true;
    else if (ids !== 'none') for (const id of ids) wanted.add(id);
    data.entity_id = ids;
  }
  const listOfStr = (key: string): string[] => {
    const v = own(raw, key);
    if (v === undefined || v === null) return [];
    const items = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
    if (!items || items.some((x) => typeof x !== 'string'))
      throw new ServiceCallError('invalid_format', `expected str for dictionary value @ data['${key}']`);
    data[key] = items;
    return items as string[];
  };
  const devices = new Set(listOfStr('device_id'));
  const areas = new Set(listOfStr('area_id'));
  listOfStr('floor_id');
  listOfStr('label_id');
  const deviceArea = new Map(home.devices.map((d) => [d.id, d.area_id]));
  for (const e of home.entities) {
    if (e.device_id !== null && devices.has(e.device_id)) wanted.add(e.entity_id);
    const area = e.area_id ?? (e.device_id !== null ? deviceArea.get(e.device_id) : null);
    if (area && areas.has(area)) wanted.add(e.entity_id);
  }
  const entityIds: string[] = [];
  if (def.entityDomain !== null) {
    const candidates = all ? [...states.ids()] : [...wanted];
    for (const id of candidates) {
      if (!states.get(id)) continue;
      if (def.entityDomain !== '*' && !id.startsWith(`${def.entityDomain}.`)) continue;
      entityIds.push(id);
    }
  }
  const writes: StateWrite[] = [];
  for (const id of entityIds) {
    const cur = states.get(id) as HaState;
    let apply = def.apply;
    if (domain === 'homeassistant') {
      const [d] = id.split('.') as [string];
      const target = service === 'update_entity' ? undefined : SERVICES.get(d)?.get(service);
      apply = target?.apply ? (c) => (target.apply as NonNullable<ServiceDef['apply']>)(c, {}) : undefined;
    }
    const next = apply?.(cur, data);
    if (next) writes.push({ entityId: id, ...next });
  }
  return { domain, service, data, entityIds, writes };
}

export type { HaContext };
