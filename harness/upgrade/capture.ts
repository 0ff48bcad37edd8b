/**
 * A capture of what one InfluxDB 2.x instance holds, taken through its API with the operator
 * (admin) token: version, orgs, buckets, exact point counts per bucket/measurement/field/entity,
 * a sample of values with their timestamps, every authorization (scope, whether the server still
 * returns its plaintext) and the answers of a fixed set of Flux queries. Taken before and after an
 * upgrade, two captures are compared by compare.ts.
 *
 * Plaintext token values read from the API are kept in memory only (`plaintext`), never written to
 * a report.
 */
import { connect, type InfluxConnection } from '../influx/connection.ts';
import { fluxString, queryRows } from '../influx/flux.ts';
import { influxApi } from '../influx/http.ts';
import { type Authorization, listAuthorizations, readableToken } from '../influx/tokens.ts';

/** Far ends of time: every point counts, also points stamped ahead of the server clock. */
export const ALL_TIME = 'start: 0, stop: 2200-01-01T00:00:00Z';

/**
 * The range of a capture: from the epoch to `cutoff` (RFC 3339), or all time. A live stack keeps
 * writing (e.g. a data generator every minute); captures compared with each other share one cutoff
 * (the first capture's), so both see exactly the points that existed before the change.
 */
export const rangeOf = (cutoff?: string) => (cutoff ? `start: 0, stop: ${cutoff}` : ALL_TIME);

export interface CapturedBucket {
  id: string;
  name: string;
  orgID: string;
  org: string;
}

export interface SeriesCount {
  bucket: string;
  measurement: string;
  field: string;
  entity: string;
  count: number;
}

export interface SampledValue {
  bucket: string;
  measurement: string;
  field: string;
  entity: string;
  time: string;
  value: string;
}

export interface CapturedAuthorization {
  id: string;
  description: string;
  org: string;
  orgID: string;
  status: string;
  /** Sorted "action:type[:name|id|org]" strings: the token's scope. */
  permissions: string[];
  /** Whether the API returned the plaintext (false: stored hashed, or the value is withheld). */
  readable: boolean;
  /** The plaintext when readable (memory only). */
  plaintext?: string;
}

export interface FluxAnswer {
  name: string;
  bucket: string;
  org: string;
  query: string;
  /** Rows normalised (result/table/_start/_stop dropped, keys sorted), sorted, one JSON line each. */
  rows: string[];
  error?: string;
}

export interface Capture {
  url: string;
  takenAt: string;
  version: string;
  health: string;
  /** True when the server is not onboarded (a fresh, empty data directory). */
  setupAllowed: boolean;
  /** Points stamped before this instant were captured (pass it to the capture compared with this one). */
  cutoff: string;
  orgs: { id: string; name: string }[];
  buckets: CapturedBucket[];
  counts: SeriesCount[];
  sample: SampledValue[];
  authorizations: CapturedAuthorization[];
  flux: FluxAnswer[];
}

/** System buckets InfluxDB creates per org; captured like any other but never written by anyone. */
export const isSystemBucket = (name: string) => name.startsWith('_');

export function permissionStrings(a: Authorization): string[] {
  return (a.permissions ?? [])
    .map((p) => {
      const r = p.resource;
      const which = r.name ?? r.id ?? (r.orgID ? `org=${r.orgID}` : '*');
      return `${p.action}:${r.type}:${which}`;
    })
    .sort();
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Rows as stable text: drop per-query bookkeeping columns, sort keys, then sort rows. */
export function normaliseRows(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((r) => {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(r).sort())
        if (!['result', 'table', '_start', '_stop', ''].includes(k)) o[k] = r[k];
      return JSON.stringify(o);
    })
    .sort();
}

/**
 * The fixed Flux queries run on every bucket (the same text before and after): count, last,
 * mean over 1 h windows of numeric fields, and counts grouped by a tag (domain, else entity_id).
 */
export function fixedQueries(bucket: string, cutoff?: string): { name: string; query: string }[] {
  const src = `from(bucket: ${fluxString(bucket)})\n  |> range(${rangeOf(cutoff)})`;
  return [
    {
      name: 'count per measurement and field',
      query: `${src}\n  |> group(columns: ["_measurement", "_field"])\n  |> count()`,
    },
    {
      name: 'last value per series',
      query: `${src}\n  |> last()\n  |> map(fn: (r) => ({r with _value: string(v: r._value)}))\n  |> group()\n  |> keep(columns: ["_measurement", "_field", "entity_id", "_time", "_value"])`,
    },
    {
      name: 'mean over 1h windows of numeric fields',
      query: `import "types"\n${src}\n  |> filter(fn: (r) => types.isType(v: r._value, type: "float") or types.isType(v: r._value, type: "int"))\n  |> aggregateWindow(every: 1h, fn: mean, createEmpty: false)\n  |> group()\n  |> keep(columns: ["_measurement", "_field", "entity_id", "_time", "_value"])`,
    },
    {
      name: 'count grouped by tag domain',
      query: `${src}\n  |> group(columns: ["_measurement", "_field", "domain"])\n  |> count()`,
    },
    {
      name: 'first value per series',
      query: `${src}\n  |> first()\n  |> map(fn: (r) => ({r with _value: string(v: r._value)}))\n  |> group()\n  |> keep(columns: ["_measurement", "_field", "entity_id", "_time", "_value"])`,
    },
  ];
}

async function countsOf(conn: InfluxConnection, b: CapturedBucket, cutoff?: string): Promise<SeriesCount[]> {
  const rows = await queryRows(
    conn,
    b.org,
    `from(bucket: ${fluxString(b.name)})\n  |> range(${rangeOf(cutoff)})\n  |> group(columns: ["_measurement", "_field", "entity_id"])\n  |> count()`,
  );
  return rows
    .map((r) => ({
      bucket: b.name,
      measurement: str(r._measurement),
      field: str(r._field),
      entity: str(r.entity_id),
      count: Number(r._value ?? 0),
    }))
    .sort((x, y) => seriesKey(x).localeCompare(seriesKey(y)));
}

export const seriesKey = (s: { bucket: string; measurement: string; field: string; entity: string }) =>
  `${s.bucket}/${s.measurement}/${s.field}/${s.entity}`;

/** The first and last `n` values of the bucket in time order (ties broken by series). */
async function sampleOf(
  conn: InfluxConnection,
  b: CapturedBucket,
  n: number,
  cutoff?: string,
): Promise<SampledValue[]> {
  const out: SampledValue[] = [];
  for (const fn of [`limit(n: ${n})`, `tail(n: ${n})`]) {
    const rows = await queryRows(
      conn,
      b.org,
      `from(bucket: ${fluxString(b.name)})\n  |> range(${rangeOf(cutoff)})\n  |> map(fn: (r) => ({r with _value: string(v: r._value)}))\n  |> group()\n  |> sort(columns: ["_time", "_measurement", "_field", "entity_id", "_value"])\n  |> ${fn}`,
    );
    for (const r of rows)
      out.push({
        bucket: b.name,
        measurement: str(r._measurement),
        field: str(r._field),
        entity: str(r.entity_id),
        time: str(r._time),
        value: str(r._value),
      });
  }
  return out;
}

export interface CaptureOptions {
  url: string;
  adminToken: string;
  /** Values sampled from each end of each bucket. Default 25. */
  sampleSize?: number;
  /** Only points before this instant (RFC 3339); default: now, when the capture starts. */
  cutoff?: string;
}

/** Take a capture. Throws InfluxError when the server cannot be read with the admin token. */
export async function capture(opts: CaptureOptions): Promise<Capture> {
  const anon = influxApi(opts.url);
  const api = influxApi(opts.url, opts.adminToken);
  const h = await anon.call<{ status?: string; version?: string }>('GET', '/health', { expect: [200, 503] });
  const setup = await anon.call<{ allowed?: boolean }>('GET', '/api/v2/setup', { expect: [200] });
  const base: Capture = {
    url: anon.url,
    takenAt: new Date().toISOString(),
    cutoff: opts.cutoff ?? new Date().toISOString(),
    version: str(h.body.version).replace(/^v/, ''),
    health: str(h.body.status),
    setupAllowed: setup.body.allowed === true,
    orgs: [],
    buckets: [],
    counts: [],
    sample: [],
    authorizations: [],
    flux: [],
  };
  if (base.setupAllowed) return base;
  const orgs = (await api.call<{ orgs?: { id: string; name: string }[] }>('GET', '/api/v2/orgs?limit=100'))
    .body.orgs;
  base.orgs = (orgs ?? [])
    .map((o) => ({ id: o.id, name: o.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const orgName = new Map(base.orgs.map((o) => [o.id, o.name]));
  const buckets = (
    await api.call<{ buckets?: { id: string; name: string; orgID: string }[] }>(
      'GET',
      '/api/v2/buckets?limit=100',
    )
  ).body.buckets;
  base.buckets = (buckets ?? [])
    .map((b) => ({ id: b.id, name: b.name, orgID: b.orgID, org: orgName.get(b.orgID) ?? b.orgID }))
    .sort((a, b) => `${a.org}/${a.name}`.localeCompare(`${b.org}/${b.name}`));
  const conn = connect(opts.url, opts.adminToken, 120_000);
  for (const b of base.buckets.filter((x) => !isSystemBucket(x.name))) {
    base.counts.push(...(await countsOf(conn, b, base.cutoff)));
    base.sample.push(...(await sampleOf(conn, b, opts.sampleSize ?? 25, base.cutoff)));
    for (const q of fixedQueries(b.name, base.cutoff)) {
      try {
        base.flux.push({
          ...q,
          bucket: b.name,
          org: b.org,
          rows: normaliseRows(await queryRows(conn, b.org, q.query)),
        });
      } catch (err) {
        base.flux.push({
          ...q,
          bucket: b.name,
          org: b.org,
          rows: [],
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
  base.authorizations = (await listAuthorizations(api))
    .map((a) => {
      const plaintext = readableToken(a);
      return {
        id: a.id,
        description: a.description ?? '',
        org: a.org ?? orgName.get(a.orgID) ?? a.orgID,
        orgID: a.orgID,
        status: a.status,
        permissions: permissionStrings(a),
        readable: plaintext !== undefined,
        ...(plaintext ? { plaintext } : {}),
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return base;
}

/** Total points (counted once per field value) of a bucket in a capture. */
export const bucketTotal = (c: Capture, bucket: string) =>
  c.counts.filter((s) => s.bucket === bucket).reduce((n, s) => n + s.count, 0);
