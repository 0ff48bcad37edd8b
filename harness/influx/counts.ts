/**
 * Exact counts with Flux. A point is counted once per field it carries, so count one field every
 * point has (e.g. `state_value` for ingestion events); `field` is therefore required.
 */
import type { InfluxConnection } from './connection.ts';
import { fluxSource, fluxString, queryRows, type SeriesFilter } from './flux.ts';

export type CountFilter = SeriesFilter & { field: string };

export function countQuery(f: CountFilter): string {
  return `${fluxSource(f)}\n  |> group()\n  |> count()`;
}

export function countByQuery(f: CountFilter, tag: string): string {
  return `${fluxSource(f)}\n  |> group(columns: [${fluxString(tag)}])\n  |> count()`;
}

export async function countPoints(conn: InfluxConnection, org: string, f: CountFilter): Promise<number> {
  const rows = await queryRows(conn, org, countQuery(f));
  return rows.reduce((sum, r) => sum + Number(r._value ?? 0), 0);
}

/** Counts per value of a tag (points without the tag are counted under ''). */
export async function countByTag(
  conn: InfluxConnection,
  org: string,
  f: CountFilter,
  tag: string,
): Promise<Map<string, number>> {
  const rows = await queryRows(conn, org, countByQuery(f, tag));
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = typeof r[tag] === 'string' ? (r[tag] as string) : '';
    out.set(key, (out.get(key) ?? 0) + Number(r._value ?? 0));
  }
  return out;
}
