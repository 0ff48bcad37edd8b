import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';

let ha: StartedMockHa;
const clients: RawClient[] = [];
const track = (c: RawClient) => {
  clients.push(c);
  return c;
};
const authed = async () => track(await RawClient.authed(ha.wsUrl, ha.token));

beforeEach(async () => {
  ha = await startMockHa({ seed: 11, authTimeoutMs: 150 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await ha.stop();
});

describe('auth phase', () => {
  it('sends auth_required on connect and auth_ok with ha_version for the right token', async () => {
    const c = track(new RawClient(ha.wsUrl));
    expect(await c.next()).toEqual({ type: 'auth_required', ha_version: '2025.11.2' });
    c.send(msg.auth(ha.token));
    expect(await c.next()).toEqual({ type: 'auth_ok', ha_version: '2025.11.2' });
  });

  it('accepts auth sent before auth_required arrives (as the official JS client does)', async () => {
    const c = track(new RawClient(ha.wsUrl));
    await c.opened();
    c.send(msg.auth(ha.token)); // sent on open, before reading anything
    expect((await c.next()).type).toBe('auth_required');
    expect((await c.next()).type).toBe('auth_ok');
  });

  it('answers a bad token with auth_invalid, then closes', async () => {
    const c = track(new RawClient(ha.wsUrl));
    await c.opened();
    c.send(msg.auth('x'.repeat(40)));
    await c.next();
    expect(await c.next()).toEqual({ type: 'auth_invalid', message: 'Invalid access token or password' });
    expect(await c.waitClosed()).toBe(1000);
    expect(ha.stats().totals.auth_failures).toBe(1);
  });

  it('answers a malformed auth message with auth_invalid, then closes', async () => {
    const c = track(new RawClient(ha.wsUrl));
    await c.opened();
    c.send({ type: 'login', access_token: ha.token });
    await c.next();
    const m = await c.next();
    expect(m.type).toBe('auth_invalid');
    expect(String(m.message)).toMatch(/^Auth message incorrectly formatted/);
    await c.waitClosed();
  });

  it('closes a client that does not authenticate in time (injected 150 ms)', async () => {
    const c = track(new RawClient(ha.wsUrl));
    await c.next();
    await c.waitClosed(3000);
    expect(ha.stats().totals.auth_timeouts).toBe(1);
  });

  it('closes on a binary frame before auth and on an empty one after; ignores other binary frames after auth (as HA)', async () => {
    const before = track(new RawClient(ha.wsUrl));
    await before.opened();
    before.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await before.waitClosed();
    const after = await authed();
    after.ws.send(Buffer.from('{"id":1,"type":"ping"}'), { binary: true }); // handler 123: none, dropped
    after.send(msg.ping(2));
    expect(await after.next()).toEqual({ id: 2, type: 'pong' });
    after.ws.send(Buffer.alloc(0), { binary: true });
    await after.waitClosed();
  });

  it('closes on invalid JSON, before and after auth', async () => {
    const before = track(new RawClient(ha.wsUrl));
    await before.opened();
    before.send('{not json');
    await before.waitClosed();
    const after = await authed();
    after.send('[{"id":1,');
    await after.waitClosed();
  });
});

describe('framing and errors', () => {
  it('answers ping with pong', async () => {
    const c = await authed();
    c.send(msg.ping(1));
    expect(await c.next()).toEqual({ id: 1, type: 'pong' });
  });

  it('refuses an id that does not increase (id_reuse) and keeps the connection open', async () => {
    const c = await authed();
    c.send(msg.ping(5));
    await c.next();
    c.send(msg.ping(5));
    expect(await c.next()).toEqual(msg.errorResult(5, 'id_reuse', 'Identifier values have to increase.'));
    c.send(msg.ping(4));
    expect(((await c.next()).error as { code: string }).code).toBe('id_reuse');
    c.send(msg.ping(6));
    expect(await c.next()).toEqual({ id: 6, type: 'pong' });
    expect(c.closeCode).toBeNull();
  });

  it('answers messages without a valid id or type with invalid_format', async () => {
    const c = await authed();
    // HA echoes the id as sent (null when absent).
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({
      ...msg.errorResult(0, 'invalid_format', 'Message incorrectly formatted.'),
      id: null,
    });
    c.send({ id: 'a', type: 'ping' });
    expect(await c.next()).toEqual({
      ...msg.errorResult(0, 'invalid_format', 'Message incorrectly formatted.'),
      id: 'a',
    });
    c.send({ id: 3 });
    expect(await c.next()).toEqual(msg.errorResult(3, 'invalid_format', 'Message incorrectly formatted.'));
  });

  it('answers unknown commands with unknown_command without consuming the id', async () => {
    const c = await authed();
    c.send({ id: 1, type: 'no_such_command' });
    expect(await c.next()).toEqual(msg.errorResult(1, 'unknown_command', 'Unknown command.'));
    c.send(msg.ping(1)); // HA does not advance last_id on unknown commands
    expect(await c.next()).toEqual({ id: 1, type: 'pong' });
  });

  it('refuses schema violations with invalid_format', async () => {
    const c = await authed();
    c.send({ id: 1, type: 'subscribe_events', event_type: 5 });
    const e1 = (await c.next()).error as { code: string; message: string };
    expect(e1).toEqual({
      code: 'invalid_format',
      message: "expected str for dictionary value @ data['event_type']. Got 5",
    });
    c.send({ id: 2, type: 'get_states', extra: true });
    expect(((await c.next()).error as { message: string }).message).toMatch(/extra keys not allowed/);
    c.send({ id: 3, type: 'unsubscribe_events' });
    expect(((await c.next()).error as { message: string }).message).toMatch(/required key not provided/);
  });

  it('answers unsubscribe of an unknown subscription with not_found', async () => {
    const c = await authed();
    c.send(msg.unsubscribeEvents(1, 99));
    expect(await c.next()).toEqual(msg.errorResult(1, 'not_found', 'Subscription not found.'));
  });

  it('accepts an array of messages in one frame', async () => {
    const c = await authed();
    c.send([msg.ping(1), msg.ping(2), msg.command(3, 'get_config')]);
    expect(await c.next()).toEqual({ id: 1, type: 'pong' });
    expect(await c.next()).toEqual({ id: 2, type: 'pong' });
    expect((await c.next()).id).toBe(3);
  });
});

describe('coalescing', () => {
  /** Subscribes, runs 1000 events at 20,000 ev/s (several due per wake-up) and returns the frames. */
  const burstFrames = async (c: RawClient, firstId: number) => {
    c.send(msg.subscribeEvents(firstId, 'state_changed'));
    await c.next();
    const before = c.frames.length;
    const run = ha.startScenario({ kind: 'steady', rate: 20_000, durationS: 0.05 });
    const report = await ha.waitForRun(run.run_id);
    expect(report.count).toBe(1000);
    await waitFor(
      async () => {
        const n = c.messages.filter((m) => m.type === 'event').length;
        return { done: n === 1000, seen: `${n} events` };
      },
      { what: '1000 events at the client', timeoutMs: 5000 },
    );
    return c.frames.slice(before);
  };

  it('sends one message per frame until supported_features asks for coalescing', async () => {
    const frames = await burstFrames(await authed(), 1);
    expect(frames).toHaveLength(1000);
    expect(frames.every((f) => f.startsWith('{'))).toBe(true);
  });

  it('coalesces queued messages into JSON array frames when enabled', async () => {
    const c = await authed();
    c.send(msg.supportedFeatures(1));
    expect(await c.next()).toEqual(msg.result(1, null));
    const frames = await burstFrames(c, 2);
    expect(frames.some((f) => f.startsWith('['))).toBe(true);
    expect(frames.length).toBeLessThan(500);
  });
});

describe('subscriptions', () => {
  it('subscribe_events by type gets state_changed only; subscribe_events (all) also gets registry events', async () => {
    const c = await authed();
    c.send(msg.subscribeEvents(1, 'state_changed'));
    c.send(msg.subscribeEvents(2));
    expect(await c.next()).toEqual(msg.result(1, null));
    expect(await c.next()).toEqual(msg.result(2, null));
    ha.fire({ entity_id: 'sun.sun', state: 'below_horizon' });
    const a = await c.next();
    const b = await c.next();
    expect([a.id, b.id].sort()).toEqual([1, 2]);
    const ev = a.event as { event_type: string; data: { entity_id: string; new_state: { state: string } } };
    expect(ev.event_type).toBe('state_changed');
    expect(ev.data.entity_id).toBe('sun.sun');
    expect(ev.data.new_state.state).toBe('below_horizon');
  });

  it('stops sending after unsubscribe_events', async () => {
    const c = await authed();
    c.send(msg.subscribeEvents(1, 'state_changed'));
    await c.next();
    c.send(msg.unsubscribeEvents(2, 1));
    expect(await c.next()).toEqual(msg.result(2, null));
    ha.fire();
    c.send(msg.ping(3));
    expect(await c.next()).toEqual({ id: 3, type: 'pong' });
    expect(c.messages.filter((m) => m.type === 'event')).toHaveLength(0);
  });

  it('subscribe_entities: result, all states as "a", then "c" diffs with lc or lu', async () => {
    const c = await authed();
    c.send(msg.subscribeEntities(1));
    expect(await c.next()).toEqual(msg.result(1, null));
    const initial = (await c.next()).event as { a: Record<string, { s: string; lc: number; c: string }> };
    expect(Object.keys(initial.a).sort()).toEqual([...ha.world.states()].map((s) => s.entity_id).sort());
    const light = [...ha.world.states()].find((s) => s.entity_id.startsWith('light.') && s.state === 'on');
    expect(light).toBeDefined();
    if (!light) return;
    // Attribute-only change: last_changed stays, so the diff carries lu, not lc.
    ha.fire({ entity_id: light.entity_id, state: 'on', attributes: { ...light.attributes, brightness: 7 } });
    const dim = (await c.next()).event as { c: Record<string, { '+': Record<string, unknown> }> };
    const plus = dim.c[light.entity_id]?.['+'] ?? {};
    expect(plus.a).toEqual({ brightness: 7 });
    expect(plus.lu).toBeTypeOf('number');
    expect(plus.lc).toBeUndefined();
    expect(plus.s).toBeUndefined();
    expect(plus.c).toBe(ha.world.get(light.entity_id)?.context.id);
    // State change: lc moves; removed attribute keys are listed under "-".
    ha.fire({ entity_id: light.entity_id, state: 'off', attributes: { friendly_name: 'x' } });
    const off = (await c.next()).event as {
      c: Record<string, { '+': Record<string, unknown>; '-': { a: string[] } }>;
    };
    const d = off.c[light.entity_id];
    expect(d?.['+'].s).toBe('off');
    expect(d?.['+'].lc).toBeTypeOf('number');
    expect(d?.['-'].a).toContain('brightness');
  });

  it('subscribe_entities with entity_ids filters; registry create/remove give "a" and "r"', async () => {
    const c = await authed();
    c.send(msg.subscribeEntities(1, ['sun.sun']));
    c.send(msg.subscribeEntities(2));
    c.send(msg.subscribeEvents(3, 'entity_registry_updated'));
    await c.next();
    const filtered = (await c.next()).event as { a: Record<string, unknown> };
    expect(Object.keys(filtered.a)).toEqual(['sun.sun']);
    await c.next();
    await c.next();
    await c.next();
    const res = await fetch(`${ha.url}/_mock/registry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ha.controlToken}` },
      body: JSON.stringify({ action: 'create', kind: 'temperature', name: 'Attic Probe' }),
    });
    expect(res.status).toBe(201);
    const reg = await c.next();
    expect(reg).toMatchObject({
      id: 3,
      event: {
        event_type: 'entity_registry_updated',
        data: { action: 'create', entity_id: 'sensor.attic_probe' },
      },
    });
    const added = await c.next();
    expect(added.id).toBe(2);
    expect(Object.keys((added.event as { a: object }).a)).toEqual(['sensor.attic_probe']);
    await fetch(`${ha.url}/_mock/registry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ha.controlToken}` },
      body: JSON.stringify({ action: 'remove', entity_id: 'sensor.attic_probe' }),
    });
    expect((await c.next()).event).toMatchObject({
      data: { action: 'remove', entity_id: 'sensor.attic_probe' },
    });
    expect(await c.next()).toEqual({ id: 2, type: 'event', event: { r: ['sensor.attic_probe'] } });
  });
});

describe('queries', () => {
  it('answers get_states, get_config, get_services and the registry lists', async () => {
    const c = await authed();
    const types = [
      'get_states',
      'get_config',
      'get_services',
      'config/device_registry/list',
      'config/entity_registry/list',
      'config/area_registry/list',
      'config_entries/list',
    ];
    for (const [i, t] of types.entries()) c.send(msg.command(i + 1, t));
    const results = new Map<string, unknown>();
    for (let i = 0; i < types.length; i++) {
      const m = await c.next();
      expect(m).toMatchObject({ type: 'result', success: true });
      results.set(types[(m.id as number) - 1] as string, m.result);
    }
    const states = results.get('get_states') as { entity_id: string; context: { id: string } }[];
    expect(states.length).toBe(ha.world.size);
    expect(states[0]?.context.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(results.get('get_config')).toMatchObject({
      version: '2025.11.2',
      state: 'RUNNING',
      unit_system: { temperature: '°C' },
    });
    expect(results.get('get_services')).toHaveProperty('light.turn_on');
    const devices = results.get('config/device_registry/list') as { id: string; area_id: string | null }[];
    const entities = results.get('config/entity_registry/list') as {
      entity_id: string;
      device_id: string | null;
    }[];
    const areas = results.get('config/area_registry/list') as { area_id: string }[];
    const entries = results.get('config_entries/list') as { entry_id: string; domain: string }[];
    expect(entities.map((e) => e.entity_id).sort()).toEqual(states.map((s) => s.entity_id).sort());
    const deviceIds = new Set(devices.map((d) => d.id));
    expect(entities.every((e) => e.device_id === null || deviceIds.has(e.device_id))).toBe(true);
    const areaIds = new Set(areas.map((a) => a.area_id));
    expect(devices.every((d) => d.area_id === null || areaIds.has(d.area_id))).toBe(true);
    expect(entries.map((e) => e.domain)).toContain('zha');
  });
});
