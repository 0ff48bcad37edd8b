/**
 * HA's REST API as `homeassistant/components/api` serves it (Bearer-protected): status, config,
 * states (read, write, remove), services (list, call), events (fire). Messages and status codes
 * are HA's; the validation rules are the websocket's (../protocol/validation.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { haConfig } from '../home/registries.ts';
import { hasService, ServiceCallError, servicesList } from '../home/services.ts';
import { stateJson } from '../protocol/messages.ts';
import {
  decodeSegment,
  isRecord,
  MAX_LENGTH_EVENT_EVENT_TYPE,
  own,
  parseJson,
  pyLen,
  pyStr,
  validEntityId,
  validState,
} from '../protocol/validation.ts';
import type { MockHaCore } from './core.ts';
import { bearer, readBody, sendJson, sendText } from './http-util.ts';

const sendRaw = (res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
};

/** aiohttp's answer to an unhandled exception in a view (HA raises one for these inputs). */
const internalError = (res: ServerResponse) =>
  sendText(res, 500, '500 Internal Server Error\n\nServer got itself in trouble');
const badRequest = (res: ServerResponse) => sendText(res, 400, '400: Bad Request');
const methodNotAllowed = (res: ServerResponse) => sendText(res, 405, '405: Method Not Allowed');

export async function handleRest(
  core: MockHaCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) {
  const token = bearer(req);
  if (token === null || !core.checkToken(token)) {
    core.counters.rest_unauthorized++;
    sendText(res, 401, '401: Unauthorized');
    return;
  }
  core.counters.rest_requests++;
  const method = req.method ?? 'GET';
  const world = core.world;

  if (path === '/api/')
    return method === 'GET' ? sendJson(res, 200, { message: 'API running.' }) : methodNotAllowed(res);
  if (path === '/api/config')
    return method === 'GET'
      ? sendJson(res, 200, haConfig(world.home, core.haVersion))
      : methodNotAllowed(res);
  if (path === '/api/services')
    return method === 'GET' ? sendJson(res, 200, servicesList()) : methodNotAllowed(res);
  if (path === '/api/states')
    return method === 'GET'
      ? sendRaw(res, 200, `[${[...world.states()].map(stateJson).join(',')}]`)
      : methodNotAllowed(res);

  const segments = path.split('/'); // ['', 'api', kind, ...]
  const kind = segments[2];
  if (kind === 'states' && segments.length === 4) {
    const entityId = decodeSegment(segments[3] as string);
    if (entityId === null || entityId === '') return sendText(res, 404, '404: Not Found');
    const lowered = entityId.toLowerCase(); // HA's state machine lower-cases ids on get/remove
    if (method === 'GET') {
      const s = world.get(lowered);
      return s ? sendRaw(res, 200, stateJson(s)) : sendJson(res, 404, { message: 'Entity not found.' });
    }
    if (method === 'DELETE') {
      return core.actions.removeState(lowered)
        ? sendJson(res, 200, { message: 'Entity removed.' })
        : sendJson(res, 404, { message: 'Entity not found.' });
    }
    if (method === 'POST') {
      // HA: `await request.json()` inside `except ValueError`; aiohttp decodes the body as strict
      // UTF-8 and UnicodeDecodeError is a ValueError, so invalid UTF-8 is invalid JSON here.
      const raw = await readBody(req);
      const parsed = raw === null ? undefined : parseJson(raw);
      if (parsed === undefined) return sendJson(res, 400, { message: 'Invalid JSON specified.' });
      // HA calls data.get() on whatever JSON came: a list or a string is a 500 there.
      if (!isRecord(parsed.value)) return internalError(res);
      const body = parsed.value;
      const state = own(body, 'state');
      if (state === undefined || state === null)
        return sendJson(res, 400, { message: 'No state specified.' });
      const id = entityId.toLowerCase();
      if (!validEntityId(id)) return sendJson(res, 400, { message: 'Invalid entity ID specified.' });
      const text = pyStr(state); // HA's async_set writes str(new_state)
      if (!validState(text)) return sendJson(res, 400, { message: 'Invalid state specified.' });
      const attributes = own(body, 'attributes');
      // HA builds a read-only dict from them: anything but an object or null is a 500 there.
      if (attributes !== undefined && attributes !== null && !isRecord(attributes)) return internalError(res);
      const existed = world.has(id);
      core.actions.setState(
        id,
        text,
        isRecord(attributes) ? { ...attributes } : {},
        own(body, 'force_update') === true,
      );
      const s = world.get(id);
      return sendRaw(res, existed ? 200 : 201, s ? stateJson(s) : 'null', { location: `/api/states/${id}` });
    }
    return methodNotAllowed(res);
  }

  if (kind === 'events' && segments.length === 4) {
    if (method !== 'POST') return methodNotAllowed(res);
    const eventType = decodeSegment(segments[3] as string);
    if (eventType === null || eventType === '') return sendText(res, 404, '404: Not Found');
    const text = await readBody(req);
    // HA's view calls `await request.text()` outside its `try`: invalid UTF-8 is an unhandled
    // UnicodeDecodeError there (aiohttp's 500), not "should be valid JSON".
    if (text === null) return internalError(res);
    const parsed = text === '' ? { value: null } : parseJson(text);
    if (parsed === undefined) return sendJson(res, 400, { message: 'Event data should be valid JSON.' });
    if (parsed.value !== null && !isRecord(parsed.value))
      return sendJson(res, 400, { message: 'Event data should be a JSON object' });
    if (pyLen(eventType) > MAX_LENGTH_EVENT_EVENT_TYPE)
      return sendText(res, 500, '500 Internal Server Error\n\nServer got itself in trouble');
    core.actions.fireEvent('rest', eventType, parsed.value as Record<string, unknown> | null);
    return sendJson(res, 200, { message: `Event ${eventType} fired.` });
  }

  if (kind === 'services' && segments.length === 5) {
    if (method !== 'POST') return methodNotAllowed(res);
    const domain = decodeSegment(segments[3] as string);
    const service = decodeSegment(segments[4] as string);
    if (domain === null || service === null) return sendText(res, 404, '404: Not Found');
    const text = await readBody(req);
    if (text === null) return internalError(res); // as for events: request.text() outside the try
    const parsed = text === '' ? { value: null } : parseJson(text);
    if (parsed === undefined) return sendJson(res, 400, { message: 'Data should be valid JSON.' });
    const d = domain.toLowerCase();
    const s = service.toLowerCase();
    if (!hasService(d, s)) return badRequest(res);
    if (query.has('return_response'))
      return sendJson(res, 400, {
        message: 'Service does not support responses. Remove return_response from request.',
      });
    try {
      const { changed } = core.actions.callService('rest', d, s, parsed.value, undefined);
      return sendRaw(res, 200, `[${changed.map(stateJson).join(',')}]`);
    } catch (err) {
      if (err instanceof ServiceCallError) return badRequest(res);
      throw err;
    }
  }
  sendText(res, 404, '404: Not Found');
}
