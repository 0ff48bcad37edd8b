/**
 * Recorded traces (JSONL): one state write per line,
 * `{"t": <ms since trace start>, "entity_id": "sensor.x", "state": "21.5", "attributes": {...}}`.
 * Lines starting with `#` and blank lines are ignored. `t` must not decrease.
 */
import { readFileSync } from 'node:fs';
import { MockHaError, quote } from '../errors.ts';
import type { Attributes } from '../protocol/types.ts';
import { validEntityId, validState } from '../protocol/validation.ts';

export interface TraceEntry {
  t: number;
  entity_id: string;
  state: string;
  attributes?: Attributes;
}

export function parseTrace(text: string, source = 'trace'): TraceEntry[] {
  const out: TraceEntry[] = [];
  let lastT = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new MockHaError('invalid_trace', `${where}: expected a JSON object per line, got ${quote(line)}`);
    }
    // `null`, an array or a number is no entry (reading `.t` of null would throw a TypeError: a 500).
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new MockHaError('invalid_trace', `${where}: expected a JSON object per line, got ${quote(v)}`);
    const e = v as Partial<TraceEntry>;
    if (typeof e.t !== 'number' || !Number.isFinite(e.t) || e.t < lastT) {
      throw new MockHaError('invalid_trace', `${where}: expected "t" >= ${lastT} (ms), got ${quote(e.t)}`);
    }
    if (typeof e.entity_id !== 'string' || !validEntityId(e.entity_id)) {
      throw new MockHaError(
        'invalid_trace',
        `${where}: expected a valid "entity_id", got ${quote(e.entity_id)}`,
      );
    }
    if (typeof e.state !== 'string' || !validState(e.state)) {
      throw new MockHaError(
        'invalid_trace',
        `${where}: expected "state" as a string of at most 255 characters, got ${quote(e.state)}`,
      );
    }
    if (
      e.attributes !== undefined &&
      (typeof e.attributes !== 'object' || e.attributes === null || Array.isArray(e.attributes))
    ) {
      throw new MockHaError('invalid_trace', `${where}: expected "attributes" as an object`);
    }
    lastT = e.t;
    out.push({
      t: e.t,
      entity_id: e.entity_id,
      state: e.state,
      ...(e.attributes ? { attributes: e.attributes } : {}),
    });
  });
  if (out.length === 0) throw new MockHaError('invalid_trace', `${source}: no entries`);
  return out;
}

/** Traces shipped with the harness: fixtures/traces/<name>.jsonl. */
export const TRACES_DIR = new URL('../../../fixtures/traces/', import.meta.url);

export function loadTrace(name: string): TraceEntry[] {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new MockHaError('invalid_trace', `bad trace name ${quote(name)}`);
  const file = new URL(name.endsWith('.jsonl') ? name : `${name}.jsonl`, TRACES_DIR);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new MockHaError('invalid_trace', `trace ${quote(name)} not found in ${TRACES_DIR.pathname}`);
  }
  return parseTrace(text, name);
}
