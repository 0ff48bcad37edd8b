/**
 * fast-check generators of what a hostile or buggy client sends the mock: websocket frames
 * (valid commands, mutated ones, hostile ones, raw text, binary) and HTTP requests (methods,
 * paths, headers, bodies), for the fuzz test (fuzz.test.ts).
 */
import fc from 'fast-check';

/** One websocket frame: JSON text, raw text (usually not JSON) or binary. */
export type Frame =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'binary'; bytes: Uint8Array };

const HOSTILE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'prototype',
  'then',
  '',
  ' ',
  'ping\u0000',
];
const COMMANDS = [
  'ping',
  'supported_features',
  'subscribe_events',
  'unsubscribe_events',
  'subscribe_entities',
  'get_states',
  'get_config',
  'get_services',
  'call_service',
  'fire_event',
  'config/device_registry/list',
  'config/entity_registry/list',
  'config/entity_registry/list_for_display',
  'config/entity_registry/get',
  'config/entity_registry/get_entries',
  'config/area_registry/list',
  'config_entries/list',
  'config_entries/get',
];
const ENTITY_IDS = [
  'light.kitchen_ceiling',
  'sun.sun',
  'switch.kitchen_plug',
  'sensor.x',
  'LIGHT.Kitchen_Ceiling',
  'all',
  'none',
];
const KEYS = [
  ...HOSTILE_NAMES,
  'entity_id',
  'entity_ids',
  'event_type',
  'event_data',
  'domain',
  'service',
  'service_data',
  'target',
  'subscription',
  'features',
  'include',
  'exclude',
  'return_response',
];

const name = fc.oneof(fc.constantFrom(...HOSTILE_NAMES, ...COMMANDS), fc.string({ maxLength: 40 }));
const entityIdish = fc.oneof(
  fc.constantFrom(...ENTITY_IDS),
  fc.stringMatching(/^[a-z_]{1,12}\.[a-z0-9_]{1,20}$/),
  fc.string({ maxLength: 30 }),
);
/** JSON values, occasionally deep or long. */
const jsonish = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 5000 }) },
  { weight: 1, arbitrary: fc.constant(deepArray(200)) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308, -0, 2 ** 53 + 1) },
);

function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const id = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
  { weight: 1, arbitrary: jsonish },
);

/** Commands the mock knows, with valid-looking parameters. */
const validCommand = fc.oneof(
  fc.record({ id, type: fc.constant('ping') }),
  fc.record({
    id,
    type: fc.constant('subscribe_events'),
    event_type: fc.constantFrom('state_changed', 'my_event', '*'),
  }),
  fc.record({ id, type: fc.constant('unsubscribe_events'), subscription: fc.integer({ min: 0, max: 1000 }) }),
  fc.record(
    {
      id,
      type: fc.constant('subscribe_entities'),
      entity_ids: fc.oneof(fc.array(entityIdish, { maxLength: 4 }), entityIdish),
    },
    { requiredKeys: ['id', 'type'] },
  ),
  fc.record({
    id,
    type: fc.constantFrom('get_states', 'get_config', 'get_services', 'config/entity_registry/list'),
  }),
  fc.record(
    {
      id,
      type: fc.constant('call_service'),
      domain: fc.constantFrom('light', 'switch', 'homeassistant', 'cover', 'climate', 'media_player', 'nope'),
      service: fc.constantFrom(
        'turn_on',
        'turn_off',
        'toggle',
        'set_cover_position',
        'volume_set',
        'set_temperature',
        'x',
      ),
      target: fc.record(
        { entity_id: fc.oneof(entityIdish, fc.array(entityIdish, { maxLength: 3 })) },
        { requiredKeys: [] },
      ),
      service_data: fc.dictionary(
        fc.constantFrom(
          'brightness',
          'brightness_pct',
          'position',
          'volume_level',
          'temperature',
          'hvac_mode',
          'x',
        ),
        jsonish,
        { maxKeys: 3 },
      ),
    },
    { requiredKeys: ['id', 'type', 'domain', 'service'] },
  ),
  fc.record(
    {
      id,
      type: fc.constant('fire_event'),
      event_type: fc.string({ maxLength: 70 }),
      event_data: fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 3 }),
    },
    { requiredKeys: ['id', 'type', 'event_type'] },
  ),
  fc.record({
    id,
    type: fc.constant('supported_features'),
    features: fc.dictionary(fc.string({ maxLength: 20 }), jsonish, { maxKeys: 2 }),
  }),
  fc.record(
    {
      id,
      type: fc.constantFrom('config/entity_registry/get', 'config/entity_registry/get_entries'),
      entity_id: entityIdish,
      entity_ids: fc.array(entityIdish, { maxLength: 3 }),
    },
    { requiredKeys: ['id', 'type'] },
  ),
);

/** A command with keys and values replaced, added or removed. */
const mutatedCommand = fc
  .tuple(
    validCommand,
    fc.dictionary(fc.constantFrom(...KEYS), jsonish, { maxKeys: 4 }),
    fc.array(fc.constantFrom(...KEYS), { maxLength: 2 }),
  )
  .map(([cmd, extra, drop]) => {
    const out: Record<string, unknown> = { ...(cmd as Record<string, unknown>) };
    for (const [k, v] of Object.entries(extra))
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    for (const k of drop) delete out[k];
    return out;
  });

/** Hostile: prototype names as types and keys, odd ids, non-objects, batches. */
const hostileValue = fc.oneof(
  fc.record({ id, type: name }),
  fc.record({ id: jsonish, type: jsonish }),
  fc.constant(JSON.parse('{"id":1,"type":"ping","__proto__":{"polluted":1}}')),
  fc.constant(JSON.parse('{"__proto__":{"type":"ping","id":3}}')),
  jsonish,
);

const jsonFrame: fc.Arbitrary<Frame> = fc
  .oneof(
    { weight: 4, arbitrary: validCommand },
    { weight: 4, arbitrary: mutatedCommand },
    { weight: 3, arbitrary: hostileValue },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof(validCommand, mutatedCommand, hostileValue), { maxLength: 8 }),
    },
  )
  .map((value) => ({ kind: 'json', value }));

/** Raw text: mostly not JSON (the mock closes the connection then, as HA does). */
const rawFrame: fc.Arbitrary<Frame> = fc
  .oneof(
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '[{"id":1,', 'null', '"x"', '1e999', '\u0000', '{"id":1,"type":"ping"}garbage'),
  )
  .map((text) => ({ kind: 'raw', text }));

const binaryFrame: fc.Arbitrary<Frame> = fc
  .uint8Array({ maxLength: 64 })
  .map((bytes) => ({ kind: 'binary', bytes }));

/**
 * A sequence of frames for one authenticated connection: JSON frames with binary ones among them,
 * and sometimes a last raw or binary frame (raw text that is not JSON and an empty binary frame
 * close the connection, as in HA, so they only come last).
 */
export const frameSequence = fc
  .tuple(
    fc.array(fc.oneof({ weight: 25, arbitrary: jsonFrame }, { weight: 1, arbitrary: binaryFrame }), {
      minLength: 15,
      maxLength: 40,
    }),
    fc.option(fc.oneof(rawFrame, binaryFrame), { freq: 3, nil: undefined }),
  )
  .map(([frames, last]) => (last === undefined ? frames : [...frames, last]));

/** An HTTP request: method, path, which token, body. */
export interface FuzzRequest {
  method: string;
  path: string;
  auth: 'token' | 'control' | 'none' | 'wrong';
  body: string | undefined;
}

const segment = fc.oneof(
  fc.constantFrom(
    'states',
    'services',
    'events',
    'config',
    'light',
    'turn_on',
    'sun.sun',
    'light.kitchen_ceiling',
    'my_event',
    '..',
    '.',
    '%2e%2e',
    '%',
    '%ZZ',
    '%00',
    '[',
    ']',
    'constructor',
    '__proto__',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
);
const path = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        '/api',
        '/api/',
        '/_mock',
        '/',
        '//',
        '/api/states',
        '/api/services',
        '/api/events',
        '/_mock/runs',
        '/_mock/scenario',
        '/_mock/event',
        '/_mock/registry',
        '/_mock/home',
      ),
      fc.array(segment, { maxLength: 3 }),
      fc.option(fc.string({ maxLength: 30 }).map((q) => encodeURIComponent(q))),
    )
    .map(
      ([base, segs, q]) =>
        `${base}${segs.length > 0 ? `/${segs.join('/')}` : ''}${q !== null ? `?from=${q}&limit=${q}&return_response` : ''}`,
    ),
  fc.constantFrom(
    '//[',
    '/api/states/%',
    '/api/%ZZ',
    '/_mock/runs/%E0%A4%A',
    '/api/services/light',
    '/api/services/light/turn_on/x',
  ),
);
const body = fc.option(
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({ state: jsonish, attributes: jsonish, entity_id: entityIdish }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          kind: fc.constantFrom('steady', 'burst', 'ramp', 'replay', 'constructor'),
          rate: jsonish,
          durationS: jsonish,
          trace: jsonish,
          speed: jsonish,
        },
        { requiredKeys: ['kind'] },
      )
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 300 }),
  ),
  { nil: undefined },
);

export const httpRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
  path,
  auth: fc.constantFrom('token', 'token', 'control', 'none', 'wrong'),
  body,
});

/** Raw request heads (malformed request lines and headers) sent over TCP. */
export const rawRequest = fc.oneof(
  fc.constantFrom(
    'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    'GET /api/websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    'GET /api/websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: x\r\n\r\n',
    'GARBAGE\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    'POST /api/states/sensor.x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{',
    'POST /api/states/sensor.x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ),
  fc.string({ maxLength: 100 }).map((s) => `${s}\r\n\r\n`),
  fc
    .tuple(fc.constantFrom('GET', 'POST', 'X'), fc.string({ maxLength: 60 }))
    .map(([m, p]) => `${m} ${p} HTTP/1.1\r\nHost: x\r\n\r\n`),
);
