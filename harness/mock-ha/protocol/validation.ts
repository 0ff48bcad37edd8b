/**
 * Home Assistant's input rules, written once and used by the websocket commands and the REST API
 * alike. Sources (home-assistant/core): `homeassistant/core.py` (`valid_entity_id`,
 * `valid_domain`, `validate_state`, MAX_LENGTH_STATE_STATE = 255, MAX_LENGTH_STATE_ENTITY_ID =
 * 255, MAX_LENGTH_EVENT_EVENT_TYPE = 64), `homeassistant/helpers/config_validation.py`
 * (`entity_id`, `entity_ids`, `ensure_list_csv`, `comp_entity_ids`, `string`) and voluptuous'
 * error texts ("extra keys not allowed @ data['x']", "expected str for dictionary value @ ...").
 *
 * Every function takes `unknown` (a value straight from the network) and never throws: it
 * returns the normalised value or an `Invalid` carrying HA's message.
 */

/** HA's entity id: `<domain>.<object_id>`, lower-case letters, digits, `_`; no leading/trailing/double `_`. */
export const VALID_ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;
/** HA's domain (also a service name and an integration slug). */
export const VALID_DOMAIN = /^(?!.+__)[\da-z_]+(?<!_)$/;
export const MAX_LENGTH_STATE_STATE = 255;
export const MAX_LENGTH_STATE_ENTITY_ID = 255;
export const MAX_LENGTH_EVENT_EVENT_TYPE = 64;
/** aiohttp's default max_msg_size for HA's websocket (4 MiB): larger frames close the connection. */
export const MAX_WS_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Bodies the mock reads on REST (HA's aiohttp client_max_size is 1 MiB + the http integration's own). */
export const MAX_REST_BODY_BYTES = 16 * 1024 * 1024;

export class Invalid {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export const isInvalid = (v: unknown): v is Invalid => v instanceof Invalid;

/**
 * Where HA's validator raises a TypeError rather than vol.Invalid (e.g. cv.entity_ids(5)), so HA
 * answers `unknown_error` / "Unknown error": thrown, and turned into that reply by the dispatcher.
 */
export class PythonTypeError extends Error {
  override readonly name = 'PythonTypeError';
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own-property read: never reaches Object.prototype for a client-chosen key. */
export const own = (o: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(o, key) ? o[key] : undefined;

export const validEntityId = (v: string): boolean =>
  v.length <= MAX_LENGTH_STATE_ENTITY_ID && VALID_ENTITY_ID.test(v);
export const validDomain = (v: string): boolean => VALID_DOMAIN.test(v);

/**
 * Python's len() of a string: code points, not UTF-16 code units (an emoji is 1 in HA, 2 in
 * `String.length`). HA's length limits (state, event type) count this way.
 */
export function pyLen(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
}

/** `homeassistant.core.validate_state`: a state is a string of at most 255 characters (Python's len). */
export const validState = (v: string): boolean =>
  v.length <= MAX_LENGTH_STATE_STATE || pyLen(v) <= MAX_LENGTH_STATE_STATE;

/** Python's repr of a JSON value, as voluptuous puts it into messages ("Got ..."). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of v) {
      const c = ch.codePointAt(0) as number;
      if (ch === '\\') out += '\\\\';
      else if (ch === quote) out += `\\${ch}`;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
      else out += ch;
    }
    return `${quote}${out}${quote}`;
  }
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** Python's str() of a JSON value (what `f"{value}"` prints). */
export const pyStr = (v: unknown): string => (typeof v === 'string' ? v : pyRepr(v));

/** `cv.string` then lower-case, then `valid_entity_id`. */
export function entityId(v: unknown): string | Invalid {
  if (v === null || v === undefined) return new Invalid('string value is None');
  if (Array.isArray(v) || typeof v === 'object') return new Invalid('value should be a string');
  const lowered = pyStr(v).toLowerCase();
  if (validEntityId(lowered)) return lowered;
  return new Invalid(`Entity ID ${pyStr(v)} is an invalid entity ID`);
}

/**
 * `cv.entity_ids`: a comma-separated string is split (items stripped), a single value becomes a
 * list, null is the empty list; every item must be a valid entity id (lower-cased).
 */
export function entityIds(v: unknown): string[] | Invalid {
  let items: unknown[];
  if (v === null || v === undefined) return new Invalid('Entity IDs cannot be None');
  if (typeof v === 'string') items = v.split(',').map((s) => s.trim());
  else if (Array.isArray(v)) items = v;
  // Python iterates a dict's keys; a number is not iterable (HA answers unknown_error then).
  else if (typeof v === 'object') items = Object.keys(v);
  else
    throw new PythonTypeError(
      `'${typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'bool'}' object is not iterable`,
    );
  const out: string[] = [];
  for (const item of items) {
    const id = entityId(item);
    if (isInvalid(id)) return id;
    out.push(id);
  }
  return out;
}

/** `cv.comp_entity_ids`: like entity_ids, but also the literals `all` / `none`. */
export function compEntityIds(v: unknown): string[] | 'all' | 'none' | Invalid {
  if (typeof v === 'string' && (v.toLowerCase() === 'all' || v.toLowerCase() === 'none'))
    return v.toLowerCase() as 'all' | 'none';
  return entityIds(v);
}

// --- voluptuous-like schemas for websocket commands (extra keys refused, as in HA). ---

/** One voluptuous error: its message (with " for dictionary value" where voluptuous adds it) and path. */
export interface VolError {
  message: string;
  path: readonly string[];
}

/**
 * A value check: null (valid as is), `{value}` (valid, normalised), an Invalid (this value is
 * wrong: " for dictionary value" is added at the key), or nested errors with paths relative to it.
 */
export type Check = (v: unknown) => Invalid | VolError[] | { value: unknown } | null;
export interface Schema {
  required?: ReadonlyMap<string, Check>;
  optional?: ReadonlyMap<string, Check>;
}

const ok = (value: unknown) => ({ value });
export const str: Check = (v) => (typeof v === 'string' ? null : new Invalid('expected str'));
export const int: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) ? null : new Invalid('expected int');
export const bool: Check = (v) => (typeof v === 'boolean' ? null : new Invalid('expected bool'));
export const dict: Check = (v) => (isRecord(v) ? null : new Invalid('expected dict'));
export const list: Check = (v) => (Array.isArray(v) ? null : new Invalid('expected list'));
export const anything: Check = () => null;
export const entityIdsCheck: Check = (v) => {
  const r = entityIds(v);
  return isInvalid(r) ? r : ok(r);
};
export const entityIdCheck: Check = (v) => {
  const r = entityId(v);
  return isInvalid(r) ? r : ok(r);
};
/** A nested dict schema (voluptuous `{...}` inside a schema): "expected a dictionary" otherwise. */
export const nested =
  (inner: Schema): Check =>
  (v) => {
    if (!isRecord(v)) return new Invalid('expected a dictionary');
    const r = validateErrors(v, inner, false);
    return Array.isArray(r) ? r : ok(r.value);
  };

function validateErrors(
  m: Record<string, unknown>,
  schema: Schema,
  envelope: boolean,
): VolError[] | { value: Record<string, unknown> } {
  const out: Record<string, unknown> = Object.create(null);
  const errors: VolError[] = [];
  for (const key of Object.keys(m)) {
    if (envelope && (key === 'id' || key === 'type')) {
      out[key] = m[key];
      continue;
    }
    if (!schema.required?.has(key) && !schema.optional?.has(key))
      errors.push({ message: 'extra keys not allowed', path: [key] });
  }
  const apply = (key: string, c: Check) => {
    const r = c(m[key]);
    if (r instanceof Invalid) errors.push({ message: `${r.message} for dictionary value`, path: [key] });
    else if (Array.isArray(r)) for (const e of r) errors.push({ message: e.message, path: [key, ...e.path] });
    else out[key] = r === null ? m[key] : r.value;
  };
  for (const [key, c] of schema.required ?? []) {
    if (!Object.hasOwn(m, key)) errors.push({ message: 'required key not provided', path: [key] });
    else apply(key, c);
  }
  for (const [key, c] of schema.optional ?? []) if (Object.hasOwn(m, key)) apply(key, c);
  return errors.length > 0 ? errors : { value: out };
}

/** voluptuous' MAX_VALIDATION_ERROR_ITEM_LENGTH: the "Got ..." part is cut to 500 characters. */
const MAX_ITEM = 500;

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const k of path) {
    if (!isRecord(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

/** voluptuous' `humanize_error`: one line per error, sorted, each with "@ data[...]" and "Got ...". */
export function humanize(root: unknown, errors: readonly VolError[]): string {
  return errors
    .map((e) => {
      let got = pyRepr(valueAt(root, e.path));
      if (got.length > MAX_ITEM) got = `${got.slice(0, MAX_ITEM - 3)}...`;
      const where = e.path.length > 0 ? ` @ data${e.path.map((k) => `[${pyRepr(k)}]`).join('')}` : '';
      return `${e.message}${where}. Got ${got}`;
    })
    .sort()
    .join('\n');
}

/**
 * Validates `m` against `schema` (keys `id` and `type` are the envelope's). Returns the
 * normalised message (a fresh null-prototype object) or an Invalid with HA's humanised message.
 */
export function validate(
  m: Record<string, unknown>,
  schema: Schema,
  envelope = true,
): Record<string, unknown> | Invalid {
  const r = validateErrors(m, schema, envelope);
  return Array.isArray(r) ? new Invalid(humanize(m, r)) : r.value;
}

/**
 * orjson's nesting limit (HA reads JSON with `homeassistant.util.json.json_loads` = orjson.loads):
 * 1024 levels of arrays/objects load, 1025 are "recursion depth exceeded" (orjson 3.10.16, HA 2025.4.4).
 */
export const MAX_JSON_DEPTH = 1024;

/** True when arrays/objects in `text` nest deeper than `max` (brackets inside strings ignored). */
function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // a backslash escapes the next character
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** orjson refuses what JSON.parse lets through: numbers that overflow to infinity, lone surrogates. */
function orjsonAccepts(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
    } else if (typeof v === 'string') {
      if (!v.isWellFormed()) return false;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (!k.isWellFormed()) return false;
        stack.push(x);
      }
    }
  }
  return true;
}

/**
 * Parses JSON as Home Assistant does (orjson's rules) without ever throwing: the value, or
 * undefined for what HA calls invalid JSON - a syntax error, nesting deeper than MAX_JSON_DEPTH,
 * a number that overflows to infinity (`1e400`) or a lone surrogate escape (`"\ud800"`).
 */
export function parseJson(text: string): { value: unknown } | undefined {
  if (nestsDeeper(text, MAX_JSON_DEPTH)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return orjsonAccepts(value) ? { value } : undefined;
}

/** The path of a request target, never throwing (`//[` and friends are not URLs). */
export function requestPath(target: string | undefined): { path: string; query: URLSearchParams } | null {
  const raw = target ?? '/';
  if (!raw.startsWith('/')) return null;
  const q = raw.indexOf('?');
  const pathPart = q >= 0 ? raw.slice(0, q) : raw;
  let path: string;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    return null;
  }
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) < 0x20) return null;
  return { path: pathPart, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

/** A path segment decoded, or null when it is not valid percent-encoding. */
export function decodeSegment(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
