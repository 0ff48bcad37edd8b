import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { HaState } from '../protocol/types.ts';
import { buildHome } from './home.ts';
import { deviceRegistryList, entityRegistryList } from './registries.ts';
import { World } from './world.ts';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

function run(seed: number, n: number, size: 'small' | 'medium' | 'large' = 'small') {
  const world = new World(buildHome(seed, size), T0);
  const events: string[] = [];
  for (let i = 0; i < n; i++) events.push(world.next(T0 + 1000 + i * 2.5).eventJson());
  return { world, events };
}

describe('synthetic home', () => {
  it('is deterministic: same seed and times -> byte-identical registries and events', () => {
    const a = run(42, 2000);
    const b = run(42, 2000);
    expect(b.events).toEqual(a.events);
    expect(entityRegistryList(b.world.home)).toEqual(entityRegistryList(a.world.home));
    expect(deviceRegistryList(b.world.home)).toEqual(deviceRegistryList(a.world.home));
  });

  it('differs for another seed', () => {
    expect(run(43, 50).events).not.toEqual(run(42, 50).events);
  });

  it('covers every required domain and device class at every size', () => {
    for (const size of ['small', 'medium', 'large'] as const) {
      const world = new World(buildHome(1, size), T0);
      const states = [...world.states()];
      const domains = new Set(states.map((s) => s.entity_id.split('.')[0]));
      const required = [
        'sensor',
        'binary_sensor',
        'light',
        'switch',
        'climate',
        'cover',
        'media_player',
        'person',
        'sun',
      ];
      for (const d of required) expect(domains, `${size}: ${d}`).toContain(d);
      const classes = new Set(states.map((s) => s.attributes.device_class));
      for (const c of ['temperature', 'humidity', 'power', 'energy', 'motion', 'door']) {
        expect(classes, `${size}: ${c}`).toContain(c);
      }
    }
    expect(new World(buildHome(1, 'small'), T0).size).toBeGreaterThan(30);
    expect(new World(buildHome(1, 'large'), T0).size).toBeGreaterThan(250);
  });
});

describe('state_changed rules', () => {
  const { events } = run(7, 3000, 'medium');
  const parsed = events.map(
    (e) =>
      JSON.parse(e) as {
        event_type: string;
        time_fired: string;
        context: { id: string; parent_id: null; user_id: null };
        data: { entity_id: string; old_state: HaState; new_state: HaState };
      },
  );

  it('chains old_state to the previous new_state of the same entity', () => {
    const lastNew = new Map<string, HaState>();
    let chained = 0;
    for (const ev of parsed) {
      const prev = lastNew.get(ev.data.entity_id);
      if (prev) {
        expect(ev.data.old_state).toEqual(prev);
        chained++;
      }
      lastNew.set(ev.data.entity_id, ev.data.new_state);
    }
    expect(chained).toBeGreaterThan(2500);
  });

  it('moves last_changed only when the state changes, last_updated on every change', () => {
    let attributeOnly = 0;
    for (const ev of parsed) {
      const { old_state: o, new_state: n } = ev.data;
      expect(n.state !== o.state || JSON.stringify(n.attributes) !== JSON.stringify(o.attributes)).toBe(true);
      expect(n.last_updated).toBe(ev.time_fired);
      if (n.state === o.state) {
        expect(n.last_changed).toBe(o.last_changed);
        attributeOnly++;
      } else expect(n.last_changed).toBe(n.last_updated);
    }
    expect(attributeOnly).toBeGreaterThan(10);
  });

  it('uses ULID context ids whose time is the event time, shared by event and new state', () => {
    for (const ev of parsed) {
      expect(isValid(ev.context.id)).toBe(true);
      expect(ev.context).toEqual({ id: ev.context.id, parent_id: null, user_id: null });
      expect(ev.data.new_state.context).toEqual(ev.context);
      expect(decodeTime(ev.context.id)).toBe(Math.floor(Date.parse(ev.time_fired)));
    }
    expect(new Set(parsed.map((e) => e.context.id)).size).toBe(parsed.length);
  });

  it('writes HA time format (microseconds, +00:00) and HA units', () => {
    expect(parsed[0]?.time_fired).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const temp = parsed.find((e) => e.data.new_state.attributes.device_class === 'temperature');
    expect(temp?.data.new_state.attributes.unit_of_measurement).toBe('°C');
    expect(Number.isFinite(Number(temp?.data.new_state.state))).toBe(true);
  });

  it('a home sized to the rate honours the minimum gap per entity (no same-millisecond pair), deterministically', () => {
    // 2,000 ev/s for 5 s, 1 s minimum gap: needs > 2,000 entities; sized to twice that.
    const sized = () => {
      const world = new World(buildHome(40, 'small', { entities: 4_000 }), T0, { minGapMs: 1_000 });
      const changes = Array.from({ length: 10_000 }, (_, i) => world.next(T0 + 1000 + i * 0.5));
      return { world, changes };
    };
    const { world, changes } = sized();
    expect(world.size).toBeGreaterThanOrEqual(4_000);
    const last = new Map<string, number>();
    let minGap = Number.POSITIVE_INFINITY;
    for (const c of changes) {
      const prev = last.get(c.entityId);
      if (prev !== undefined) minGap = Math.min(minGap, c.epochMs - prev);
      last.set(c.entityId, c.epochMs);
    }
    expect(minGap).toBeGreaterThanOrEqual(1_000);
    expect(world.gapViolations).toBe(0);
    expect(sized().changes.map((c) => c.contextId)).toEqual(changes.map((c) => c.contextId));
  });

  it('counts gap violations when the home is too small for the rate (43 entities at 2,000 ev/s)', () => {
    const world = new World(buildHome(40, 'small'), T0, { minGapMs: 1_000 });
    for (let i = 0; i < 1_000; i++) world.next(T0 + 1000 + i * 0.5);
    expect(world.gapViolations).toBeGreaterThan(900);
  });
});
