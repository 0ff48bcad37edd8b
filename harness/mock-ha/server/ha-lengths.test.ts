/**
 * HA's length limits count characters as Python's len() does (code points): a 255-character
 * state or a 64-character event type made of emoji is valid in HA (`validate_state`,
 * `MAX_LENGTH_EVENT_EVENT_TYPE` in homeassistant/core.py), although each emoji is two UTF-16
 * code units in JavaScript. Found by trying the mock: a state of 200 emoji got 400 "Invalid state
 * specified." where HA stores it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StartedMockHa, startMockHa } from '../index.ts';
import { validState } from '../protocol/validation.ts';
import { RawClient } from '../testing/raw-client.ts';

const emoji = (n: number) => '😀'.repeat(n);

describe('length limits count code points, as Python does', () => {
  let ha: StartedMockHa;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    ha = await startMockHa({ seed: 1, homeSize: 'small' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await ha.stop();
  });
  const post = (path: string, body: unknown) =>
    fetch(`${ha.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ha.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('validState: 255 emoji are a valid state, 256 are not', () => {
    expect(validState(emoji(255))).toBe(true);
    expect(validState(emoji(256))).toBe(false);
  });

  it('REST: a 255-emoji state is stored (201), a 256-emoji state is 400 "Invalid state specified."', async () => {
    const ok = await post('/api/states/sensor.emoji', { state: emoji(255) });
    expect(ok.status).toBe(201);
    expect(ha.world.get('sensor.emoji')?.state).toBe(emoji(255));
    const bad = await post('/api/states/sensor.emoji_long', { state: emoji(256) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'Invalid state specified.' });
  });

  it('events: a 64-emoji event type fires over REST and websocket; 65 is refused', async () => {
    const rest = await post(`/api/events/${encodeURIComponent(emoji(64))}`, {});
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({ message: `Event ${emoji(64)} fired.` });
    expect((await post(`/api/events/${encodeURIComponent(emoji(65))}`, {})).status).toBe(500);
    const c = await RawClient.authed(ha.wsUrl, ha.token);
    clients.push(c);
    c.send({ id: 1, type: 'fire_event', event_type: emoji(64) });
    expect(await c.next('fire_event 64')).toMatchObject({ id: 1, success: true });
    c.send({ id: 2, type: 'fire_event', event_type: emoji(65) });
    expect(await c.next('fire_event 65')).toMatchObject({
      id: 2,
      success: false,
      error: { code: 'home_assistant_error' },
    });
  });
});
