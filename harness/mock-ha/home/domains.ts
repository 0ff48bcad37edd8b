/**
 * Per-domain behaviour of the synthetic home: the initial state and the next state of an
 * entity. Every `next` returns a state that differs from the current one in its state or its
 * attributes (HA fires no state_changed for an unchanged write).
 */
import type { Attributes } from '../protocol/types.ts';
import type { Rng } from './rng.ts';

export type EntityKind =
  | 'temperature'
  | 'humidity'
  | 'power'
  | 'energy'
  | 'motion'
  | 'door'
  | 'light'
  | 'switch'
  | 'climate'
  | 'cover'
  | 'media_player'
  | 'person'
  | 'sun';

export interface StateValue {
  state: string;
  attributes: Attributes;
}

export interface EntitySpec {
  entity_id: string;
  kind: EntityKind;
  name: string;
}

/** Relative frequency of changes per kind (sensors dominate, as in a real home). */
export const CHANGE_WEIGHT: Record<EntityKind, number> = {
  temperature: 6,
  humidity: 5,
  power: 10,
  energy: 4,
  motion: 6,
  door: 2,
  light: 3,
  switch: 1.5,
  climate: 2,
  cover: 1,
  media_player: 2,
  person: 0.5,
  sun: 0.5,
};

export const KIND_DOMAIN: Record<EntityKind, string> = {
  temperature: 'sensor',
  humidity: 'sensor',
  power: 'sensor',
  energy: 'sensor',
  motion: 'binary_sensor',
  door: 'binary_sensor',
  light: 'light',
  switch: 'switch',
  climate: 'climate',
  cover: 'cover',
  media_player: 'media_player',
  person: 'person',
  sun: 'sun',
};

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const fmt = (v: number, digits: number) => round(v, digits).toFixed(digits);

/** A numeric random walk that always moves by at least one step. */
function walk(rng: Rng, current: number, step: number, lo: number, hi: number, digits: number): number {
  const steps = rng.int(1, 3) * (rng.chance(0.5) ? -1 : 1);
  let next = clamp(round(current + steps * step, digits), lo, hi);
  if (next === current) next = round(current + (current + step <= hi ? step : -step), digits);
  return next;
}

const sensor = (name: string, unit: string, deviceClass: string, stateClass: string): Attributes => ({
  state_class: stateClass,
  unit_of_measurement: unit,
  device_class: deviceClass,
  friendly_name: name,
});

const LIGHT_ON = (name: string, brightness: number): Attributes => ({
  supported_color_modes: ['brightness'],
  color_mode: 'brightness',
  brightness,
  friendly_name: name,
  supported_features: 40,
});
const LIGHT_OFF = (name: string): Attributes => ({
  supported_color_modes: ['brightness'],
  color_mode: null,
  brightness: null,
  friendly_name: name,
  supported_features: 40,
});

const otherVolume = (rng: Rng, v: number): number => {
  const n = round(rng.float(), 2);
  return n === v ? round(v >= 0.5 ? v - 0.05 : v + 0.05, 2) : n;
};

const HVAC_MODES = ['off', 'heat', 'cool', 'auto'];
const MEDIA_TITLES = ['Morning News', 'Jazz Classics', 'Podcast #42', 'Film Score', 'Rain Sounds'];

export function initialState(rng: Rng, spec: EntitySpec): StateValue {
  const n = spec.name;
  switch (spec.kind) {
    case 'temperature':
      return {
        state: fmt(19 + rng.float() * 4, 1),
        attributes: sensor(n, '°C', 'temperature', 'measurement'),
      };
    case 'humidity':
      return { state: fmt(40 + rng.float() * 15, 1), attributes: sensor(n, '%', 'humidity', 'measurement') };
    case 'power':
      return { state: fmt(rng.float() * 120, 1), attributes: sensor(n, 'W', 'power', 'measurement') };
    case 'energy':
      return {
        state: fmt(100 + rng.float() * 900, 3),
        attributes: sensor(n, 'kWh', 'energy', 'total_increasing'),
      };
    case 'motion':
      return { state: 'off', attributes: { device_class: 'motion', friendly_name: n } };
    case 'door':
      return { state: 'off', attributes: { device_class: 'door', friendly_name: n } };
    case 'light':
      return rng.chance(0.5)
        ? { state: 'on', attributes: LIGHT_ON(n, rng.int(30, 255)) }
        : { state: 'off', attributes: LIGHT_OFF(n) };
    case 'switch':
      return { state: rng.chance(0.5) ? 'on' : 'off', attributes: { friendly_name: n } };
    case 'climate':
      return {
        state: 'heat',
        attributes: {
          hvac_modes: HVAC_MODES,
          min_temp: 7,
          max_temp: 35,
          target_temp_step: 0.5,
          current_temperature: round(19 + rng.float() * 3, 1),
          temperature: 21,
          hvac_action: 'idle',
          friendly_name: n,
          supported_features: 385,
        },
      };
    case 'cover': {
      const pos = rng.chance(0.5) ? 100 : 0;
      return {
        state: pos === 100 ? 'open' : 'closed',
        attributes: {
          current_position: pos,
          device_class: 'shutter',
          friendly_name: n,
          supported_features: 15,
        },
      };
    }
    case 'media_player':
      return {
        state: 'off',
        attributes: { device_class: 'speaker', friendly_name: n, supported_features: 152511 },
      };
    case 'person':
      return {
        state: 'home',
        attributes: {
          editable: true,
          id: spec.entity_id.slice('person.'.length),
          device_trackers: [],
          source: `device_tracker.${spec.entity_id.slice('person.'.length)}_phone`,
          friendly_name: n,
        },
      };
    case 'sun':
      return {
        state: 'above_horizon',
        attributes: { elevation: 21.5, azimuth: 160.2, rising: true, friendly_name: 'Sun' },
      };
  }
}

export function nextState(rng: Rng, spec: EntitySpec, cur: StateValue): StateValue {
  const a = cur.attributes;
  const num = Number(cur.state);
  switch (spec.kind) {
    case 'temperature':
      return { state: fmt(walk(rng, num, 0.1, -10, 40, 1), 1), attributes: a };
    case 'humidity':
      return { state: fmt(walk(rng, num, 0.5, 10, 95, 1), 1), attributes: a };
    case 'power':
      return { state: fmt(walk(rng, num, 2.5, 0, 3600, 1), 1), attributes: a };
    case 'energy':
      return { state: fmt(num + 0.001 * rng.int(1, 20), 3), attributes: a };
    case 'motion':
    case 'door':
    case 'switch':
      return { state: cur.state === 'on' ? 'off' : 'on', attributes: a };
    case 'light': {
      const name = String(a.friendly_name);
      if (cur.state === 'off') return { state: 'on', attributes: LIGHT_ON(name, rng.int(30, 255)) };
      if (rng.chance(0.5)) return { state: 'off', attributes: LIGHT_OFF(name) };
      // Dim: attribute-only change (last_changed stays, last_updated moves).
      const b = Number(a.brightness);
      let nb = clamp(b + rng.int(-60, 60), 1, 255);
      if (nb === b) nb = b === 255 ? 254 : b + 1;
      return { state: 'on', attributes: { ...a, brightness: nb } };
    }
    case 'climate': {
      if (rng.chance(0.1)) {
        const modes = HVAC_MODES.filter((m) => m !== cur.state);
        const mode = rng.pick(modes);
        return { state: mode, attributes: { ...a, hvac_action: mode === 'off' ? 'off' : 'idle' } };
      }
      const t = Number(a.current_temperature);
      const nt = walk(rng, t, 0.1, 5, 35, 1);
      const action = cur.state === 'heat' ? (nt < Number(a.temperature) ? 'heating' : 'idle') : a.hvac_action;
      return { state: cur.state, attributes: { ...a, current_temperature: nt, hvac_action: action } };
    }
    case 'cover': {
      if (cur.state === 'opening' || cur.state === 'closing') {
        const target = cur.state === 'opening' ? 100 : 0;
        return {
          state: target === 100 ? 'open' : 'closed',
          attributes: { ...a, current_position: target },
        };
      }
      const pos = Number(a.current_position);
      return {
        state: cur.state === 'open' ? 'closing' : 'opening',
        attributes: { ...a, current_position: pos === 100 ? 90 : 10 },
      };
    }
    case 'media_player': {
      const { media_title: _t, volume_level: _v, is_volume_muted: _m, ...base } = a;
      if (cur.state === 'off') {
        return {
          state: 'playing',
          attributes: {
            ...base,
            volume_level: round(rng.float(), 2),
            is_volume_muted: false,
            media_title: rng.pick(MEDIA_TITLES),
          },
        };
      }
      if (cur.state === 'playing') {
        return rng.chance(0.5)
          ? { state: 'paused', attributes: a }
          : {
              state: 'playing',
              attributes: { ...a, volume_level: otherVolume(rng, Number(a.volume_level)) },
            };
      }
      return rng.chance(0.5) ? { state: 'playing', attributes: a } : { state: 'off', attributes: base };
    }
    case 'person':
      return { state: cur.state === 'home' ? 'not_home' : 'home', attributes: a };
    case 'sun': {
      const elevation = round(Number(a.elevation) + (a.rising ? 0.3 : -0.3), 2);
      const rising = elevation >= 60 ? false : elevation <= -30 ? true : Boolean(a.rising);
      return {
        state: elevation > -0.833 ? 'above_horizon' : 'below_horizon',
        attributes: { ...a, elevation, azimuth: round((Number(a.azimuth) + 0.25) % 360, 2), rising },
      };
    }
  }
}
