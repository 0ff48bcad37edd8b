/**
 * The catalogue of exchanges recorded from a real Home Assistant core and replayed against the
 * mock. Each exchange is self-contained: it creates the `sensor.conformance_*` states it needs
 * through REST (identical in HA and in the mock, so their answers compare exactly) and removes
 * them again. `light.kitchen_ceiling` and `switch.kitchen_plug` exist in both (HA: template
 * entities of fixtures/ha-transcripts/ha-config; the mock: its seed-1 small home); answers that
 * carry home-specific content (attributes, registries, service lists) are compared by shape
 * or status only.
 */
import type { Exchange, Step } from './exchange.ts';

const open: Step = { ws: 'open', auth: 'token' };
const send = (frame: unknown, extra: Partial<Extract<Step, { ws: 'send' }>> = {}): Step => ({
  ws: 'send',
  frame,
  ...extra,
});
const setState = (
  entityId: string,
  body: unknown,
  compare: 'exact' | 'shape' | 'status' = 'exact',
): Step => ({
  http: 'POST',
  path: `/api/states/${entityId}`,
  body,
  compare,
});
const remove = (entityId: string): Step => ({ http: 'DELETE', path: `/api/states/${entityId}` });

const HOSTILE_TYPES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

export const CATALOGUE: readonly Exchange[] = [
  // --- auth phase ---
  { name: 'auth-ok', about: 'auth_required then auth_ok with the version', steps: [open] },
  {
    name: 'auth-invalid-token',
    about: 'a wrong token: auth_invalid, then the connection is closed',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth', access_token: 'wrong-token' })],
  },
  {
    name: 'auth-wrong-type',
    about: 'a first message that is not auth: auth_invalid with the voluptuous message, closed',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'ping', id: 1 })],
  },
  {
    name: 'auth-missing-token',
    about: 'auth without access_token or api_password',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth' })],
  },
  {
    name: 'auth-extra-key',
    about: 'auth with an unknown key',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth', access_token: '$TOKEN', extra: 1 })],
  },
  {
    name: 'auth-not-a-dict',
    about: 'auth message that is a JSON list',
    steps: [{ ws: 'open', auth: 'none' }, send([1, 2])],
  },
  {
    name: 'auth-both-secrets',
    about: 'auth with both api_password and access_token (an exclusive group)',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth', access_token: '$TOKEN', api_password: 'x' })],
  },
  {
    name: 'auth-token-not-a-string',
    about: 'auth with a numeric access_token',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth', access_token: 5 })],
  },
  {
    name: 'auth-api-password',
    about: 'legacy api_password is refused',
    steps: [{ ws: 'open', auth: 'none' }, send({ type: 'auth', api_password: 'secret' })],
  },
  {
    name: 'auth-invalid-json',
    about: 'invalid JSON during auth closes the connection without a reply',
    steps: [
      { ws: 'open', auth: 'none' },
      { ws: 'send', raw: '{"type": "auth", ' },
    ],
  },
  {
    name: 'auth-binary-frame',
    about: 'a binary frame during auth closes the connection',
    steps: [
      { ws: 'open', auth: 'none' },
      { ws: 'send', binary: [1, 2, 3] },
    ],
  },

  // --- framing, ids, unknown commands ---
  { name: 'ping', about: 'ping -> pong', steps: [open, send({ id: 1, type: 'ping' })] },
  {
    name: 'ping-extra-keys',
    about: 'a command without parameters refuses extra keys (schema False), and the id is consumed',
    steps: [
      open,
      send({ id: 1, type: 'ping', extra: 'x' }),
      send({ id: 1, type: 'ping' }),
      send({ id: 2, type: 'ping' }),
    ],
  },
  {
    name: 'id-rules',
    about: 'ids must increase: id_reuse; the connection stays usable',
    steps: [
      open,
      send({ id: 5, type: 'ping' }),
      send({ id: 5, type: 'ping' }),
      send({ id: 4, type: 'ping' }),
      send({ id: 6, type: 'ping' }),
    ],
  },
  {
    name: 'invalid-messages',
    about: 'messages without a valid id or type: invalid_format echoing the id as sent',
    steps: [
      open,
      send({ id: 0, type: 'ping' }),
      send({ id: -1, type: 'ping' }),
      send({ id: '7', type: 'ping' }),
      send({ id: 1.5, type: 'ping' }),
      send({ id: true, type: 'ping' }),
      send({ type: 'ping' }),
      send({ id: 8 }),
      send({ id: 9, type: '' }),
      send({ id: 10, type: 5 }),
      send(42),
      send('ping'),
      send(null),
      send({ id: 11, type: 'ping' }),
    ],
  },
  {
    name: 'float-id',
    about: 'an id written as 1.0 is a float for HA (invalid_format); JavaScript sees 1 (kept difference)',
    steps: [open, { ws: 'send', raw: '{"id": 1.0, "type": "ping"}' }, send({ id: 2, type: 'ping' })],
  },
  {
    name: 'batched-messages',
    about: 'a JSON list of messages is handled message by message',
    steps: [open, send([{ id: 1, type: 'ping' }, { id: 2, type: 'ping' }, { id: 2, type: 'ping' }, 7])],
  },
  {
    name: 'invalid-json-after-auth',
    about: 'invalid JSON after auth closes the connection',
    steps: [open, { ws: 'send', raw: 'not json' }],
  },
  {
    name: 'binary-after-auth',
    about: 'a non-empty binary frame without a handler is ignored; the connection stays',
    steps: [open, { ws: 'send', binary: [7, 1, 2] }, send({ id: 1, type: 'ping' })],
  },
  {
    name: 'empty-binary-after-auth',
    about: 'an empty binary frame disconnects',
    steps: [open, { ws: 'send', binary: [] }],
  },
  {
    name: 'unknown-commands',
    about: 'unknown commands (also Object.prototype names) get unknown_command and do not consume the id',
    steps: [
      open,
      ...HOSTILE_TYPES.map((type, i) => send({ id: i + 1, type })),
      send({ id: 1, type: 'no_such_command' }),
      send({ id: 1, type: 'ping' }),
    ],
  },
  {
    name: 'supported-features',
    about: 'coalescing: the reply of supported_features, then a ping',
    steps: [
      open,
      send({ id: 1, type: 'supported_features', features: { coalesce_messages: 1 } }),
      send({ id: 2, type: 'ping' }),
    ],
  },
  {
    name: 'supported-features-invalid',
    about: 'features must be a dict of str -> int',
    steps: [
      open,
      send({ id: 1, type: 'supported_features', features: { coalesce_messages: 'yes' } }),
      send({ id: 2, type: 'supported_features', features: [] }),
      send({ id: 3, type: 'supported_features' }),
    ],
  },

  // --- subscriptions ---
  {
    name: 'subscribe-events-state-changed',
    about: 'subscribe_events state_changed: a REST write arrives as an event; unsubscribe stops it',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_events', event_type: 'state_changed' }),
      setState('sensor.conformance_events', { state: '1', attributes: { unit_of_measurement: 'W' } }),
      setState('sensor.conformance_events', { state: '2', attributes: { unit_of_measurement: 'W' } }),
      send({ id: 2, type: 'unsubscribe_events', subscription: 1 }),
      setState('sensor.conformance_events', { state: '3', attributes: { unit_of_measurement: 'W' } }),
      send({ id: 3, type: 'unsubscribe_events', subscription: 1 }),
      send({ id: 4, type: 'unsubscribe_events', subscription: '1' }),
      send({ id: 5, type: 'unsubscribe_events' }),
      remove('sensor.conformance_events'),
    ],
  },
  {
    name: 'subscribe-events-invalid',
    about: 'subscribe_events schema: event_type must be a str, no extra keys',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_events', event_type: 5 }),
      send({ id: 2, type: 'subscribe_events', event_type: 'x', extra: true }),
    ],
  },
  {
    name: 'subscribe-entities-filter',
    about: 'subscribe_entities with ids in upper case: lower-cased; a, c and r compressed updates',
    steps: [
      setState('sensor.conformance_entities', {
        state: '20.5',
        attributes: { unit_of_measurement: '°C', friendly_name: 'Conformance' },
      }),
      open,
      send({ id: 1, type: 'subscribe_entities', entity_ids: ['SENSOR.Conformance_Entities'] }),
      setState('sensor.conformance_entities', {
        state: '21.0',
        attributes: { unit_of_measurement: '°C', friendly_name: 'Conformance' },
      }),
      setState('sensor.conformance_entities', {
        state: '21.0',
        attributes: { unit_of_measurement: '°C', friendly_name: 'Renamed' },
      }),
      setState('sensor.conformance_entities', { state: '21.0', attributes: { friendly_name: 'Renamed' } }),
      remove('sensor.conformance_entities'),
      setState('sensor.conformance_entities', { state: 'back', attributes: {} }),
      remove('sensor.conformance_entities'),
    ],
  },
  {
    name: 'subscribe-entities-csv',
    about: 'entity_ids as a comma-separated string is split (and stripped)',
    steps: [
      setState('sensor.conformance_csv_a', { state: 'a' }),
      setState('sensor.conformance_csv_b', { state: 'b' }),
      open,
      send({
        id: 1,
        type: 'subscribe_entities',
        entity_ids: 'sensor.conformance_csv_a, sensor.conformance_csv_b',
      }),
      send({ id: 2, type: 'subscribe_entities', entity_ids: 'sensor.conformance_csv_b' }),
      remove('sensor.conformance_csv_a'),
      remove('sensor.conformance_csv_b'),
    ],
  },
  {
    name: 'subscribe-entities-all',
    about: 'entity_ids [] (and no entity_ids) means every entity',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_entities', entity_ids: [] }, { compare: 'shape', shapeDepth: 3 }),
      send({ id: 2, type: 'subscribe_entities' }, { compare: 'shape', shapeDepth: 3 }),
    ],
  },
  {
    name: 'subscribe-entities-invalid',
    about: 'an invalid entity id is invalid_format naming it; other bad values too',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_entities', entity_ids: ['sensor.ok', 'not an id'] }),
      send({ id: 2, type: 'subscribe_entities', entity_ids: ['sensor.__double'] }),
      send({ id: 3, type: 'subscribe_entities', entity_ids: null }),
      send({ id: 4, type: 'subscribe_entities', entity_ids: [5] }),
      send({ id: 5, type: 'subscribe_entities', entity_ids: 'sensor.x,' }),
      send({ id: 6, type: 'subscribe_entities', entity_ids: ['_sensor.x'] }),
      send({ id: 7, type: 'subscribe_entities', entity_ids: ['sensor.x_'] }),
      send({ id: 8, type: 'subscribe_entities', entity_ids: ['sensor'] }),
      send({ id: 9, type: 'subscribe_entities', extra: 1 }),
      send({ id: 10, type: 'subscribe_entities', entity_ids: 5 }),
      send({ id: 11, type: 'subscribe_entities', entity_ids: { 'sensor.a': 1 } }),
      send({ id: 12, type: 'subscribe_entities', entity_ids: [['sensor.a']] }),
      send({ id: 13, type: 'subscribe_entities', entity_ids: ['x'.repeat(600)] }),
    ],
  },
  {
    name: 'subscribe-entities-include-exclude',
    about: 'the include/exclude entity filter of subscribe_entities (nested; flat keys are refused)',
    steps: [
      setState('sensor.conformance_inc', { state: 'i' }),
      setState('sensor.conformance_exc', { state: 'e' }),
      open,
      send({ id: 1, type: 'subscribe_entities', include_entities: ['sensor.conformance_inc'] }),
      send({
        id: 2,
        type: 'subscribe_entities',
        include_entity_globs: ['sensor.conformance_*'],
        exclude_entities: ['sensor.conformance_exc'],
      }),
      send({ id: 3, type: 'subscribe_entities', include: { entities: ['sensor.conformance_inc'] } }),
      send({
        id: 4,
        type: 'subscribe_entities',
        include: { entity_globs: 'sensor.conformance_*' },
        exclude: { entities: 'sensor.conformance_exc' },
      }),
      send({ id: 5, type: 'subscribe_entities', include: { entities: ['Bad Id'] } }),
      send({ id: 6, type: 'subscribe_entities', include: { colours: ['red'] } }),
      send({
        id: 7,
        type: 'subscribe_entities',
        entity_ids: ['sensor.conformance_inc', 'sensor.conformance_exc'],
        exclude: { domains: ['sensor'] },
      }),
      remove('sensor.conformance_inc'),
      remove('sensor.conformance_exc'),
    ],
  },

  // --- reading ---
  {
    name: 'get-states',
    about: 'get_states: a list of states',
    steps: [open, send({ id: 1, type: 'get_states' }, { compare: 'shape', shapeDepth: 3 })],
  },
  {
    name: 'get-config',
    about: 'get_config: the core config',
    steps: [open, send({ id: 1, type: 'get_config' }, { compare: 'status' })],
  },
  {
    name: 'get-services',
    about: 'get_services: domain -> service -> description',
    steps: [open, send({ id: 1, type: 'get_services' }, { compare: 'status' })],
  },
  {
    name: 'entity-registry',
    about: 'registry commands clients use: list, list_for_display, get, get_entries, errors',
    steps: [
      open,
      send({ id: 1, type: 'config/entity_registry/list' }, { compare: 'status' }),
      send({ id: 2, type: 'config/entity_registry/list_for_display' }, { compare: 'shape', shapeDepth: 3 }),
      send(
        { id: 3, type: 'config/entity_registry/get', entity_id: 'light.kitchen_ceiling' },
        { compare: 'shape', shapeDepth: 2 },
      ),
      send({ id: 4, type: 'config/entity_registry/get', entity_id: 'light.nope' }),
      send({ id: 5, type: 'config/entity_registry/get', entity_id: 'Not An Id' }),
      send({ id: 6, type: 'config/entity_registry/get_entries', entity_ids: ['light.nope'] }),
      send({ id: 7, type: 'config/device_registry/list' }, { compare: 'status' }),
      send({ id: 8, type: 'config/area_registry/list' }, { compare: 'status' }),
      send(
        { id: 9, type: 'config/entity_registry/get_entries', entity_ids: ['light.kitchen_ceiling'] },
        { compare: 'shape', shapeDepth: 3 },
      ),
    ],
  },

  // --- acting ---
  {
    name: 'call-service-light',
    about: 'call_service light.turn_on/turn_off: success with a context; state_changed carries that context',
    steps: [
      open,
      {
        http: 'POST',
        path: '/api/services/light/turn_on',
        body: { entity_id: 'light.kitchen_ceiling' },
        compare: 'status',
      },
      send({ id: 1, type: 'subscribe_events', event_type: 'state_changed' }),
      send(
        {
          id: 2,
          type: 'call_service',
          domain: 'light',
          service: 'turn_off',
          target: { entity_id: 'light.kitchen_ceiling' },
        },
        { compare: 'shape', shapeDepth: 4 },
      ),
      send(
        {
          id: 3,
          type: 'call_service',
          domain: 'light',
          service: 'turn_on',
          service_data: { entity_id: 'light.kitchen_ceiling' },
        },
        { compare: 'shape', shapeDepth: 4 },
      ),
      send({
        id: 4,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.kitchen_ceiling' },
      }),
      send(
        {
          id: 5,
          type: 'call_service',
          domain: 'light',
          service: 'turn_off',
          target: { entity_id: ['LIGHT.Kitchen_Ceiling'] },
        },
        { compare: 'shape', shapeDepth: 4 },
      ),
    ],
  },
  {
    name: 'call-service-switch-homeassistant',
    about: 'switch.toggle and homeassistant.turn_off on a switch',
    steps: [
      {
        http: 'POST',
        path: '/api/services/switch/turn_off',
        body: { entity_id: 'switch.kitchen_plug' },
        compare: 'status',
      },
      open,
      send({
        id: 1,
        type: 'call_service',
        domain: 'switch',
        service: 'turn_on',
        target: { entity_id: 'switch.kitchen_plug' },
      }),
      send({
        id: 2,
        type: 'call_service',
        domain: 'homeassistant',
        service: 'turn_off',
        target: { entity_id: 'switch.kitchen_plug' },
      }),
      send({
        id: 3,
        type: 'call_service',
        domain: 'switch',
        service: 'toggle',
        service_data: { entity_id: 'switch.kitchen_plug' },
      }),
      { http: 'GET', path: '/api/states/switch.kitchen_plug', compare: 'shape', shapeDepth: 1 },
    ],
  },
  {
    name: 'call-service-errors',
    about: 'unknown service: not_found with translation; schema errors: invalid_format',
    steps: [
      open,
      send({
        id: 1,
        type: 'call_service',
        domain: 'light',
        service: 'explode',
        target: { entity_id: 'light.kitchen_ceiling' },
      }),
      send({ id: 2, type: 'call_service', domain: 'nope', service: 'nope' }),
      send({ id: 3, type: 'call_service', domain: 'light' }),
      send({ id: 4, type: 'call_service', domain: 'light', service: 'turn_on', service_data: [] }),
      send({
        id: 5,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: 'light.kitchen_ceiling',
      }),
      send({
        id: 6,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        service_data: { entity_id: 'not an id' },
      }),
      send({ id: 7, type: 'call_service', domain: 'light', service: 'turn_on', extra: 1 }),
      send({
        id: 8,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.kitchen_ceiling' },
        service_data: { no_such_field: 1 },
      }),
      send({
        id: 9,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.kitchen_ceiling' },
        return_response: true,
      }),
      send({
        id: 10,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'not an id' },
      }),
      send({ id: 11, type: 'call_service', domain: 'light', service: 'turn_on', target: { colour: 'red' } }),
      send({
        id: 12,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.kitchen_ceiling' },
        service_data: { brightness: 'bright' },
      }),
      send({
        id: 13,
        type: 'call_service',
        domain: 'light',
        service: 'turn_on',
        target: { entity_id: 'light.does_not_exist' },
      }),
      send({ id: 14, type: 'call_service', domain: 'light', service: 'turn_on', return_response: 'yes' }),
    ],
  },
  {
    name: 'fire-event',
    about: 'fire_event: success with a context, delivered to subscribers of that type',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_events', event_type: 'conformance_event' }),
      send({ id: 2, type: 'fire_event', event_type: 'conformance_event', event_data: { answer: 42 } }),
      send({ id: 3, type: 'fire_event', event_type: 'conformance_event' }),
      send({ id: 4, type: 'fire_event', event_type: 'conformance_event', event_data: 'x' }),
      send({ id: 5, type: 'fire_event' }),
      send({ id: 6, type: 'fire_event', event_type: 'e'.repeat(65) }),
    ],
  },

  // --- REST ---
  {
    name: 'rest-auth',
    about: 'REST: 401 without or with a wrong token; /api/ with the token',
    steps: [
      { http: 'GET', path: '/api/', auth: 'none' },
      { http: 'GET', path: '/api/', auth: 'wrong' },
      { http: 'GET', path: '/api/' },
    ],
  },
  {
    name: 'rest-set-state',
    about: 'POST /api/states: 201 then 200, force_update, numeric states, lower-cased ids',
    steps: [
      setState('sensor.conformance_rest', { state: 'on', attributes: { a: 1 } }),
      setState('sensor.conformance_rest', { state: 'on', attributes: { a: 1 } }),
      setState('sensor.conformance_rest', { state: 'on', attributes: { a: 1 }, force_update: true }),
      setState('sensor.conformance_rest', { state: 5 }),
      setState('SENSOR.Conformance_Rest', { state: 'upper' }),
      { http: 'GET', path: '/api/states/sensor.conformance_rest' },
      { http: 'GET', path: '/api/states/SENSOR.conformance_rest' },
      remove('sensor.conformance_rest'),
      remove('sensor.conformance_rest'),
    ],
  },
  {
    name: 'rest-set-state-invalid',
    about: 'POST /api/states errors: long state, bad id, no state, invalid JSON; nothing is fired',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_events', event_type: 'state_changed' }),
      setState('sensor.x', { state: 'x'.repeat(256) }),
      setState('sensor.conformance_long', { state: 'x'.repeat(255) }),
      setState('not_an_entity', { state: '1' }),
      setState('sensor.bad__id', { state: '1' }),
      setState('sensor.conformance_nostate', { attributes: {} }),
      setState('sensor.conformance_nostate', { state: null }),
      { http: 'POST', path: '/api/states/sensor.conformance_json', rawBody: '{"state":' },
      { http: 'POST', path: '/api/states/sensor.conformance_json', rawBody: '' },
      { http: 'POST', path: '/api/states/sensor.conformance_json', body: { state: true } },
      {
        http: 'POST',
        path: '/api/states/sensor.conformance_json',
        body: { state: '1', attributes: 'x' },
        compare: 'status',
      },
      remove('sensor.conformance_json'),
      remove('sensor.conformance_long'),
    ],
  },
  {
    name: 'rest-states-read',
    about: 'GET /api/states/<missing>: 404; /api/states, /api/config, /api/services',
    steps: [
      { http: 'GET', path: '/api/states/sensor.does_not_exist' },
      { http: 'GET', path: '/api/states', compare: 'shape', shapeDepth: 2 },
      { http: 'GET', path: '/api/config', compare: 'status' },
      { http: 'GET', path: '/api/services', compare: 'shape', shapeDepth: 2 },
    ],
  },
  {
    name: 'rest-events',
    about: 'POST /api/events/<type>: fired (to subscribers), invalid JSON, non-object data',
    steps: [
      open,
      send({ id: 1, type: 'subscribe_events', event_type: 'my_event' }),
      { http: 'POST', path: '/api/events/my_event', body: { a: 1 } },
      { http: 'POST', path: '/api/events/my_event' },
      { http: 'POST', path: '/api/events/my_event', rawBody: '{bad' },
      { http: 'POST', path: '/api/events/my_event', body: [1, 2] },
      { http: 'POST', path: `/api/events/${'e'.repeat(65)}`, compare: 'status' },
    ],
  },
  {
    name: 'rest-services',
    about: 'POST /api/services/<d>/<s>: changed states, unknown service, invalid JSON, bad data',
    steps: [
      {
        http: 'POST',
        path: '/api/services/light/turn_on',
        body: { entity_id: 'light.kitchen_ceiling' },
        compare: 'status',
      },
      {
        http: 'POST',
        path: '/api/services/light/turn_off',
        body: { entity_id: 'light.kitchen_ceiling' },
        compare: 'shape',
        shapeDepth: 2,
      },
      { http: 'POST', path: '/api/services/light/turn_off', body: { entity_id: 'light.kitchen_ceiling' } },
      {
        http: 'POST',
        path: '/api/services/light/turn_on',
        body: { entity_id: 'light.kitchen_ceiling' },
        compare: 'shape',
        shapeDepth: 2,
      },
      { http: 'POST', path: '/api/services/light/turn_on', body: { entity_id: 'light.kitchen_ceiling' } },
      {
        http: 'POST',
        path: '/api/services/light/turn_on',
        body: { entity_id: 'light.kitchen_ceiling', no_such_field: 1 },
      },
      { http: 'POST', path: '/api/services/light/turn_on', body: [1] },
      {
        http: 'POST',
        path: '/api/services/LIGHT/Turn_On',
        body: { entity_id: 'light.kitchen_ceiling' },
        compare: 'status',
      },
      { http: 'POST', path: '/api/services/light/explode', body: {} },
      { http: 'POST', path: '/api/services/light/turn_on', rawBody: '{bad' },
      { http: 'POST', path: '/api/services/light/turn_on', body: { entity_id: 'not an id' } },
      {
        http: 'POST',
        path: '/api/services/light/turn_on?return_response',
        body: { entity_id: 'light.kitchen_ceiling' },
      },
    ],
  },
  {
    name: 'rest-methods',
    about: 'REST: methods a route does not have (405), bodies that are not objects',
    steps: [
      { http: 'PUT', path: '/api/states/sensor.conformance_method', body: { state: '1' } },
      { http: 'GET', path: '/api/events/my_event' },
      { http: 'GET', path: '/api/services/light/turn_on' },
      { http: 'DELETE', path: '/api/' },
      { http: 'POST', path: '/api/states/sensor.conformance_method', body: [1, 2], compare: 'status' },
      { http: 'POST', path: '/api/states/sensor.conformance_method', body: 'on', compare: 'status' },
      { http: 'GET', path: '/api/states/sensor.conformance_method' },
    ],
  },
  {
    name: 'rest-malformed',
    about: 'malformed request lines and unknown paths: 400/404, the server keeps serving',
    steps: [
      { tcp: 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n' },
      {
        tcp: 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      },
      { tcp: 'GARBAGE\r\n\r\n' },
      { http: 'GET', path: '/api/nope' },
      { http: 'GET', path: '/api/' },
    ],
  },
];
