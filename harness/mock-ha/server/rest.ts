/** The REST endpoints HomeIQ's ingestion uses (CONTRACTS.md section 1), Bearer-protected. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { haConfig, servicesList } from '../home/registries.ts';
import { ENTITY_ID_PATTERN } from '../protocol/messages.ts';
import type { Attributes } from '../protocol/types.ts';
import type { MockHaCore } from './core.ts';
import { bearer, HttpError, readJsonObject, sendJson, sendText } from './http-util.ts';

export async function handleRest(core: MockHaCore, req: IncomingMessage, res: ServerResponse, path: string) {
  const token = bearer(req);
  if (token === null || !core.checkToken(token)) {
    core.counters.rest_unauthorized++;
    sendText(res, 401, '401: Unauthorized');
    return;
  }
  core.counters.rest_requests++;
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === '/api/') return sendJson(res, 200, { message: 'API running.' });
  if (method === 'GET' && path === '/api/config')
    return sendJson(res, 200, haConfig(core.world.home, core.haVersion));
  if (method === 'GET' && path === '/api/services') return sendJson(res, 200, servicesList());
  if (method === 'GET' && path === '/api/states') return sendJson(res, 200, [...core.world.states()]);
  const m = /^\/api\/states\/([^/]+)$/.exec(path);
  if (m) {
    const entityId = decodeURIComponent(m[1] as string);
    if (method === 'GET') {
      const s = core.world.get(entityId);
      return s ? sendJson(res, 200, s) : sendJson(res, 404, { message: 'Entity not found.' });
    }
    if (method === 'POST') {
      const body = await readJsonObject(req, 'Invalid JSON specified.');
      if (!ENTITY_ID_PATTERN.test(entityId))
        throw new HttpError(400, { message: 'Invalid entity ID specified.' });
      if (body.state === undefined || body.state === null)
        throw new HttpError(400, { message: 'No state specified.' });
      const attributes = (
        typeof body.attributes === 'object' && body.attributes !== null ? body.attributes : {}
      ) as Attributes;
      const existed = core.world.has(entityId);
      const change = core.world.set(
        entityId,
        String(body.state),
        attributes,
        core.clock.now(),
        body.force_update === true,
      );
      if (change) core.engine.recordExternal(change);
      const headers = { location: `/api/states/${entityId}` };
      return sendJson(res, existed ? 200 : 201, core.world.get(entityId), headers);
    }
  }
  sendText(res, 404, '404: Not Found');
}
