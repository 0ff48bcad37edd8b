import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';

let ha: StartedMockHa;
beforeAll(async () => {
  ha = await startMockHa({ seed: 5 });
});
afterAll(() => ha.stop());

const api = (path: string, init: RequestInit = {}, token: string | null = ha.token) =>
  fetch(`${ha.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
  });

describe('REST API', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    for (const token of [null, 'w'.repeat(40)]) {
      const res = await api('/api/', {}, token);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('401: Unauthorized');
    }
  });

  it("writes a non-string state as Python's str() of it, as HA's async_set does (dicts and lists too)", async () => {
    const cases: [unknown, string][] = [
      [true, 'True'],
      [{ a: 1, b: [true, null, "x'y"] }, `{'a': 1, 'b': [True, None, "x'y"]}`],
      [['a', 1.5], "['a', 1.5]"],
    ];
    for (const [state, expected] of cases) {
      const res = await api('/api/states/sensor.py_str', { method: 'POST', body: JSON.stringify({ state }) });
      expect(res.status).toBeLessThan(300);
      expect(((await res.json()) as { state: string }).state, JSON.stringify(state)).toBe(expected);
    }
  });

  it('answers the ingestion pre-check GET /api/', async () => {
    const res = await api('/api/');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'API running.' });
  });

  it('serves /api/states, /api/states/<id>, /api/services and /api/config', async () => {
    const states = (await (await api('/api/states')).json()) as { entity_id: string }[];
    expect(states).toHaveLength(ha.world.size);
    const one = await api('/api/states/sun.sun');
    expect(await one.json()).toMatchObject({ entity_id: 'sun.sun', state: 'above_horizon' });
    const missing = await api('/api/states/sensor.nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Entity not found.' });
    const services = (await (await api('/api/services')).json()) as { domain: string }[];
    expect(services.map((s) => s.domain)).toContain('light');
    expect(await (await api('/api/config')).json()).toMatchObject({ version: '2025.11.2' });
  });

  it('POST /api/states/<id> sets the state (201 new, 200 existing) and fires state_changed', async () => {
    const c = await RawClient.authed(ha.wsUrl, ha.token);
    c.send(msg.subscribeEvents(1, 'state_changed'));
    await c.next();
    const created = await api('/api/states/sensor.rest_probe', {
      method: 'POST',
      body: JSON.stringify({ state: '1', attributes: { unit_of_measurement: 'W' } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/states/sensor.rest_probe');
    const ev1 = (await c.next()).event as {
      data: { old_state: unknown; new_state: { state: string } };
      context: { id: string };
    };
    expect(ev1.data.old_state).toBeNull();
    expect(ev1.data.new_state.state).toBe('1');
    const updated = await api('/api/states/sensor.rest_probe', {
      method: 'POST',
      body: JSON.stringify({ state: '2', attributes: { unit_of_measurement: 'W' } }),
    });
    expect(updated.status).toBe(200);
    const ev2 = (await c.next()).event as { data: { old_state: { state: string; context: { id: string } } } };
    expect(ev2.data.old_state.state).toBe('1');
    expect(ev2.data.old_state.context.id).toBe(ev1.context.id);
    const manual = ha.ledger('manual');
    expect(manual[manual.length - 1]?.entity_id).toBe('sensor.rest_probe');
    c.close();
  });

  it('POST /api/states/<id> refuses a missing state, invalid JSON and an invalid entity id with 400', async () => {
    const noState = await api('/api/states/sensor.x', { method: 'POST', body: '{}' });
    expect([noState.status, await noState.json()]).toEqual([400, { message: 'No state specified.' }]);
    const badJson = await api('/api/states/sensor.x', { method: 'POST', body: '{' });
    expect([badJson.status, await badJson.json()]).toEqual([400, { message: 'Invalid JSON specified.' }]);
    const badId = await api('/api/states/Not-An-Entity', { method: 'POST', body: '{"state":"1"}' });
    expect([badId.status, await badId.json()]).toEqual([400, { message: 'Invalid entity ID specified.' }]);
  });
});

describe('control API', () => {
  const ctl = (path: string, body?: unknown, token: string | null = ha.controlToken) =>
    api(path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }, token);

  it('serves /_mock/health without a token and refuses the rest without the control token', async () => {
    expect(await (await ctl('/_mock/health', undefined, null)).json()).toMatchObject({
      status: 'ok',
      service: 'mock-ha',
    });
    expect((await ctl('/_mock/stats', undefined, null)).status).toBe(401);
    expect((await ctl('/_mock/stats', undefined, ha.token)).status).toBe(401);
  });

  it('loads a home, runs a scenario, refuses a second one (409), serves report and ledger', async () => {
    const home = (await (await ctl('/_mock/home', { seed: 9, size: 'medium' })).json()) as {
      seed: number;
      entities: number;
    };
    expect(home.seed).toBe(9);
    expect(home.entities).toBeGreaterThan(60);
    const started = await ctl('/_mock/scenario', { kind: 'steady', rate: 200, durationS: 0.5 });
    expect(started.status).toBe(201);
    const run = (await started.json()) as { run_id: string };
    const again = await ctl('/_mock/scenario', { kind: 'steady', rate: 200, durationS: 0.5 });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('scenario_running');
    const report = await ha.waitForRun(run.run_id);
    expect(report.count).toBe(100);
    const fromApi = (await (await ctl(`/_mock/runs/${run.run_id}`)).json()) as {
      count: number;
      state: string;
    };
    expect(fromApi).toMatchObject({ count: 100, state: 'finished' });
    const page = (await (await ctl(`/_mock/runs/${run.run_id}/ledger?from=90&limit=50`)).json()) as {
      total: number;
      next: number | null;
      entries: { seq: number; context_id: string; entity_id: string; intended_ts: number; sent_ts: number }[];
    };
    expect(page.total).toBe(100);
    expect(page.next).toBeNull();
    expect(page.entries.map((e) => e.seq)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    const e = page.entries[0];
    expect(e?.sent_ts).toBeGreaterThanOrEqual(e?.intended_ts ?? Number.POSITIVE_INFINITY);
    expect(ha.world.get(e?.entity_id ?? '')).toBeDefined();
  });

  it('refuses a home seed that is not a safe integer (the CLI rule for MOCK_HA_SEED), loading nothing', async () => {
    const before = ha.world.home.seed;
    for (const seed of [1e300, 2 ** 53, -(2 ** 53), 1.5]) {
      const res = await ctl('/_mock/home', { seed });
      expect(res.status, String(seed)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain('"seed" must be an integer');
    }
    expect(ha.world.home.seed).toBe(before);
  });

  it('loads a home sized to an entity count with a minimum gap per entity, and refuses bad sizes naming the field', async () => {
    const res = await ctl('/_mock/home', { seed: 40, size: 'small', entities: 3_000, min_gap_ms: 1_000 });
    expect(res.status).toBe(200);
    const home = (await res.json()) as { entities: number; min_gap_ms: number; gap_violations: number };
    expect(home.entities).toBeGreaterThanOrEqual(3_000);
    expect(home).toMatchObject({ min_gap_ms: 1_000, gap_violations: 0 });
    for (const [body, field] of [
      [{ entities: 0 }, '"entities"'],
      [{ entities: 1e9 }, '"entities"'],
      [{ entities: '5' }, '"entities"'],
      [{ min_gap_ms: -1 }, '"min_gap_ms"'],
      [{ min_gap_ms: 'x' }, '"min_gap_ms"'],
    ] as const) {
      const bad = await ctl('/_mock/home', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain(field);
    }
    await ctl('/_mock/home', { seed: 9, size: 'small', entities: null, min_gap_ms: null });
  });

  it("keeps the current home's value for a field not given and the default for null (a partial body reloads the same home)", async () => {
    const sized = (await (
      await ctl('/_mock/home', { seed: 41, size: 'small', entities: 2_000, min_gap_ms: 500 })
    ).json()) as { entities: number; entities_requested: number | null; min_gap_ms: number };
    expect(sized).toMatchObject({ entities_requested: 2_000, min_gap_ms: 500 });
    const reseeded = (await (await ctl('/_mock/home', { seed: 42 })).json()) as typeof sized & {
      seed: number;
    };
    expect(reseeded).toMatchObject({ seed: 42, entities_requested: 2_000, min_gap_ms: 500 });
    expect(reseeded.entities).toBeGreaterThanOrEqual(2_000);
    const reset = (await (
      await ctl('/_mock/home', { entities: null, min_gap_ms: null })
    ).json()) as typeof reseeded;
    expect(reset).toMatchObject({ seed: 42, size: 'small', entities_requested: null, min_gap_ms: 0 });
    expect(reset.entities).toBeLessThan(2_000);
    await ctl('/_mock/home', { seed: 9, size: 'small', entities: null, min_gap_ms: null });
  });

  it('refuses a control body with a field the route does not read, naming it, and changes nothing', async () => {
    const before = ha.world.home.seed;
    for (const [path, body, field] of [
      ['/_mock/home', { seed: 5, entitites: 3_000 }, 'entitites'],
      ['/_mock/home', { seed: 5, minGapMs: 10 }, 'minGapMs'],
      ['/_mock/home', { seed: 5, ['__proto__']: 1 }, '__proto__'],
      ['/_mock/event', { entity_id: 'sensor.x', value: 1 }, 'value'],
      ['/_mock/disconnect', { all: true }, 'all'],
      ['/_mock/scenario/stop', { force: true }, 'force'],
      ['/_mock/registry', { action: 'remove', entity_id: 'sensor.x', name: 'n' }, 'name'],
    ] as const) {
      // JSON.stringify drops a __proto__ set by a literal; write that body by hand.
      const text = field === '__proto__' ? '{"seed":5,"__proto__":1}' : JSON.stringify(body);
      const res = await api(path, { method: 'POST', body: text }, ha.controlToken);
      expect(res.status, `${path} ${text}`).toBe(400);
      const message = ((await res.json()) as { message: string }).message;
      expect(message, `${path} ${text}`).toContain(`unknown field "${field}"`);
      expect(message).toContain('allowed');
    }
    expect(ha.world.home.seed).toBe(before);
  });

  it('tells invalid JSON from JSON that is not an object, and refuses mistyped event and registry fields', async () => {
    for (const [text, expected] of [
      ['{"seed":', 'not valid JSON'],
      ['[1,2]', 'got an array'],
      ['"home"', 'got a string'],
      ['null', 'got null'],
      ['{"seed":1e400}', 'not valid JSON'],
    ] as const) {
      const res = await api('/_mock/home', { method: 'POST', body: text }, ha.controlToken);
      expect(res.status, text).toBe(400);
      expect(((await res.json()) as { message: string }).message, text).toContain(expected);
    }
    for (const [path, body, expected] of [
      ['/_mock/event', { state: { on: true } }, '"state" must be a string'],
      ['/_mock/event', { entity_id: 7 }, '"entity_id" must be a string'],
      ['/_mock/event', { attributes: [1] }, '"attributes" must be a JSON object'],
      [
        '/_mock/registry',
        { action: 'rename', entity_id: 'sensor.x' },
        '"action" must be one of create|update|remove',
      ],
      ['/_mock/registry', { action: 'create', name: 5 }, '"name" must be a string'],
      ['/_mock/home', { min_gap_ms: 60_001 }, '"min_gap_ms" must be a number of ms between 0 and 60000'],
    ] as const) {
      const res = await ctl(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(expected);
    }
  });

  it('closes websocket clients on a home reload (like an HA restart) and on /_mock/disconnect', async () => {
    const a = await RawClient.authed(ha.wsUrl, ha.token);
    await ctl('/_mock/home', { seed: 9, size: 'small', entities: null, min_gap_ms: null });
    expect(await a.waitClosed()).toBe(1000);
    const b = await RawClient.authed(ha.wsUrl, ha.token);
    const res = (await (await ctl('/_mock/disconnect', {})).json()) as { closed: number };
    expect(res.closed).toBe(1);
    await b.waitClosed();
    const reasons = ha.stats().closed_clients.map((c) => c.close_reason);
    expect(reasons).toEqual(expect.arrayContaining(['home_reloaded', 'control_disconnect']));
  });

  it('stops a running scenario', async () => {
    const run = (await (
      await ctl('/_mock/scenario', { kind: 'steady', rate: 100, durationS: 60 })
    ).json()) as { run_id: string };
    const stopped = (await (await ctl('/_mock/scenario/stop', {})).json()) as {
      stopped: { run_id: string; state: string };
    };
    expect(stopped.stopped).toMatchObject({ run_id: run.run_id, state: 'stopped' });
  });

  it('fires one event and refuses bad scenarios with a message naming the field', async () => {
    const fired = (await (
      await ctl('/_mock/event', { entity_id: 'sun.sun', state: 'below_horizon' })
    ).json()) as {
      entry: { context_id: string; entity_id: string };
      event: { context: { id: string } };
    };
    expect(fired.entry.entity_id).toBe('sun.sun');
    expect(fired.entry.context_id).toBe(fired.event.context.id);
    const bad = await ctl('/_mock/scenario', { kind: 'steady', rate: -1, durationS: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('"rate"');
    const stats = (await (await ctl('/_mock/stats')).json()) as { totals: { events_fired: number } };
    expect(stats.totals.events_fired).toBeGreaterThan(0);
  });
});
