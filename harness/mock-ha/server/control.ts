/**
 * Control API for harnesses in other processes or containers. Everything under /_mock/ needs
 * `Authorization: Bearer <control token>` except GET /_mock/health. See ../README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScenarioSpec } from '../engine/schedule.ts';
import { MockHaError, quote, quoteList } from '../errors.ts';
import { HOME_SIZES, type HomeSize, MAX_HOME_ENTITIES } from '../home/home.ts';
import { MAX_MIN_GAP_MS } from '../home/world.ts';
import type { Attributes } from '../protocol/types.ts';
import {
  decodeSegment,
  isRecord,
  MAX_LENGTH_STATE_ENTITY_ID,
  MAX_LENGTH_STATE_STATE,
  own,
  parseJson,
  pyLen,
  pyStr,
  validEntityId,
  validState,
} from '../protocol/validation.ts';
import type { MockHaCore } from './core.ts';
import { bearer, decodeUtf8, HttpError, onlyJsonWhitespace, readBytes, sendJson } from './http-util.ts';

const STATUS: Record<string, number> = {
  scenario_running: 409,
  invalid_scenario: 400,
  invalid_trace: 400,
  invalid_config: 400,
  unknown_entity: 404,
  unknown_run: 404,
};

const HOME_FIELDS = ['seed', 'size', 'entities', 'min_gap_ms'] as const;
const EVENT_FIELDS = ['entity_id', 'state', 'attributes'] as const;
const REGISTRY_FIELDS = new Map<string, readonly string[]>([
  ['create', ['action', 'kind', 'name', 'area_id']],
  ['update', ['action', 'entity_id', 'name']],
  ['remove', ['action', 'entity_id']],
]);

/**
 * Refuses a control body with fields the route does not read (400 naming all of them and the
 * allowed ones): a misspelt `entitites` silently ignored would load a home of the wrong size and
 * every figure measured on it would be wrong.
 */
function onlyFields(body: Record<string, unknown>, route: string, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw new HttpError(400, {
      message: `${route}: unknown field${unknown.length > 1 ? 's' : ''} ${quoteList(unknown)} (allowed: ${allowed.length ? allowed.join(', ') : 'none, send {} or no body'})`,
    });
}

const bad = (route: string, message: string) => new HttpError(400, { message: `${route}: ${message}` });

/** POST /_mock/registry: a known action, its fields only, strings where names are given. */
function checkRegistryBody(body: Record<string, unknown>): string {
  const action = own(body, 'action');
  const allowed = typeof action === 'string' ? REGISTRY_FIELDS.get(action) : undefined;
  if (!allowed)
    throw bad(
      'POST /_mock/registry',
      `"action" must be one of ${[...REGISTRY_FIELDS.keys()].join('|')}, got ${quote(action)}`,
    );
  const route = `POST /_mock/registry (${action})`;
  onlyFields(body, route, allowed);
  for (const key of ['name', 'area_id', 'entity_id', 'kind'])
    if (own(body, key) !== undefined && typeof body[key] !== 'string')
      throw bad(route, `"${key}" must be a string, got ${quote(body[key])}`);
  if (allowed.includes('entity_id') && own(body, 'entity_id') === undefined)
    throw bad(route, `"entity_id" is required (the entity to ${action}), not given`);
  return route;
}

/** The control API's POST routes: only these read a body (any other POST is a 404, body unread). */
const POST_ROUTES = new Set([
  '/_mock/home',
  '/_mock/scenario',
  '/_mock/scenario/stop',
  '/_mock/event',
  '/_mock/registry',
  '/_mock/disconnect',
]);

/**
 * A control body: empty (zero bytes, or only JSON whitespace) -> {}, else strict UTF-8 without a
 * BOM holding a JSON object under HA's JSON rules (protocol/validation.ts parseJson). 400 says
 * which of these it is not.
 */
async function readControlBody(req: IncomingMessage, route: string): Promise<Record<string, unknown>> {
  const bytes = await readBytes(req);
  if (onlyJsonWhitespace(bytes)) return {};
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    throw bad(route, 'body starts with a byte order mark (BOM): bytes EF BB BF; send the JSON without it');
  const text = decodeUtf8(bytes);
  if (text === null) throw bad(route, 'body is not valid UTF-8');
  const parsed = parseJson(text);
  if (parsed === undefined)
    throw bad(
      route,
      "body is not valid JSON (HA's rules: nesting deeper than 1024 levels, a number that overflows and a lone surrogate escape are invalid too)",
    );
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw bad(
      route,
      `expected a JSON object body, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`}`,
    );
  return v as Record<string, unknown>;
}

export function controlErrorStatus(err: unknown): number {
  return err instanceof MockHaError ? (STATUS[err.code] ?? 500) : 500;
}

function intParam(url: URL, name: string, dflt: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new HttpError(400, {
      message: `"${name}" must be a non-negative integer, got ${quote(raw)}`,
    });
  return n;
}

export async function handleControl(core: MockHaCore, req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === '/_mock/health') return sendJson(res, 200, core.health());
  if (core.controlToken === null) {
    throw new HttpError(503, {
      message: 'control API disabled: start the mock with MOCK_HA_CONTROL_TOKEN set',
    });
  }
  if (bearer(req) !== core.controlToken) {
    throw new HttpError(401, { message: 'control API needs Authorization: Bearer <MOCK_HA_CONTROL_TOKEN>' });
  }
  // Route before parsing: a POST to a route that does not exist is a 404 whatever its body.
  if (method === 'POST' && !POST_ROUTES.has(path))
    throw new HttpError(404, { message: `no control route POST ${quote(path)}` });
  const body = method === 'POST' ? await readControlBody(req, `POST ${path}`) : {};

  if (path === '/_mock/stats' && method === 'GET') return sendJson(res, 200, core.stats());
  if (path === '/_mock/actions' && method === 'GET') return sendJson(res, 200, core.actions.log());
  if (path === '/_mock/home' && method === 'GET') return sendJson(res, 200, core.homeSummary());
  if (path === '/_mock/home' && method === 'POST') {
    const route = 'POST /_mock/home';
    onlyFields(body, route, HOME_FIELDS);
    // A field not given keeps the current home's value; null asks for the default, for entities
    // (the size's own count) and min_gap_ms (0, no gap) only. The control client sends all four.
    const givenSeed = own(body, 'seed');
    const givenSize = own(body, 'size');
    const seed = givenSeed === undefined ? core.world.home.seed : givenSeed;
    const size = givenSize === undefined ? core.world.home.size : givenSize;
    // The CLI's rule for MOCK_HA_SEED: beyond 2^53 seeds lose precision (1e300 builds the home of seed 0).
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
      throw bad(
        route,
        `"seed" must be an integer between -(2^53 - 1) and 2^53 - 1 (null is not allowed: leave it out to keep the current seed), got ${quote(seed)}`,
      );
    if (!HOME_SIZES.includes(size as HomeSize))
      throw bad(
        route,
        `"size" must be one of ${HOME_SIZES.join('|')} (null is not allowed: leave it out to keep the current size), got ${quote(size)}`,
      );
    const opts: { entities?: number; minGapMs?: number } = {};
    const givenEntities = own(body, 'entities');
    const entities = givenEntities === undefined ? core.entitiesRequested : givenEntities;
    if (entities !== null) {
      if (
        typeof entities !== 'number' ||
        !Number.isInteger(entities) ||
        entities < 1 ||
        entities > MAX_HOME_ENTITIES
      )
        throw bad(
          route,
          `"entities" must be an integer between 1 and ${MAX_HOME_ENTITIES} (or null: the size's own count), got ${quote(entities)}`,
        );
      opts.entities = entities;
    }
    const givenGap = own(body, 'min_gap_ms');
    const gap = givenGap === undefined ? core.world.minGapMs : givenGap;
    if (gap !== null) {
      if (typeof gap !== 'number' || !Number.isFinite(gap) || gap < 0 || gap > MAX_MIN_GAP_MS)
        throw bad(
          route,
          `"min_gap_ms" must be a number of ms between 0 and ${MAX_MIN_GAP_MS} (or null: no gap), got ${quote(gap)}`,
        );
      opts.minGapMs = gap;
    }
    core.loadHome(seed, size as HomeSize, opts);
    return sendJson(res, 200, core.homeSummary());
  }
  if (path === '/_mock/scenario' && method === 'GET') {
    const latest = core.engine.latest();
    return sendJson(res, 200, {
      current: core.engine.current,
      latest: latest ? core.engine.report(latest.run_id) : null,
    });
  }
  if (path === '/_mock/scenario' && method === 'POST') {
    return sendJson(res, 201, core.engine.start(body as unknown as ScenarioSpec));
  }
  if (path === '/_mock/scenario/stop' && method === 'POST') {
    onlyFields(body, 'POST /_mock/scenario/stop', []);
    const stopped = core.engine.stop();
    return sendJson(res, 200, { stopped: stopped ? core.engine.report(stopped.run_id) : null });
  }
  if (path === '/_mock/runs' && method === 'GET') return sendJson(res, 200, core.engine.runs());
  const run = /^\/_mock\/runs\/([^/]+)(\/ledger)?$/.exec(path);
  if (run && method === 'GET') {
    const runId = decodeSegment(run[1] as string);
    if (runId === null) throw new HttpError(400, { message: 'run id is not valid percent-encoding' });
    if (!run[2]) return sendJson(res, 200, core.engine.report(runId));
    const ledger = core.engine.ledger(runId);
    const from = Number(url.searchParams.get('from') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 10_000);
    if (
      !Number.isSafeInteger(from) ||
      from < 0 ||
      !Number.isSafeInteger(limit) ||
      limit < 0 ||
      limit > 100_000
    )
      throw new HttpError(400, { message: '"from" must be an integer >= 0 and "limit" an integer 0-100000' });
    const entries = ledger.slice(from, limit);
    const next = from + entries.length < ledger.length ? from + entries.length : null;
    return sendJson(res, 200, { run_id: runId, total: ledger.length, from, next, entries });
  }
  if (path === '/_mock/event' && method === 'POST') {
    const route = 'POST /_mock/event';
    onlyFields(body, route, EVENT_FIELDS);
    const opts: { entity_id?: string; state?: string; attributes?: Attributes } = {};
    const entityId = own(body, 'entity_id');
    const state = own(body, 'state');
    const attributes = own(body, 'attributes');
    if (entityId !== undefined) {
      if (typeof entityId !== 'string')
        throw bad(route, `"entity_id" must be a string (a valid HA entity id), got ${quote(entityId)}`);
      if (!validEntityId(entityId))
        throw bad(
          route,
          `"entity_id" must be a valid HA entity id (<domain>.<object_id>: a-z, 0-9, _; at most ${MAX_LENGTH_STATE_ENTITY_ID} characters), got ${quote(entityId)}`,
        );
      opts.entity_id = entityId;
    }
    if (state !== undefined) {
      // HA's states are strings; a number or boolean is written as POST /api/states writes it
      // (Python's str(): true -> "True").
      if (typeof state !== 'string' && typeof state !== 'number' && typeof state !== 'boolean')
        throw bad(
          route,
          `"state" must be a string (or a number or boolean, stored as Python's str() of it), got ${quote(state)}`,
        );
      const text = pyStr(state);
      if (!validState(text))
        throw bad(
          route,
          `"state" must have at most ${MAX_LENGTH_STATE_STATE} characters, got ${pyLen(text)}: ${quote(text)}`,
        );
      opts.state = text;
    }
    if (attributes !== undefined) {
      if (!isRecord(attributes))
        throw bad(route, `"attributes" must be a JSON object, got ${quote(attributes)}`);
      opts.attributes = attributes as Attributes;
    }
    // Without an entity the mock fires its next synthetic change: a state or attributes given with
    // no entity_id would be dropped without a word.
    if (opts.entity_id === undefined && (state !== undefined || attributes !== undefined))
      throw bad(
        route,
        `"entity_id" is required with ${state !== undefined ? '"state"' : '"attributes"'} (without an entity the mock fires its next synthetic change), not given`,
      );
    if (opts.entity_id !== undefined && opts.state === undefined && !core.world.has(opts.entity_id))
      throw new HttpError(404, {
        message: `${route}: entity ${quote(opts.entity_id)} does not exist; give a "state" to create it`,
        code: 'unknown_entity',
      });
    const change = core.engine.fire(opts);
    const ledger = core.engine.ledger('manual');
    return sendJson(res, 201, {
      run_id: 'manual',
      entry: ledger.entry(ledger.length - 1),
      event: JSON.parse(change.eventJson()),
    });
  }
  if (path === '/_mock/registry' && method === 'POST') {
    const route = checkRegistryBody(body);
    return sendJson(res, 201, core.registryChange(body, route));
  }
  if (path === '/_mock/connections' && method === 'GET')
    return sendJson(res, 200, { connections: core.connections() });
  const conn = /^\/_mock\/connections\/(\d{1,9})\/deliveries$/.exec(path);
  if (conn && method === 'GET') {
    const from = intParam(url, 'from', 0);
    const limit = Math.min(intParam(url, 'limit', 10_000), 100_000);
    const c = core.connection(Number(conn[1]));
    if (!c)
      throw new HttpError(404, {
        message: `no connection ${conn[1]} (closed ones are kept for a while only)`,
      });
    const entries = c.deliveries.slice(from, limit);
    const total = c.deliveries.queued;
    const next = from + entries.length < total && entries.length > 0 ? from + entries.length : null;
    return sendJson(res, 200, { connection: c.view(), total, from, next, entries });
  }
  if (path === '/_mock/disconnect' && method === 'POST') {
    onlyFields(body, 'POST /_mock/disconnect', []);
    return sendJson(res, 200, { closed: core.disconnectAll('control_disconnect') });
  }
  throw new HttpError(404, { message: `no control route ${method} ${quote(path)}` });
}
