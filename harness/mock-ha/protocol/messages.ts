/**
 * Pure builders for the Home Assistant WebSocket protocol (no I/O). Shared by the mock server,
 * the tests and any verifier, so that all of them agree on the wire format.
 * Ground truth: Home Assistant's WebSocket API (fixtures/ha-transcripts, recorded from real HA core).
 */
import type { CompressedDiff, CompressedState, EntitiesEvent, HaContext, HaState } from './types.ts';

export const ERROR_CODES = [
  'id_reuse',
  'service_validation_error',
  'invalid_format',
  'unknown_command',
  'not_found',
  'not_allowed',
  'unauthorized',
  'home_assistant_error',
  'unknown_error',
  'timeout',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const AUTH_INVALID_MESSAGE = 'Invalid access token or password';

export const authRequired = (haVersion: string) => ({ type: 'auth_required', ha_version: haVersion });
export const authOk = (haVersion: string) => ({ type: 'auth_ok', ha_version: haVersion });
export const authInvalid = (message: string = AUTH_INVALID_MESSAGE) => ({ type: 'auth_invalid', message });
export const auth = (accessToken: string) => ({ type: 'auth', access_token: accessToken });

export const result = (id: number, value: unknown = null) => ({
  id,
  type: 'result',
  success: true,
  result: value,
});

export const errorResult = (id: number, code: ErrorCode, message: string) => ({
  id,
  type: 'result',
  success: false,
  error: { code, message },
});

export const pong = (id: number) => ({ id, type: 'pong' });

export const eventMessage = (subscriptionId: number, event: unknown) => ({
  id: subscriptionId,
  type: 'event',
  event,
});

/**
 * Wraps an already-serialised event in an event message without re-serialising it: real HA
 * also serialises an event once and reuses the bytes for every subscription.
 */
export const eventMessageJson = (subscriptionId: number, eventJson: string): string =>
  `{"id":${subscriptionId},"type":"event","event":${eventJson}}`;

/** Frames several serialised messages into one coalesced frame (a JSON array). */
export const coalesce = (jsonMessages: readonly string[]): string =>
  jsonMessages.length === 1 ? (jsonMessages[0] as string) : `[${jsonMessages.join(',')}]`;

// Client-side commands (used by tests and verifiers).
export const ping = (id: number) => ({ id, type: 'ping' });
export const supportedFeatures = (id: number, coalesceMessages = true) => ({
  id,
  type: 'supported_features',
  features: { coalesce_messages: coalesceMessages ? 1 : 0 },
});
export const subscribeEvents = (id: number, eventType?: string) =>
  eventType === undefined
    ? { id, type: 'subscribe_events' }
    : { id, type: 'subscribe_events', event_type: eventType };
export const unsubscribeEvents = (id: number, subscription: number) => ({
  id,
  type: 'unsubscribe_events',
  subscription,
});
export const subscribeEntities = (id: number, entityIds?: string[]) =>
  entityIds === undefined
    ? { id, type: 'subscribe_entities' }
    : { id, type: 'subscribe_entities', entity_ids: entityIds };
export const command = (id: number, type: string) => ({ id, type });

// --- Time formatting, as Home Assistant writes it (microseconds, +00:00). ---

/** Epoch milliseconds (may be fractional) -> `2025-01-01T12:00:00.123456+00:00`. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';
export function haIsoTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19); // 2025-01-01T12:00:00
  }
  const micros = Math.min(999_999, Math.floor((epochMs - second * 1000) * 1000));
  return `${cachedPrefix}.${String(micros).padStart(6, '0')}+00:00`;
}

/** Inverse of haIsoTime, returns epoch seconds (float) as `lc`/`lu` carry them. */
export const isoToEpochSeconds = (iso: string): number => {
  const ms = Date.parse(iso);
  const fraction = /\.\d{3}(\d{3})/.exec(iso)?.[1];
  return (ms + (fraction ? Number(fraction) / 1000 : 0)) / 1000;
};

// --- subscribe_entities compression (mirrors homeassistant/const + websocket_api/messages.py). ---

const compressContext = (ctx: HaContext): string | HaContext =>
  ctx.parent_id === null && ctx.user_id === null ? ctx.id : ctx;

export function compressState(state: HaState): CompressedState {
  const compressed: CompressedState = {
    s: state.state,
    a: state.attributes,
    c: compressContext(state.context),
    lc: isoToEpochSeconds(state.last_changed),
  };
  if (state.last_updated !== state.last_changed) compressed.lu = isoToEpochSeconds(state.last_updated);
  return compressed;
}

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));

/** The `c` entry for one entity, as HA's `_state_diff` computes it. */
export function stateDiff(oldState: HaState, newState: HaState): CompressedDiff {
  const add: NonNullable<CompressedDiff['+']> = {};
  const diff: CompressedDiff = { '+': add };
  if (oldState.state !== newState.state) add.s = newState.state;
  if (oldState.last_changed !== newState.last_changed) add.lc = isoToEpochSeconds(newState.last_changed);
  else if (oldState.last_updated !== newState.last_updated) add.lu = isoToEpochSeconds(newState.last_updated);
  const o = oldState.context;
  const n = newState.context;
  let ctx: Partial<HaContext> | undefined;
  if (o.parent_id !== n.parent_id) ctx = { parent_id: n.parent_id };
  if (o.user_id !== n.user_id) ctx = { ...ctx, user_id: n.user_id };
  if (o.id !== n.id) add.c = ctx ? { ...ctx, id: n.id } : n.id;
  else if (ctx) add.c = ctx;
  const changed: Record<string, unknown> = {};
  let anyChanged = false;
  for (const [key, value] of Object.entries(newState.attributes)) {
    if (!sameValue(oldState.attributes[key], value) || !(key in oldState.attributes)) {
      changed[key] = value;
      anyChanged = true;
    }
  }
  if (anyChanged) add.a = changed;
  const removed = Object.keys(oldState.attributes).filter((k) => !(k in newState.attributes));
  if (removed.length > 0) diff['-'] = { a: removed };
  return diff;
}

/** The subscribe_entities event for one state_changed (added / changed / removed). */
export function entitiesEvent(oldState: HaState | null, newState: HaState | null): EntitiesEvent | null {
  if (newState === null) return oldState === null ? null : { r: [oldState.entity_id] };
  if (oldState === null) return { a: { [newState.entity_id]: compressState(newState) } };
  return { c: { [newState.entity_id]: stateDiff(oldState, newState) } };
}

export const initialEntitiesEvent = (states: Iterable<HaState>): EntitiesEvent => {
  const a: Record<string, CompressedState> = {};
  for (const s of states) a[s.entity_id] = compressState(s);
  return { a };
};

/** HA's entity id rule (homeassistant/core.py VALID_ENTITY_ID; see validation.ts). */
export { VALID_ENTITY_ID as ENTITY_ID_PATTERN } from './validation.ts';
/** Access tokens HomeIQ's ingestion accepts. */
export const TOKEN_PATTERN = /^[A-Za-z0-9._-]{32,300}$/;

// --- Events (state_changed and registry updates), built as HA serialises them. ---

const attributesJson = new WeakMap<object, string>();
const contextJson = (c: HaContext): string =>
  c.parent_id === null && c.user_id === null
    ? `{"id":"${c.id}","parent_id":null,"user_id":null}`
    : JSON.stringify({ id: c.id, parent_id: c.parent_id, user_id: c.user_id });

/**
 * JSON.stringify(state) for the key order of HaState, with the attributes' JSON cached per
 * attributes object (states share unchanged attribute objects; they are never mutated).
 */
export function stateJson(s: HaState): string {
  let a = attributesJson.get(s.attributes);
  if (a === undefined) {
    a = JSON.stringify(s.attributes);
    attributesJson.set(s.attributes, a);
  }
  return `{"entity_id":${JSON.stringify(s.entity_id)},"state":${JSON.stringify(s.state)},"attributes":${a},"last_changed":"${s.last_changed}","last_reported":"${s.last_reported}","last_updated":"${s.last_updated}","context":${contextJson(s.context)}}`;
}

export const newContext = (id: string): HaContext => ({ id, parent_id: null, user_id: null });

export function stateChangedEvent(
  entityId: string,
  oldState: HaState | null,
  newState: HaState | null,
  timeFired: string,
  context: HaContext,
) {
  return {
    event_type: 'state_changed',
    data: { entity_id: entityId, old_state: oldState, new_state: newState },
    origin: 'LOCAL' as const,
    time_fired: timeFired,
    context,
  };
}

/**
 * Same JSON as JSON.stringify(stateChangedEvent(...)) but reusing the already-serialised
 * states (the old state is the previous new state, so each state is serialised once).
 */
export const stateChangedEventJson = (
  entityId: string,
  oldStateJson: string | null,
  newStateJson: string | null,
  timeFired: string,
  context: HaContext,
): string =>
  `{"event_type":"state_changed","data":{"entity_id":${JSON.stringify(entityId)},"old_state":${oldStateJson ?? 'null'},"new_state":${newStateJson ?? 'null'}},"origin":"LOCAL","time_fired":"${timeFired}","context":${contextJson(context)}}`;

/**
 * `{"id":<subscription>,"type":"event","event":` - an event message is prefix + event + `}`.
 * Kept as a string: the send path joins a tick's messages into one string and converts it to
 * bytes once (see server/connection.ts).
 */
export const eventMessagePrefix = (subscriptionId: number): string =>
  `{"id":${subscriptionId},"type":"event","event":`;

export function registryUpdatedEvent(
  eventType: 'device_registry_updated' | 'entity_registry_updated',
  data: Record<string, unknown>,
  timeFired: string,
  context: HaContext,
) {
  return { event_type: eventType, data, origin: 'LOCAL' as const, time_fired: timeFired, context };
}
