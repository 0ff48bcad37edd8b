import { describe, expect, it } from 'vitest';
import { buildHome } from '../home/home.ts';
import { World } from '../home/world.ts';
import {
  compressState,
  haIsoTime,
  isoToEpochSeconds,
  stateChangedEvent,
  stateDiff,
  stateJson,
} from './messages.ts';
import type { HaState } from './types.ts';

describe('message builders', () => {
  it('formats times as HA does (microseconds, +00:00) and back', () => {
    expect(haIsoTime(1_767_225_600_123.456)).toBe('2026-01-01T00:00:00.123456+00:00');
    expect(haIsoTime(1_767_225_601_000)).toBe('2026-01-01T00:00:01.000000+00:00');
    expect(isoToEpochSeconds('2026-01-01T00:00:00.123456+00:00')).toBeCloseTo(1_767_225_600.123456, 6);
  });

  it('serialises states and events exactly like JSON.stringify of the objects', () => {
    const world = new World(buildHome(3, 'medium'), 1_767_225_600_000);
    for (let i = 0; i < 500; i++) {
      const c = world.next(1_767_225_601_000 + i * 3.3);
      const n = c.newState as HaState;
      expect(stateJson(n)).toBe(JSON.stringify(n));
      expect(c.eventJson()).toBe(
        JSON.stringify(stateChangedEvent(c.entityId, c.oldState, c.newState, c.timeFired, c.context)),
      );
    }
  });

  it('compresses states and diffs as subscribe_entities does', () => {
    const base: HaState = {
      entity_id: 'light.x',
      state: 'on',
      attributes: { brightness: 10, friendly_name: 'X' },
      last_changed: '2026-01-01T00:00:00.000000+00:00',
      last_reported: '2026-01-01T00:00:00.000000+00:00',
      last_updated: '2026-01-01T00:00:00.000000+00:00',
      context: { id: 'A', parent_id: null, user_id: null },
    };
    expect(compressState(base)).toEqual({ s: 'on', a: base.attributes, c: 'A', lc: 1_767_225_600 });
    const dimmed = {
      ...base,
      attributes: { friendly_name: 'X', color: 'red' },
      last_updated: '2026-01-01T00:00:01.000000+00:00',
      context: { id: 'B', parent_id: null, user_id: 'u' },
    };
    expect(stateDiff(base, dimmed)).toEqual({
      '+': { lu: 1_767_225_601, c: { user_id: 'u', id: 'B' }, a: { color: 'red' } },
      '-': { a: ['brightness'] },
    });
  });
});
