/**
 * Normalisation of exchange outputs, so that a real HA's answers and the mock's can be diffed:
 * ids and times are replaced by placeholders numbered in order of first appearance within one
 * transcript (so "the result's context is the event's context" survives), the version by
 * `<version>`, and steps compared by shape are reduced to their JSON skeleton.
 */
import type { Compare, StepOutput } from './exchange.ts';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00|Z)$/;
const ENTITY_KEY = /^[a-z0-9_]+\.[a-z0-9_]+$/;
const TIMESTAMP_KEYS = new Set(['lc', 'lu', 'created_at', 'modified_at']);

export class Normaliser {
  readonly #ids = new Map<string, string>();

  #id(kind: string, v: string): string {
    let p = this.#ids.get(v);
    if (p === undefined) {
      p = `<${kind}#${this.#ids.size + 1}>`;
      this.#ids.set(v, p);
    }
    return p;
  }

  value(v: unknown, key?: string): unknown {
    if (typeof v === 'string') {
      if (key === 'ha_version' || key === 'version') return '<version>';
      if (ULID.test(v)) return this.#id('ulid', v);
      if (HEX32.test(v)) return this.#id('hex', v);
      if (ISO_TIME.test(v)) return '<time>';
      return v;
    }
    if (typeof v === 'number' && key !== undefined && TIMESTAMP_KEYS.has(key)) return '<ts>';
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.value(x, k);
      return out;
    }
    return v;
  }
}

/**
 * The JSON skeleton of a value: primitives become their type, arrays the skeleton of their first
 * element, objects their sorted keys (maps keyed by entity ids or domains collapse to one entry).
 * Below `depth` levels everything is `any`.
 */
export function shape(v: unknown, depth = 8): unknown {
  if (depth <= 0) return 'any';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0], depth - 1)];
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    // A map keyed by entity ids (subscribe_entities' "a"): one entry stands for all.
    if (keys.length > 0 && keys.every((k) => ENTITY_KEY.test(k)))
      return { '<entity_id>': shape((v as Record<string, unknown>)[keys[0] as string], depth - 1) };
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = shape((v as Record<string, unknown>)[k], depth - 1);
    return out;
  }
  return typeof v;
}

/** The part of a websocket message or HTTP answer that `status` comparison keeps. */
function statusOf(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const m = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['id', 'type', 'success']) if (k in m) out[k] = m[k];
  if (typeof m.error === 'object' && m.error !== null)
    out.error = { code: (m.error as Record<string, unknown>).code };
  return out;
}

/** Normalises every step of one transcript (one Normaliser: placeholders span the transcript). */
export function normaliseOutputs(
  outputs: readonly StepOutput[],
  compares: readonly { compare?: Compare; shapeDepth?: number }[],
): StepOutput[] {
  const n = new Normaliser();
  return outputs.map((o, i) => {
    const c = compares[i]?.compare ?? 'exact';
    const depth = compares[i]?.shapeDepth ?? 8;
    const view = (x: unknown) => {
      const v = n.value(x);
      return c === 'shape' ? shape(v, depth) : c === 'status' ? statusOf(v) : v;
    };
    const out: StepOutput = {};
    if (o.messages) out.messages = o.messages.map(view);
    if (o.closed) out.closed = true;
    if (o.http) {
      out.http = {
        status: o.http.status,
        contentType: o.http.contentType,
        body: c === 'status' ? '<not compared>' : view(o.http.body),
      };
    }
    // The status code only: aiohttp answers a broken request line in HTTP/1.0 with its reason.
    if (o.tcp) out.tcp = { statusLine: o.tcp.statusLine.replace(/^HTTP\/\d\.\d (\d{3}).*$/, '$1') };
    return out;
  });
}
