/**
 * Control API for harnesses in other processes or containers. Everything under /_mock/ needs
 * `Authorization: Bearer <control token>` except GET /_mock/health. See ../README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ScenarioSpec } from '../engine/schedule.ts';
import { MockHaError } from '../errors.ts';
import { HOME_SIZES, type HomeSize, MAX_HOME_ENTITIES } from '../home/home.ts';
import { MAX_MIN_GAP_MS } from '../home/world.ts';
import type { Attributes } from '../protocol/types.ts';
import { decodeSegment, parseJson } from '../protocol/validation.ts';
import type { MockHaCore } from './core.ts';
import { bearer, HttpError, readBody, sendJson } from './http-util.ts';

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
 * Refuses a control body with a field the route does not read (400 naming it and the allowed
 * ones): a misspelt `entitites` silently ignored would load a home of the wrong size and every
 * figure measured on it would be wrong.
 */
function onlyFields(body: Record<string, unknown>, route: string, allowed: readonly string[]): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      throw new HttpError(400, {
        message: `${route}: unknown field ${JSON.stringify(key)} (allowed: ${allowed.length ? allowed.join(', ') : 'none, send {} or no body'})`,
      });
}

/** POST /_mock/registry: a known action, its fields only, strings where names are given. */
function checkRegistryBody(body: Record<string, unknown>): void {
  const action = body.action;
  const allowed = typeof action === 'string' ? REGISTRY_FIELDS.get(action) : undefined;
  if (!allowed)
    throw new HttpError(400, {
      message: `"action" must be one of ${[...REGISTRY_FIELDS.keys()].join('|')}, got ${JSON.stringify(action)}`,
    });
  onlyFields(body, `POST /_mock/registry (${action})`, allowed);
  for (const key of ['name', 'area_id', 'entity_id'])
    if (body[key] !== undefined && typeof body[key] !== 'string')
      throw new HttpError(400, { message: `"${key}" must be a string, got ${JSON.stringify(body[key])}` });
}

/**
 * A control body: empty -> {}, else a JSON object under HA's JSON rules (protocol/validation.ts
 * parseJson). 400 says which of the two it is not: invalid JSON, or JSON that is not an object.
 */
async function readControlBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  const parsed = parseJson(text);
  if (parsed === undefined)
    throw new HttpError(400, {
      message:
        "body is not valid JSON (HA's rules: nesting deeper than 1024 levels, a number that overflows and a lone surrogate escape are invalid too)",
    });
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HttpError(400, {
      message: `expected a JSON object body, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`}`,
    });
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
      message: `"${name}" must be a non-negative integer, got ${JSON.stringify(raw)}`,
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
  const body = method === 'POST' ? await readControlBody(req) : {};

  if (path === '/_mock/stats' && method === 'GET') return sendJson(res, 200, core.stats());
  if (path === '/_mock/actions' && method === 'GET') return sendJson(res, 200, core.actions.log());
  if (path === '/_mock/home' && method === 'GET') return sendJson(res, 200, core.homeSummary());
  if (path === '/_mock/home' && method === 'POST') {
    onlyFields(body, 'POST /_mock/home', HOME_FIELDS);
    // A field not given keeps the current home's value; null asks for the default (entities: the
    // size's own count; min_gap_ms: 0, no gap). The control client always sends all four.
    const seed = body.seed ?? core.world.home.seed;
    const size = body.size ?? core.world.home.size;
    // The CLI's rule for MOCK_HA_SEED: beyond 2^53 seeds lose precision (1e300 builds the home of seed 0).
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
      throw new HttpError(400, {
        message: `"seed" must be an integer between -(2^53 - 1) and 2^53 - 1, got ${JSON.stringify(seed)}`,
      });
    if (!HOME_SIZES.includes(size as HomeSize))
      throw new HttpError(400, {
        message: `"size" must be one of ${HOME_SIZES.join('|')}, got ${JSON.stringify(size)}`,
      });
    const opts: { entities?: number; minGapMs?: number } = {};
    const entities = body.entities === undefined ? core.entitiesRequested : body.entities;
    if (entities !== null) {
      if (
        typeof entities !== 'number' ||
        !Number.isInteger(entities) ||
        entities < 1 ||
        entities > MAX_HOME_ENTITIES
      )
        throw new HttpError(400, {
          message: `"entities" must be an integer between 1 and ${MAX_HOME_ENTITIES} (or null: the size's own count), got ${JSON.stringify(entities)}`,
        });
      opts.entities = entities;
    }
    const gap = body.min_gap_ms === undefined ? core.world.minGapMs : body.min_gap_ms;
    if (gap !== null) {
      if (typeof gap !== 'number' || !Number.isFinite(gap) || gap < 0 || gap > MAX_MIN_GAP_MS)
        throw new HttpError(400, {
          message: `"min_gap_ms" must be a number of ms between 0 and ${MAX_MIN_GAP_MS} (or null: no gap), got ${JSON.stringify(gap)}`,
        });
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
    onlyFields(body, 'POST /_mock/event', EVENT_FIELDS);
    const opts: { entity_id?: string; state?: string; attributes?: Attributes } = {};
    if (body.entity_id !== undefined) {
      if (typeof body.entity_id !== 'string')
        throw new HttpError(400, {
          message: `"entity_id" must be a string, got ${JSON.stringify(body.entity_id)}`,
        });
      opts.entity_id = body.entity_id;
    }
    if (body.state !== undefined) {
      // HA's states are strings; a number or boolean is written as the string HA would store.
      if (typeof body.state !== 'string' && typeof body.state !== 'number' && typeof body.state !== 'boolean')
        throw new HttpError(400, {
          message: `"state" must be a string (or a number or boolean, stored as its text), got ${JSON.stringify(body.state)}`,
        });
      opts.state = String(body.state);
    }
    if (body.attributes !== undefined) {
      if (typeof body.attributes !== 'object' || body.attributes === null || Array.isArray(body.attributes))
        throw new HttpError(400, {
          message: `"attributes" must be a JSON object, got ${JSON.stringify(body.attributes)}`,
        });
      opts.attributes = body.attributes as Attributes;
    }
    const change = core.engine.fire(opts);
    const ledger = core.engine.ledger('manual');
    return sendJson(res, 201, {
      run_id: 'manual',
      entry: ledger.entry(ledger.length - 1),
      event: JSON.parse(change.eventJson()),
    });
  }
  if (path === '/_mock/registry' && method === 'POST') {
    checkRegistryBody(body);
    return sendJson(res, 201, core.registryChange(body));
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
  throw new HttpError(404, { message: `no control route ${method} ${path}` });
}
