/**
 * Websocket command handlers, dispatched through a Map (a client-chosen `type` such as
 * `constructor` or `__proto__` is just an unknown command). Schemas and messages follow HA
 * (homeassistant/components/websocket_api/connection.py `async_handle`): extra keys are refused,
 * errors are voluptuous' humanised text ("... @ data['x']. Got ..."), unknown commands do not
 * advance the connection's last id, any other outcome (success or error) does. A handler that
 * throws becomes HA's `unknown_error` reply and is counted, never a process exit.
 */
import {
  areaRegistryList,
  configEntriesList,
  deviceRegistryList,
  entityRegistryExtended,
  entityRegistryForDisplay,
  entityRegistryList,
  haConfig,
  servicesByDomain,
} from '../home/registries.ts';
import { hasService, ServiceCallError } from '../home/services.ts';
import type { World } from '../home/world.ts';
import * as msg from '../protocol/messages.ts';
import {
  anything,
  bool,
  type Check,
  compEntityIds,
  dict,
  entityIdCheck,
  entityIdsCheck,
  humanize,
  Invalid,
  isInvalid,
  isRecord,
  list,
  MAX_LENGTH_EVENT_EVENT_TYPE,
  nested,
  PythonTypeError,
  pyLen,
  pyStr,
  type Schema,
  str,
  type VolError,
  validate,
} from '../protocol/validation.ts';
import type { Actions } from './actions.ts';
import type { ClientConnection } from './connection.ts';

export interface CommandContext {
  world(): World;
  haVersion: string;
  actions: Actions;
  /** A handler threw: counted in stats as `handler_errors`. */
  onHandlerError(type: string, err: unknown): void;
}

type Handle = (ctx: CommandContext, conn: ClientConnection, id: number, m: Record<string, unknown>) => void;
interface Handler {
  /** null: the command takes no parameters (HA's `schema is False`: more than id+type is refused). */
  schema: Schema | null;
  handle: Handle;
}

const schema = (required: [string, Check][], optional: [string, Check][] = []): Schema => ({
  required: new Map(required),
  optional: new Map(optional),
});

/** `{str: int}` (supported_features' features). */
const featureMap: Check = (v) => {
  if (!isRecord(v)) return new Invalid('expected a dictionary');
  const errors: VolError[] = [];
  for (const [k, x] of Object.entries(v))
    if (typeof x !== 'number' || !Number.isInteger(x))
      errors.push({ message: 'expected int for dictionary value', path: [k] });
  return errors.length > 0 ? errors : null;
};
/** `vol.All(cv.ensure_list, [cv.string])`. */
const stringList: Check = (v) => {
  const items = v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
  for (const x of items) {
    if (x === null) return new Invalid('string value is None');
    if (typeof x === 'object') return new Invalid('value should be a string');
  }
  return { value: items.map((x) => pyStr(x)) };
};
/** `vol.Any("none", vol.All(cv.ensure_list, [str]))` (device_id, area_id, ... of a target). */
const idList: Check = (v) => {
  if (v === 'none') return null;
  const items = Array.isArray(v) ? v : [v];
  return items.every((x) => typeof x === 'string') ? null : new Invalid('expected str');
};
/** HA's cv.ENTITY_SERVICE_FIELDS: the `target` of call_service. */
const targetSchema = nested(
  schema(
    [],
    [
      [
        'entity_id',
        // vol.Any(comp_entity_ids, dynamic_template, ...): voluptuous' generic message.
        (v) => {
          const r = compEntityIds(v);
          return isInvalid(r) ? new Invalid('not a valid value') : { value: r };
        },
      ],
      ['device_id', idList],
      ['area_id', idList],
      ['floor_id', idList],
      ['label_id', idList],
    ],
  ),
);

/** HA's INCLUDE_EXCLUDE_FILTER_SCHEMA_INNER: `{domains, entity_globs, entities}`. */
const filterInner = nested(
  schema(
    [],
    [
      ['domains', stringList],
      ['entity_globs', stringList],
      ['entities', entityIdsCheck],
    ],
  ),
);
/** `cv.positive_int`: vol.All(vol.Coerce(int), vol.Range(min=0)) - "1" is 1. */
const positiveInt: Check = (v) => {
  const n =
    typeof v === 'number'
      ? Math.trunc(v)
      : typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)
        ? Number(v)
        : Number.NaN;
  if (typeof v === 'boolean') return { value: v ? 1 : 0 };
  if (!Number.isFinite(n)) return new Invalid('expected int');
  if (n < 0) return new Invalid('value must be at least 0');
  return { value: n };
};

const result = (make: (w: World) => unknown): Handler => ({
  schema: null,
  handle: (ctx, conn, id) => conn.sendObject(msg.result(id, make(ctx.world()))),
});

/** HA's `include`/`exclude` entity filter of subscribe_entities (homeassistant/helpers/entityfilter.py). */
const FILTER_KEYS: [string, Check][] = [
  ['include', filterInner],
  ['exclude', filterInner],
];

function entityFilter(m: Record<string, unknown>): ((id: string) => boolean) | null {
  const part = (side: 'include' | 'exclude', k: string): string[] => {
    const o = m[side];
    const v = isRecord(o) ? o[k] : undefined;
    return Array.isArray(v) ? (v as string[]) : [];
  };
  const get = (k: string) => {
    const [side, rest] = k.split(/_(.+)/) as ['include' | 'exclude', string];
    return part(side, rest === 'entity_globs' ? 'entity_globs' : rest);
  };
  const glob = (g: string) =>
    new RegExp(
      `^${g
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
  const inc = {
    d: new Set(get('include_domains')),
    e: new Set(get('include_entities')),
    g: get('include_entity_globs').map(glob),
  };
  const exc = {
    d: new Set(get('exclude_domains')),
    e: new Set(get('exclude_entities')),
    g: get('exclude_entity_globs').map(glob),
  };
  const has = (x: typeof inc) => x.d.size > 0 || x.e.size > 0 || x.g.length > 0;
  if (!has(inc) && !has(exc)) return null;
  const domain = (id: string) => id.slice(0, id.indexOf('.'));
  const globbed = (g: RegExp[], id: string) => g.some((r) => r.test(id));
  const match = (x: typeof inc, id: string) => x.e.has(id) || x.d.has(domain(id)) || globbed(x.g, id);
  // homeassistant/helpers/entityfilter.py, cases 2-6.
  if (!has(exc)) return (id) => match(inc, id);
  if (!has(inc)) return (id) => !match(exc, id);
  if (inc.d.size > 0 || inc.g.length > 0)
    return (id) =>
      inc.e.has(id) ||
      (!exc.e.has(id) && (globbed(inc.g, id) || (inc.d.has(domain(id)) && !globbed(exc.g, id))));
  if (exc.d.size > 0 || exc.g.length > 0)
    return (id) => inc.e.has(id) || (!exc.e.has(id) && !globbed(exc.g, id) && !exc.d.has(domain(id)));
  return (id) => inc.e.has(id);
}

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['ping', { schema: null, handle: (_c, conn, id) => conn.sendObject(msg.pong(id)) }],
  [
    'supported_features',
    {
      schema: schema([['features', featureMap]]),
      handle: (_c, conn, id, m) => {
        const features = m.features as Record<string, unknown>;
        conn.coalesce = Object.hasOwn(features, 'coalesce_messages') && Boolean(features.coalesce_messages);
        conn.sendObject(msg.result(id, null));
      },
    },
  ],
  [
    'subscribe_events',
    {
      schema: schema([], [['event_type', str]]),
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
  ],
  [
    'unsubscribe_events',
    {
      schema: schema([['subscription', positiveInt]]),
      handle: (_c, conn, id, m) => {
        if (conn.subscriptions.delete(m.subscription as number)) conn.sendObject(msg.result(id, null));
        else conn.sendObject(msg.errorResult(id, 'not_found', 'Subscription not found.'));
      },
    },
  ],
  [
    'subscribe_entities',
    {
      schema: schema([], [['entity_ids', entityIdsCheck], ...FILTER_KEYS]),
      handle: (ctx, conn, id, m) => {
        // HA: `set(msg.get("entity_ids", [])) or None` - an empty list is no filter.
        const ids =
          Array.isArray(m.entity_ids) && m.entity_ids.length > 0 ? new Set(m.entity_ids as string[]) : null;
        const filter = entityFilter(m);
        const accept = (e: string) => (ids === null || ids.has(e)) && (filter === null || filter(e));
        conn.subscriptions.set(id, {
          kind: 'entities',
          prefix: msg.eventMessagePrefix(id),
          eventType: null,
          entityIds: ids === null && filter === null ? null : { has: accept },
        });
        conn.sendObject(msg.result(id, null));
        const states = [...ctx.world().states()].filter((s) => accept(s.entity_id));
        conn.sendObject(msg.eventMessage(id, msg.initialEntitiesEvent(states)));
      },
    },
  ],
  ['get_states', result((w) => [...w.states()])],
  [
    'get_config',
    {
      schema: null,
      handle: (ctx, conn, id) => conn.sendObject(msg.result(id, haConfig(ctx.world().home, ctx.haVersion))),
    },
  ],
  ['get_services', result(() => servicesByDomain())],
  [
    'call_service',
    {
      schema: schema(
        [
          ['domain', str],
          ['service', str],
        ],
        [
          ['target', targetSchema],
          ['service_data', dict],
          ['return_response', bool],
        ],
      ),
      handle: (ctx, conn, id, m) => {
        if (m.return_response === true && hasService(m.domain as string, m.service as string)) {
          // No mock service returns a response (HA: SupportsResponse.NONE).
          conn.sendObject({
            id,
            type: 'result',
            success: false,
            error: {
              code: 'service_validation_error',
              message:
                "Validation error: An action which does not return responses can't be called with return_response=True",
              translation_key: 'service_does_not_support_response',
              translation_placeholders: { return_response: 'return_response=True' },
              translation_domain: 'homeassistant',
            },
          });
          return;
        }
        try {
          const { context } = ctx.actions.callService(
            'websocket',
            m.domain as string,
            m.service as string,
            m.service_data,
            m.target,
          );
          conn.sendObject(
            msg.result(id, m.return_response === true ? { context, response: null } : { context }),
          );
        } catch (err) {
          if (!(err instanceof ServiceCallError)) throw err;
          if (err.code === 'not_found') {
            conn.sendObject({
              ...msg.errorResult(
                id,
                'not_found',
                `Service ${String(m.domain)}.${String(m.service)} not found.`,
              ),
              error: {
                code: 'not_found',
                message: `Service ${String(m.domain)}.${String(m.service)} not found.`,
                translation_key: 'service_not_found',
                translation_placeholders: { domain: m.domain, service: m.service },
                translation_domain: 'homeassistant',
              },
            });
          } else conn.sendObject(msg.errorResult(id, 'invalid_format', err.message));
        }
      },
    },
  ],
  [
    'fire_event',
    {
      schema: schema([['event_type', str]], [['event_data', dict]]),
      handle: (ctx, conn, id, m) => {
        const type = m.event_type as string;
        if (pyLen(type) > MAX_LENGTH_EVENT_EVENT_TYPE) {
          // HA's MaxLengthExceeded (a HomeAssistantError with a translation).
          conn.sendObject({
            id,
            type: 'result',
            success: false,
            error: {
              code: 'home_assistant_error',
              message: `Value ${type} for property event_type has a maximum length of ${MAX_LENGTH_EVENT_EVENT_TYPE} characters`,
              translation_key: 'max_length_exceeded',
              translation_placeholders: {
                value: type,
                property_name: 'event_type',
                max_length: String(MAX_LENGTH_EVENT_EVENT_TYPE),
              },
              translation_domain: 'homeassistant',
            },
          });
          return;
        }
        const context = ctx.actions.fireEvent(
          'websocket',
          type,
          (m.event_data as Record<string, unknown>) ?? null,
        );
        conn.sendObject(msg.result(id, { context }));
      },
    },
  ],
  ['config/device_registry/list', result((w) => deviceRegistryList(w.home))],
  ['config/entity_registry/list', result((w) => entityRegistryList(w.home))],
  ['config/entity_registry/list_for_display', result((w) => entityRegistryForDisplay(w.home))],
  [
    'config/entity_registry/get',
    {
      schema: schema([['entity_id', entityIdCheck]]),
      handle: (ctx, conn, id, m) => {
        const e = ctx.world().home.entities.find((x) => x.entity_id === m.entity_id);
        conn.sendObject(
          e
            ? msg.result(id, entityRegistryExtended(e))
            : msg.errorResult(id, 'not_found', 'Entity not found'),
        );
      },
    },
  ],
  [
    'config/entity_registry/get_entries',
    {
      schema: schema([['entity_ids', entityIdsCheck]]),
      handle: (ctx, conn, id, m) => {
        const entries: Record<string, unknown> = {};
        const byId = new Map(ctx.world().home.entities.map((e) => [e.entity_id, e]));
        for (const eid of m.entity_ids as string[]) {
          const e = byId.get(eid);
          entries[eid] = e ? entityRegistryExtended(e) : null;
        }
        conn.sendObject(msg.result(id, entries));
      },
    },
  ],
  ['config/area_registry/list', result((w) => areaRegistryList(w.home))],
  ['config_entries/list', result((w) => configEntriesList(w.home))],
  [
    'config_entries/get',
    {
      schema: schema(
        [],
        [
          ['domain', str],
          ['type_filter', list],
        ],
      ),
      handle: (ctx, conn, id, m) => {
        const all = configEntriesList(ctx.world().home);
        conn.sendObject(
          msg.result(id, typeof m.domain === 'string' ? all.filter((e) => e.domain === m.domain) : all),
        );
      },
    },
  ],
]);

export const SUPPORTED_COMMANDS: readonly string[] = [...HANDLERS.keys()];

export const hasCommand = (type: string): boolean => HANDLERS.has(type);

/**
 * Handles one well-formed message (`id` a positive integer above the last one, `type` a non-empty
 * string: the connection checked both).
 */
export function handleCommand(ctx: CommandContext, conn: ClientConnection, m: Record<string, unknown>): void {
  const id = m.id as number;
  const type = m.type as string;
  const handler = HANDLERS.get(type);
  if (handler === undefined) {
    conn.sendObject(msg.errorResult(id, 'unknown_command', 'Unknown command.'));
    return;
  }
  try {
    if (handler.schema === null) {
      if (Object.keys(m).length > 2) {
        conn.sendObject(
          msg.errorResult(
            id,
            'invalid_format',
            humanize(m, [{ message: 'extra keys not allowed', path: [] }]),
          ),
        );
      } else handler.handle(ctx, conn, id, m);
    } else {
      const v = validate(m, handler.schema);
      if (isInvalid(v)) conn.sendObject(msg.errorResult(id, 'invalid_format', v.message));
      else handler.handle(ctx, conn, id, v);
    }
  } catch (err) {
    if (!(err instanceof PythonTypeError)) ctx.onHandlerError(type, err);
    conn.sendObject(msg.errorResult(id, 'unknown_error', 'Unknown error'));
  }
  conn.lastId = id;
}

export { anything };
