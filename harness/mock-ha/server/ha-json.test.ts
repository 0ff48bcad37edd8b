/**
 * JSON as Home Assistant reads it (websocket frames and REST bodies both go through
 * `homeassistant.util.json.json_loads` = orjson.loads, orjson 3.10.16 in HA 2025.4.4):
 * nesting deeper than 1024 arrays/objects, a number that overflows to infinity (`1e400`) and a
 * lone surrogate escape (`"\ud800"`) are invalid JSON there. HA closes the websocket ("Received
 * invalid JSON.") and answers REST with 400 "Invalid JSON specified.".
 *
 * Found by trying the mock: a REST write whose attributes nest 20,000 deep was stored, and from
 * then on every GET /api/states and websocket get_states failed (JSON.stringify overflowed the
 * stack) until the entity was removed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StartedMockHa, startMockHa } from '../index.ts';
import { parseJson } from '../protocol/validation.ts';
import { RawClient } from '../testing/raw-client.ts';

const nest = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('parseJson: orjson rules', () => {
  it('accepts 1024 levels of nesting and refuses 1025 (also inside strings-free objects)', () => {
    expect(parseJson(nest(1024))).toBeDefined();
    expect(parseJson(nest(1025))).toBeUndefined();
    expect(parseJson(`{"a":${nest(1023)}}`)).toBeDefined();
    expect(parseJson(`{"a":${nest(1024)}}`)).toBeUndefined();
    // brackets inside strings do not count
    expect(parseJson(JSON.stringify({ s: '['.repeat(5000) }))).toEqual({ value: { s: '['.repeat(5000) } });
    expect(parseJson(nest(1_000_000))).toBeUndefined();
  });

  it('refuses numbers that overflow to infinity and lone surrogate escapes; keeps valid pairs', () => {
    expect(parseJson('1e400')).toBeUndefined();
    expect(parseJson('{"a":[-1e400]}')).toBeUndefined();
    expect(parseJson('{"a":1e308}')).toEqual({ value: { a: 1e308 } });
    expect(parseJson('1e-400')).toEqual({ value: 0 });
    expect(parseJson('"\\ud800"')).toBeUndefined();
    expect(parseJson('{"\\udc00":1}')).toBeUndefined();
    expect(parseJson('"\\ud83d\\ude00"')).toEqual({ value: '😀' });
  });
});

describe('the mock reads JSON as HA does (real sockets)', () => {
  let ha: StartedMockHa;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    ha = await startMockHa({ seed: 1, homeSize: 'small' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await ha.stop();
  });
  const post = (path: string, body: string, token = ha.token) =>
    fetch(`${ha.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
  const statesStillServed = async () => {
    const all = await fetch(`${ha.url}/api/states`, { headers: { authorization: `Bearer ${ha.token}` } });
    expect(all.status).toBe(200);
    const c = await RawClient.authed(ha.wsUrl, ha.token);
    clients.push(c);
    c.send({ id: 1, type: 'get_states' });
    expect(await c.next('get_states')).toMatchObject({ id: 1, type: 'result', success: true });
  };

  it('REST: deep, infinite or lone-surrogate JSON is 400 "Invalid JSON specified." and stores nothing', async () => {
    for (const body of [
      `{"state":"1","attributes":{"a":${nest(20_000)}}}`,
      '{"state":1e400}',
      '{"state":"\\ud800"}',
    ]) {
      const res = await post('/api/states/sensor.deep', body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(await res.json()).toEqual({ message: 'Invalid JSON specified.' });
    }
    expect(ha.world.has('sensor.deep')).toBe(false);
    await statesStillServed();
    expect(ha.stats().totals.handler_errors).toBe(0);
  });

  it('control API: a deep body is refused with 400 and cannot poison the states', async () => {
    const res = await post(
      '/_mock/event',
      `{"entity_id":"sensor.deep","state":"1","attributes":{"a":${nest(20_000)}}}`,
      ha.controlToken as string,
    );
    expect(res.status).toBe(400);
    expect(ha.world.has('sensor.deep')).toBe(false);
    await statesStillServed();
  });

  it('websocket: a frame nested deeper than 1024 closes the connection as invalid JSON, like HA', async () => {
    for (const frame of [`{"id":1,"type":"ping","x":${nest(1024)}}`, '{"id":1,"type":"ping","x":1e400}']) {
      const c = await RawClient.authed(ha.wsUrl, ha.token);
      clients.push(c);
      c.send(frame);
      await c.waitClosed();
      expect(c.messages.filter((m) => m.type !== 'auth_required' && m.type !== 'auth_ok')).toEqual([]);
    }
    const ok = await RawClient.authed(ha.wsUrl, ha.token);
    clients.push(ok);
    // 1 (message) + 1 (event_data) + 1022 = 1024 levels: valid JSON for HA
    ok.send(`{"id":1,"type":"fire_event","event_type":"deep","event_data":{"a":${nest(1022)}}}`);
    expect(await ok.next('fire_event result')).toMatchObject({ id: 1, type: 'result', success: true });
    expect(ha.stats().totals.handler_errors).toBe(0);
  });
});
