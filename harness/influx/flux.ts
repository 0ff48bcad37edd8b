/** Flux building blocks (pure) and a query runner that maps failures to InfluxError. */
import { HttpError } from '@influxdata/influxdb-client';
import type { InfluxConnection } from './connection.ts';
import { InfluxError } from './errors.ts';

/** A Flux string literal. */
export function fluxString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`;
}

export interface SeriesFilter {
  bucket: string;
  measurement?: string;
  /** Field whose values are counted/matched: count one field every point has for exact point counts. */
  field?: string;
  /** Exact tag matches. */
  tags?: Record<string, string>;
  /** RFC 3339 or Flux duration; default: epoch 0. */
  start?: string;
  /** default: far future, so points stamped ahead of the server clock are counted too. */
  stop?: string;
}

export function fluxSource(f: SeriesFilter): string {
  const preds: string[] = [];
  if (f.measurement !== undefined) preds.push(`r._measurement == ${fluxString(f.measurement)}`);
  if (f.field !== undefined) preds.push(`r._field == ${fluxString(f.field)}`);
  for (const [k, v] of Object.entries(f.tags ?? {})) preds.push(`r[${fluxString(k)}] == ${fluxString(v)}`);
  const range = `range(start: ${f.start ?? '0'}, stop: ${f.stop ?? '2200-01-01T00:00:00Z'})`;
  const filter = preds.length > 0 ? `\n  |> filter(fn: (r) => ${preds.join(' and ')})` : '';
  return `from(bucket: ${fluxString(f.bucket)})\n  |> ${range}${filter}`;
}

function queryFailure(conn: InfluxConnection, org: string, flux: string, err: unknown): InfluxError {
  const status = err instanceof HttpError ? err.statusCode : undefined;
  return new InfluxError(
    status === undefined ? 'INFLUX_QUERY' : 'INFLUX_HTTP',
    `influxdb at ${conn.url}: query in org ${org} expected 200, got ${status ?? String(err)}; flux: ${flux.replace(/\s+/g, ' ')}`,
    { ...(status === undefined ? {} : { status }), cause: err },
  );
}

/** Streams result rows as objects (column name -> value) without holding them all in memory. */
export async function* streamRows(
  conn: InfluxConnection,
  org: string,
  flux: string,
): AsyncGenerator<Record<string, unknown>> {
  try {
    for await (const { values, tableMeta } of conn.client.getQueryApi(org).iterateRows(flux)) {
      yield tableMeta.toObject(values);
    }
  } catch (err) {
    throw queryFailure(conn, org, flux, err);
  }
}

export async function queryRows(
  conn: InfluxConnection,
  org: string,
  flux: string,
): Promise<Record<string, unknown>[]> {
  try {
    return await conn.client.getQueryApi(org).collectRows<Record<string, unknown>>(flux);
  } catch (err) {
    throw queryFailure(conn, org, flux, err);
  }
}
