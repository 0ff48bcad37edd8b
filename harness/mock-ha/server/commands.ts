/**
 * Websocket command handlers, with voluptuous-like schema checks (extra keys are refused,
 * as in HA). Unknown commands do not advance the connection's last id, as in HA.
 */
import {
  areaRegistryList,
  configEntriesList,
  deviceRegistryList,
  entityRegistryList,
  haConfig,
  servicesByDomain,
} from '../home/registries.ts';
import type { World } from '../home/world.ts';
import * as msg from '../protocol/messages.ts';
import type { ClientConnection } from './connection.ts';

type Check = (v: unknown) => string | null;
interface Schema {
  required?: Record<string, Check>;
  optional?: Record<string, Check>;
}

const str: Check = (v) => (typeof v === 'string' ? null : 'expected str');
const int: Check = (v) => (typeof v === 'number' && Number.isInteger(v) ? null : 'expected int');
const dict: Check = (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'expected dict';
const strList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'expected a list of entity ids';

function check(m: Record<string, unknown>, schema: Schema): string | null {
  for (const key of Object.keys(m)) {
    if (key === 'id' || key === 'type') continue;
    if (!(schema.required && key in schema.required) && !(schema.optional && key in schema.optional)) {
      return `extra keys not allowed @ data['${key}']`;
    }
  }
  for (const [key, c] of Object.entries(schema.required ?? {})) {
    if (!(key in m)) return `required key not provided @ data['${key}']`;
    const e = c(m[key]);
    if (e) return `${e} for dictionary value @ data['${key}']`;
  }
  for (const [key, c] of Object.entries(schema.optional ?? {})) {
    if (!(key in m)) continue;
    const e = c(m[key]);
    if (e) return `${e} for dictionary value @ data['${key}']`;
  }
  return null;
}

export interface CommandContext {
  world(): World;
  haVersion: string;
}

interface Handler {
  schema: Schema;
  handle(ctx: CommandContext, conn: ClientConnection, id: number, m: Record<string, unknown>): void;
}

const listResult = (make: (w: World) => unknown): Handler => ({
  schema: {},
  handle: (ctx, conn, id) => conn.sendObject(msg.result(id, make(ctx.world()))),
});

const HANDLERS: Record<string, Handler> = {
  ping: { schema: {}, handle: (_c, conn, id) => conn.sendObject(msg.pong(id)) },
  supported_features: {
    schema: { required: { features: dict } },
    handle: (_c, conn, id, m) => {
      const features = m.features as Record<string, unknown>;
      conn.coalesce = Boolean(features.coalesce_messages);
      conn.sendObject(msg.result(id, null));
    },
  },
  subscribe_events: {
    schema: { optional: { event_type: str } },
    handle: (_c, conn, id, m) => {
      const eventType = typeof m.event_type === 'string' && m.event_type !== '*' ? m.event_type : null;
      conn.subscriptions.set(id, {
        kind: 'events',
        prefix: msg.eventMessagePrefix(id),
        eventType,
        entityIds: null,
      });
      conn.sendObject(msg.result(id, null));
    },
  },
  unsubscribe_events: {
    schema: { required: { subscription: int } },
    handle: (_c, conn, id, m) => {
      if (conn.subscriptions.delete(m.subscription as number)) conn.sendObject(msg.result(id, null));
      else conn.sendObject(msg.errorResult(id, 'not_found', 'Subscription not found.'));
    },
  },
  subscribe_entities: {
    schema: { optional: { entity_ids: strList } },
    handle: (ctx, conn, id, m) => {
      const filter = Array.isArray(m.entity_ids) ? new Set(m.entity_ids as string[]) : null;
      conn.subscriptions.set(id, {
        kind: 'entities',
        prefix: msg.eventMessagePrefix(id),
        eventType: null,
        entityIds: filter,
      });
      conn.sendObject(msg.result(id, null));
      const states = [...ctx.world().states()].filter((s) => filter === null || filter.has(s.entity_id));
      conn.sendObject(msg.eventMessage(id, msg.initialEntitiesEvent(states)));
    },
  },
  get_states: listResult((w) => [...w.states()]),
  get_config: {
    schema: {},
    handle: (ctx, conn, id) => conn.sendObject(msg.result(id, haConfig(ctx.world().home, ctx.haVersion))),
  },
  get_services: listResult(() => servicesByDomain()),
  'config/device_registry/list': listResult((w) => deviceRegistryList(w.home)),
  'config/entity_registry/list': listResult((w) => entityRegistryList(w.home)),
  'config/area_registry/list': listResult((w) => areaRegistryList(w.home)),
  'config_entries/list': listResult((w) => configEntriesList(w.home)),
  'config_entries/get': {
    schema: { optional: { domain: str, type_filter: (v) => (Array.isArray(v) ? null : 'expected list') } },
    handle: (ctx, conn, id, m) => {
      const all = configEntriesList(ctx.world().home);
      conn.sendObject(
        msg.result(id, typeof m.domain === 'string' ? all.filter((e) => e.domain === m.domain) : all),
      );
    },
  },
};

export const SUPPORTED_COMMANDS = Object.keys(HANDLERS);

export function handleCommand(ctx: CommandContext, conn: ClientConnection, m: Record<string, unknown>): void {
  const id = m.id as number;
  const handler = HANDLERS[m.type as string];
  if (!handler) {
    conn.sendObject(msg.errorResult(id, 'unknown_command', 'Unknown command.'));
    return;
  }
  const problem = check(m, handler.schema);
  if (problem) conn.sendObject(msg.errorResult(id, 'invalid_format', `Message format incorrect: ${problem}`));
  else {
    try {
      handler.handle(ctx, conn, id, m);
    } catch (err) {
      conn.sendObject(msg.errorResult(id, 'unknown_error', err instanceof Error ? err.message : String(err)));
    }
  }
  conn.lastId = id;
}
