/**
 * Every failing input quoted in issue 11 ("The mock Home Assistant: as strict as the real one,
 * and impossible to crash"), each with the value real Home Assistant gives (the golden
 * transcripts in fixtures/ha-transcripts prove the HA side). Input 7 (env files) is in
 * harness/config/env-file.test.ts.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor } from '../../util/wait.ts';
import { SCENARIO_LIMITS } from '../engine/schedule.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';

let ha: StartedMockHa;
const clients: RawClient[] = [];
const authed = async () => {
  const c = await RawClient.authed(ha.wsUrl, ha.token);
  clients.push(c);
  return c;
};
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${ha.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ha.token}`, 'content-type': 'application/json' },
  });
const control = (path: string, body: unknown) =>
  fetch(`${ha.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ha.controlToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Sends raw bytes on a new TCP connection; resolves with the status line of the answer. */
const rawRequest = (data: string) =>
  new Promise<string>((resolve, reject) => {
    const sock = connect(ha.port, '127.0.0.1');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) {
        sock.destroy();
        resolve(buf.split('\r\n')[0] as string);
      }
    });
    sock.on('error', reject);
    sock.on('close', () => resolve(buf.split('\r\n')[0] ?? ''));
    sock.write(data);
  });

beforeEach(async () => {
  ha = await startMockHa({ seed: 1, homeSize: 'small' });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await ha.stop();
});

describe('issue 11 inputs', () => {
  it('1: commands named like Object.prototype members get unknown_command; the mock keeps serving', async () => {
    const c = await authed();
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    for (const [i, type] of names.entries()) {
      c.send({ id: i + 1, type });
      expect(await c.next(type)).toEqual(msg.errorResult(i + 1, 'unknown_command', 'Unknown command.'));
    }
    c.send(msg.ping(1)); // unknown commands do not consume the id, as in HA
    expect(await c.next()).toEqual({ id: 1, type: 'pong' });
    expect(ha.stats().totals.handler_errors).toBe(0);
  });

  it('2: the request line GET //[ (plain and as a websocket upgrade) gets an HTTP answer; the mock keeps serving', async () => {
    expect(await rawRequest('GET //[ HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(
      await rawRequest(
        'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    ).toBe('HTTP/1.1 404 Not Found');
    expect(await rawRequest('GET /api/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawRequest('GARBAGE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect((await api('/api/')).status).toBe(200);
    const c = await authed();
    c.send(msg.ping(1));
    expect(await c.next()).toEqual({ id: 1, type: 'pong' });
  });

  it('3: a scenario beyond what the mock sustains gets 400 naming the field and the allowed range, and starts nothing', async () => {
    const res = await control('/_mock/scenario', { kind: 'steady', rate: 1e7, durationS: 3600 });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message: `mock-ha: "rate" must be a number in (0, ${SCENARIO_LIMITS.maxRate}] ev/s, got 10000000`,
      code: 'invalid_scenario',
    });
    const long = await control('/_mock/scenario', { kind: 'steady', rate: 500, durationS: 3600 });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toBe(
      `mock-ha: "durationS": steady at 500 ev/s for 3600 s schedules 1800000 events; at most ${SCENARIO_LIMITS.maxEvents} events per run are allowed (lower the rate or the duration)`,
    );
    for (const [body, field] of [
      [{ kind: 'steady', rate: 500, durationS: 1e9 }, 'durationS'],
      [{ kind: 'burst', baseRate: 1, burstRate: 1e6, burstS: 1, periodS: 2, durationS: 4 }, 'burstRate'],
      [{ kind: 'ramp', fromRate: 1, toRate: Number.MAX_VALUE, durationS: 1 }, 'toRate'],
      [{ kind: 'replay', trace: 'small-home-60s', speed: 1e9 }, 'speed'],
      [{ kind: 'steady', rate: 5, durationS: 1, extra: 1 }, 'extra'],
      [{ kind: 'constructor' }, 'kind'],
    ] as const) {
      const r = await control('/_mock/scenario', body);
      expect([field, r.status]).toEqual([field, 400]);
      expect(((await r.json()) as { message: string }).message).toContain(`"${field}"`);
    }
    expect(ha.stats().run).toBeNull();
  });

  it('4: subscribe_entities: [] means every entity, ids are lower-cased, a comma string is split, an invalid id is invalid_format', async () => {
    const c = await authed();
    c.send({ id: 1, type: 'subscribe_entities', entity_ids: [] });
    expect(await c.next()).toEqual(msg.result(1, null));
    const all = (await c.next()).event as { a: Record<string, unknown> };
    expect(Object.keys(all.a)).toHaveLength(ha.world.size);
    c.send({ id: 2, type: 'subscribe_entities', entity_ids: ['LIGHT.Kitchen_Ceiling'] });
    await c.next();
    expect(Object.keys(((await c.next()).event as { a: object }).a)).toEqual(['light.kitchen_ceiling']);
    c.send({ id: 3, type: 'subscribe_entities', entity_ids: 'light.kitchen_ceiling, sun.sun' });
    await c.next();
    expect(Object.keys(((await c.next()).event as { a: object }).a).sort()).toEqual([
      'light.kitchen_ceiling',
      'sun.sun',
    ]);
    c.send({ id: 4, type: 'subscribe_entities', entity_ids: ['sensor.ok', 'not an id'] });
    expect(await c.next()).toEqual(
      msg.errorResult(
        4,
        'invalid_format',
        "Entity ID not an id is an invalid entity ID for dictionary value @ data['entity_ids']. Got ['sensor.ok', 'not an id']",
      ),
    );
  });

  it('5: POST /api/states with a 256-character state: 400 "Invalid state specified." and nothing fired', async () => {
    const c = await authed();
    c.send(msg.subscribeEvents(1));
    await c.next();
    const fired = ha.stats().totals.events_fired;
    const res = await api('/api/states/sensor.x', {
      method: 'POST',
      body: JSON.stringify({ state: 'x'.repeat(256) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Invalid state specified.' });
    expect(ha.world.has('sensor.x')).toBe(false);
    expect(ha.stats().totals.events_fired).toBe(fired);
    const ok = await api('/api/states/sensor.x', {
      method: 'POST',
      body: JSON.stringify({ state: 'x'.repeat(255) }),
    });
    expect(ok.status).toBe(201);
    expect(((await c.next()).event as { event_type: string }).event_type).toBe('state_changed');
  });

  it('6: the mock pings like HA (55 s heartbeat by default) and closes a client that does not answer', async () => {
    await ha.stop();
    ha = await startMockHa({ heartbeatMs: 150, pongTimeoutMs: 150 });
    const deaf = new WebSocket(ha.wsUrl, { autoPong: false, perMessageDeflate: false });
    let pings = 0;
    deaf.on('ping', () => pings++);
    let closed = false;
    deaf.on('close', () => {
      closed = true;
    });
    await new Promise((r) => deaf.once('open', r));
    deaf.send(JSON.stringify(msg.auth(ha.token)));
    const polite = await authed(); // the ws client answers pings by itself
    await waitFor(async () => ({ done: closed, seen: `pings=${pings}` }), {
      what: 'the mock to close the client that ignores pings',
      timeoutMs: 5000,
    });
    expect(pings).toBeGreaterThanOrEqual(1);
    const reasons = ha.stats().closed_clients.map((x) => x.close_reason);
    expect(reasons).toContain('heartbeat_timeout');
    polite.send(msg.ping(1));
    expect(await polite.next('pong', 2000)).toEqual({ id: 1, type: 'pong' });
  });

  it("6: by default the heartbeat is HA's: 55 s, pong within 27.5 s", async () => {
    expect(ha.stats().limits).toMatchObject({ heartbeatMs: 55_000, pongTimeoutMs: 27_500 });
  });

  it('8: light.turn_on over REST answers 200 with the changed states; over websocket success with a context; both recorded', async () => {
    const off = await api('/api/services/light/turn_off', {
      method: 'POST',
      body: JSON.stringify({ entity_id: 'light.kitchen_ceiling' }),
    });
    expect(off.status).toBe(200);
    const res = await api('/api/services/light/turn_on', {
      method: 'POST',
      body: JSON.stringify({ entity_id: 'light.kitchen_ceiling' }),
    });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as { entity_id: string; state: string; context: { id: string } }[];
    expect(changed.map((s) => [s.entity_id, s.state])).toEqual([['light.kitchen_ceiling', 'on']]);
    const c = await authed();
    c.send({ id: 1, type: 'subscribe_events', event_type: 'state_changed' });
    await c.next();
    c.send({
      id: 2,
      type: 'call_service',
      domain: 'light',
      service: 'turn_off',
      target: { entity_id: 'light.kitchen_ceiling' },
    });
    const event = (await c.next()).event as {
      context: { id: string };
      data: { new_state: { state: string } };
    };
    const result = await c.next();
    expect(result).toMatchObject({ id: 2, type: 'result', success: true });
    const context = (result.result as { context: { id: string; user_id: string } }).context;
    expect(event.context.id).toBe(context.id);
    expect(event.data.new_state.state).toBe('off');
    const log = (await (
      await fetch(`${ha.url}/_mock/actions`, { headers: { authorization: `Bearer ${ha.controlToken}` } })
    ).json()) as {
      calls: { via: string; domain: string; service: string; entity_ids: string[]; context_id: string }[];
    };
    expect(log.calls.map((x) => [x.via, `${x.domain}.${x.service}`, x.entity_ids])).toEqual([
      ['rest', 'light.turn_off', ['light.kitchen_ceiling']],
      ['rest', 'light.turn_on', ['light.kitchen_ceiling']],
      ['websocket', 'light.turn_off', ['light.kitchen_ceiling']],
    ]);
    expect(log.calls[2]?.context_id).toBe(context.id);
  });

  it('8: every advertised service can be called (REST and websocket); what it cannot run it does not advertise', async () => {
    const services = (await (await api('/api/services')).json()) as {
      domain: string;
      services: Record<string, unknown>;
    }[];
    const c = await authed();
    let id = 0;
    for (const { domain, services: s } of services) {
      for (const service of Object.keys(s)) {
        const data: Record<string, unknown> =
          service === 'set_cover_position'
            ? { position: 50 }
            : service === 'volume_set'
              ? { volume_level: 0.3 }
              : service === 'set_hvac_mode'
                ? { hvac_mode: 'cool' }
                : {};
        const res = await api(`/api/services/${domain}/${service}`, {
          method: 'POST',
          body: JSON.stringify(data),
        });
        expect([`${domain}.${service}`, res.status]).toEqual([`${domain}.${service}`, 200]);
        c.send({ id: ++id, type: 'call_service', domain, service, service_data: data });
        expect([`${domain}.${service}`, (await c.next()).success]).toEqual([`${domain}.${service}`, true]);
      }
    }
    c.send({ id: ++id, type: 'call_service', domain: 'light', service: 'explode' });
    expect(((await c.next()).error as { code: string }).code).toBe('not_found');
  });

  it('9: POST /api/events/my_event fires it; DELETE /api/states/<existing> removes it', async () => {
    const c = await authed();
    c.send(msg.subscribeEvents(1, 'my_event'));
    await c.next();
    const res = await api('/api/events/my_event', { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Event my_event fired.' });
    expect((await c.next()).event).toMatchObject({
      event_type: 'my_event',
      data: { a: 1 },
      origin: 'REMOTE',
    });
    const del = await api('/api/states/sun.sun', { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ message: 'Entity removed.' });
    expect(ha.world.has('sun.sun')).toBe(false);
    const again = await api('/api/states/sun.sun', { method: 'DELETE' });
    expect([again.status, await again.json()]).toEqual([404, { message: 'Entity not found.' }]);
  });

  it('10: registry names compose as HA composes them ("<device name> <entity name>")', async () => {
    const c = await authed();
    c.send(msg.command(1, 'config/entity_registry/list'));
    const entities = (await c.next()).result as {
      entity_id: string;
      device_id: string | null;
      has_entity_name: boolean;
      original_name: string | null;
    }[];
    c.send(msg.command(2, 'config/device_registry/list'));
    const devices = new Map(
      ((await c.next()).result as { id: string; name: string }[]).map((d) => [d.id, d.name]),
    );
    for (const e of entities) {
      const friendly = ha.world.get(e.entity_id)?.attributes.friendly_name;
      const device = e.device_id ? devices.get(e.device_id) : undefined;
      const composed =
        e.has_entity_name && device ? [device, e.original_name].filter(Boolean).join(' ') : e.original_name;
      expect([e.entity_id, composed]).toEqual([e.entity_id, friendly]);
      if (device && e.original_name) expect(e.original_name.startsWith(device)).toBe(false);
    }
    const temp = entities.find((e) => e.entity_id === 'sensor.living_room_temperature');
    expect(temp).toMatchObject({ has_entity_name: true, original_name: 'Temperature' });
    expect(ha.world.get('sensor.living_room_temperature')?.attributes.friendly_name).toBe(
      'Living Room Multisensor Temperature',
    );
  });

  it("a handler that throws becomes HA's unknown_error reply and is counted; the connection and the mock stay", async () => {
    const c = await authed();
    const world = ha.world as unknown as { states: () => unknown };
    const states = world.states.bind(world);
    let faulty = true;
    world.states = () => {
      if (faulty) throw new Error('planted fault');
      return states();
    };
    c.send(msg.command(1, 'get_states'));
    expect(await c.next()).toEqual(msg.errorResult(1, 'unknown_error', 'Unknown error'));
    c.send(msg.ping(2));
    expect(await c.next()).toEqual({ id: 2, type: 'pong' });
    const rest = await api('/api/states');
    expect(rest.status).toBe(500);
    faulty = false;
    expect(ha.stats().totals.handler_errors).toBe(2);
  });
});
