/**
 * Lookup of points by a field value, for many values at once (e.g. every fired event's
 * context_id): one query streams the field's values in the range, matching happens in memory
 * against a Set, so the cost is one pass over the bucket's range rather than one query per id.
 */
import type { InfluxConnection } from './connection.ts';
import { fluxSource, type SeriesFilter, streamRows } from './flux.ts';

export interface FoundPoint {
  time: string;
  measurement: string;
  /** Tag columns of the point's series. */
  tags: Record<string, string>;
}

export type LookupFilter = SeriesFilter & { field: string };

export function lookupQuery(f: LookupFilter): string {
  return `${fluxSource(f)}\n  |> group()`;
}

/** Map from each requested value to the points carrying it (absent key: not found; >1: duplicates). */
export async function findByFieldValues(
  conn: InfluxConnection,
  org: string,
  f: LookupFilter,
  values: Iterable<string>,
): Promise<Map<string, FoundPoint[]>> {
  const wanted = new Set(values);
  const found = new Map<string, FoundPoint[]>();
  if (wanted.size === 0) return found;
  for await (const r of streamRows(conn, org, lookupQuery(f))) {
    const v = String(r._value);
    if (!wanted.has(v)) continue;
    const tags: Record<string, string> = {};
    for (const [k, val] of Object.entries(r)) {
      if (!k.startsWith('_') && k !== 'result' && k !== 'table' && typeof val === 'string') tags[k] = val;
    }
    const list = found.get(v) ?? [];
    list.push({ time: String(r._time), measurement: String(r._measurement), tags });
    found.set(v, list);
  }
  return found;
}
