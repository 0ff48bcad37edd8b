import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quote } from '../errors.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { MAX_LENGTH_STATE_ENTITY_ID, validEntityId } from '../protocol/validation.ts';
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

const ctl = (path: string, body?: unknown, token: string | null = ha.controlToken) =>
  api(path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }, token);

describe('control API', () => {
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

  it('refuses a state or attributes without an entity_id (they were dropped and a synthetic change fired)', async () => {
    const before = ha.ledger('manual').length;
    for (const body of [{ state: 'zzz' }, { attributes: { zz: 1 } }, { state: 1e308 }]) {
      const res = await ctl('/_mock/event', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(
        /^POST \/_mock\/event: "entity_id" is required with "(state|attributes)"/,
      );
    }
    expect(ha.ledger('manual').length).toBe(before);
    expect((await ctl('/_mock/event', {})).status).toBe(201);
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

describe('control API, hostile input (every value untrusted, every refusal one short line naming it)', () => {
  const post = async (path: string, body: string | Uint8Array, token: string | null = ha.controlToken) => {
    const res = await api(path, { method: 'POST', body }, token);
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message: string }).message;
    } catch {}
    return { status: res.status, message, text };
  };
  const json = (v: unknown) => JSON.stringify(v);
  /** Characters that break a log line or reorder text: C0, DEL, C1, U+2028/9, bidi controls. */
  const unsafeChars = (m: string) =>
    [...m].filter((ch) => {
      const c = ch.codePointAt(0) as number;
      return (
        c < 0x20 ||
        (c >= 0x7f && c <= 0x9f) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x200e ||
        c === 0x200f ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069)
      );
    });

  it('refuses null for seed and size (only entities and min_gap_ms take null), loading nothing', async () => {
    await ctl('/_mock/home', { seed: 9, size: 'small', entities: null, min_gap_ms: null });
    for (const [body, field] of [
      [{ seed: null }, '"seed"'],
      [{ size: null }, '"size"'],
    ] as const) {
      const r = await post('/_mock/home', json(body));
      expect(r.status, json(body)).toBe(400);
      expect(r.message).toMatch(new RegExp(`^POST /_mock/home: ${field} must .*got null$`));
    }
    expect(ha.world.home).toMatchObject({ seed: 9, size: 'small' });
  });

  it('counts only zero bytes or JSON whitespace as an empty body; a BOM or Unicode space is refused', async () => {
    const c = await RawClient.authed(ha.wsUrl, ha.token);
    for (const bytes of [
      [0xef, 0xbb, 0xbf],
      [0xef, 0xbb, 0xbf, 0x7b, 0x7d],
    ]) {
      const r = await post('/_mock/home', new Uint8Array(bytes));
      expect(r.status).toBe(400);
      expect(r.message).toContain('byte order mark (BOM)');
    }
    for (const bytes of [
      [0xc2, 0xa0],
      [0xe3, 0x80, 0x80],
    ]) {
      const r = await post('/_mock/home', new Uint8Array(bytes));
      expect(r.status, bytes.join(' ')).toBe(400);
      expect(r.message).toContain('not valid JSON');
    }
    expect(c.closeCode).toBeNull(); // nothing reloaded the home
    c.close();
    expect((await post('/_mock/disconnect', ' \t\r\n')).status).toBe(200);
  });

  it("decodes bodies as strict UTF-8: 400 on the control API, HA's answers on REST (never U+FFFD)", async () => {
    const invalid = new Uint8Array([
      ...Buffer.from('{"entity_id":"sensor.utf","state":"a'),
      0xff,
      0x22,
      0x7d,
    ]);
    const ctlRes = await post('/_mock/event', invalid);
    expect([ctlRes.status, ctlRes.message]).toEqual([400, 'POST /_mock/event: body is not valid UTF-8']);
    const rest = (path: string) => post(path, invalid, ha.token);
    expect(await rest('/api/states/sensor.utf')).toMatchObject({
      status: 400,
      message: 'Invalid JSON specified.',
    });
    // HA's events and services views call request.text() outside their try: a 500 there.
    expect((await rest('/api/events/utf')).status).toBe(500);
    expect((await rest('/api/services/light/turn_on')).status).toBe(500);
    expect(ha.world.has('sensor.utf')).toBe(false);
  });

  it('creates only entity ids HA accepts (empty slug, long names, suffixes) and refuses an unknown area_id', async () => {
    const long = 'x'.repeat(300);
    const ids: string[] = [];
    for (const name of ['', '!!!', '!!!', long, long, `${'a'.repeat(249)} b`]) {
      const r = await post('/_mock/registry', json({ action: 'create', kind: 'light', name }));
      expect(r.status, r.text).toBe(201);
      const id = (JSON.parse(r.text) as { entity_id: string }).entity_id;
      expect(validEntityId(id), id).toBe(true);
      expect(id.length).toBeLessThanOrEqual(MAX_LENGTH_STATE_ENTITY_ID);
      expect(ha.world.has(id)).toBe(true);
      ids.push(id);
    }
    expect(ids.slice(0, 3)).toEqual([
      'light.unnamed_device',
      'light.unnamed_device_2',
      'light.unnamed_device_3',
    ]);
    expect(ids[4]).toMatch(/_2$/);
    expect(new Set(ids).size).toBe(ids.length);
    const r = await post('/_mock/registry', json({ action: 'create', area_id: 'no_such_area' }));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(
      /^POST \/_mock\/registry \(create\): "area_id" must be an area of the home .*got "no_such_area"$/,
    );
  });

  it('asks for entity_id on registry update/remove (400, not 404) and never prints "undefined"', async () => {
    for (const action of ['update', 'remove']) {
      const r = await post('/_mock/registry', json({ action }));
      expect(r.status, action).toBe(400);
      expect(r.message).toBe(
        `POST /_mock/registry (${action}): "entity_id" is required (the entity to ${action}), not given`,
      );
    }
    const missing = await post('/_mock/registry', json({ action: 'remove', entity_id: 'sensor.nope' }));
    expect([missing.status, missing.message]).toEqual([
      404,
      'POST /_mock/registry (remove): entity "sensor.nope" is not in the entity registry',
    ]);
    const noAction = await post('/_mock/registry', '{}');
    expect(noAction.message).toBe(
      'POST /_mock/registry: "action" must be one of create|update|remove, got absent',
    );
    for (const r of [noAction, missing]) expect(r.message).not.toContain('undefined');
  });

  it("stores a non-string event state as POST /api/states does (Python's str())", async () => {
    for (const [state, expected] of [
      [true, 'True'],
      [false, 'False'],
      [7, '7'],
    ] as const) {
      const r = await post('/_mock/event', json({ entity_id: 'sensor.py_state', state }));
      expect(r.status).toBe(201);
      expect(ha.world.get('sensor.py_state')?.state, String(state)).toBe(expected);
      await api('/api/states/sensor.py_state_rest', { method: 'POST', body: json({ state }) }, ha.token);
      expect(ha.world.get('sensor.py_state_rest')?.state).toBe(expected);
    }
  });

  it('echoes a bad value short, on one line, with controls and bidi characters escaped', async () => {
    const huge = await post('/_mock/home', json({ size: 'x'.repeat(1_000_000) }));
    expect(huge.status).toBe(400);
    expect(huge.message.length).toBeLessThan(300);
    expect(huge.message).toMatch(/got "x{79}\.\.\. \(1000002 chars\)$/);
    const nasty = 'a\nb\u0085c\u2028d\u202ee\u2066f\u007fg\u200fh';
    for (const [path, body] of [
      ['/_mock/home', { seed: nasty }],
      ['/_mock/home', { size: nasty }],
      ['/_mock/home', { entities: nasty }],
      ['/_mock/home', { min_gap_ms: nasty }],
      ['/_mock/home', { [nasty]: 1 }],
      ['/_mock/event', { entity_id: nasty }],
      ['/_mock/event', { state: [nasty] }],
      ['/_mock/event', { attributes: nasty }],
      ['/_mock/registry', { action: nasty }],
      ['/_mock/registry', { action: 'create', name: [nasty] }],
      ['/_mock/registry', { action: 'create', area_id: nasty }],
      ['/_mock/registry', { action: 'create', kind: nasty }],
      ['/_mock/registry', { action: 'remove', entity_id: nasty }],
    ] as const) {
      const r = await post(path, json(body));
      expect(r.status, `${path} ${json(body)}`).toBeGreaterThanOrEqual(400);
      expect(r.message, `${path} ${json(body)}`).toContain(
        '"a\\nb\\u0085c\\u2028d\\u202ee\\u2066f\\u007fg\\u200fh"',
      );
      expect(unsafeChars(r.message)).toEqual([]);
    }
    const state = await post('/_mock/event', json({ entity_id: 'sensor.long', state: 's'.repeat(10_000) }));
    expect(state.status).toBe(400);
    expect(state.message.length).toBeLessThan(300);
  });

  it('quote(): JSON text, escapes, a cut that never splits an escape or a surrogate pair, "absent"', () => {
    expect(quote(undefined)).toBe('absent');
    expect(quote(null)).toBe('null');
    expect(quote('\u2029')).toBe('"\\u2029"');
    const cut = quote(`${'😀'.repeat(100)}`);
    expect(cut).toBe(`"${'😀'.repeat(79)}... (202 chars)`);
    expect(quote('\n'.repeat(100))).toBe(`"${'\\n'.repeat(79)}... (202 chars)`);
    expect(quote('\ud800'.repeat(100))).toMatch(/^"(\\ud800){79}\.\.\. \(602 chars\)$/);
  });

  it('names every unknown field in one line, and answers 404 to a POST on no route before reading its body', async () => {
    const r = await post('/_mock/home', json({ seed: 1, a: 1, b: 2, c: 3 }));
    expect(r.status).toBe(400);
    expect(r.message).toBe(
      'POST /_mock/home: unknown fields "a", "b", "c" (allowed: seed, size, entities, min_gap_ms)',
    );
    for (const body of ['{', new Uint8Array([0xff]), new Uint8Array([0xef, 0xbb, 0xbf])]) {
      const nope = await post('/_mock/nope', body);
      expect(nope.status).toBe(404);
      expect(nope.message).toBe('no control route POST "/_mock/nope"');
    }
  });

  it('prefixes value errors with the route, as its unknown-field errors', async () => {
    for (const [path, body, prefix] of [
      ['/_mock/home', { seed: 'x' }, 'POST /_mock/home: "seed"'],
      ['/_mock/home', { entities: 0 }, 'POST /_mock/home: "entities"'],
      ['/_mock/home', '[1]', 'POST /_mock/home: expected a JSON object'],
      ['/_mock/event', { state: {} }, 'POST /_mock/event: "state"'],
      ['/_mock/event', { entity_id: 'Bad Id', state: '1' }, 'POST /_mock/event: "entity_id"'],
      ['/_mock/event', { entity_id: 'sensor.absent_one' }, 'POST /_mock/event: entity "sensor.absent_one"'],
      ['/_mock/registry', { action: 'create', kind: 'nope' }, 'POST /_mock/registry (create): "kind"'],
      ['/_mock/registry', { action: 'update', entity_id: 5 }, 'POST /_mock/registry (update): "entity_id"'],
    ] as const) {
      const r = await post(path, typeof body === 'string' ? body : json(body));
      expect(r.status, json(body)).toBeGreaterThanOrEqual(400);
      expect(r.message.startsWith(prefix), r.message).toBe(true);
    }
  });
});
