/**
 * InfluxDB as the ground truth, read with the admin token: every bucket of every org it can read,
 * where each fired event's `context_id` landed (any bucket, org or measurement), and snapshots of
 * the production buckets (measurements, series, point counts) to compare before and after a run.
 *
 * Rules: the event schema of the ingestion contract (measurement with a `context_id` field, time =
 * the event's time_fired at millisecond precision). A point is one row per field; point counts use
 * the most populated field of a series (every field of a point shares its time).
 */
import {
  connect,
  fluxString,
  type InfluxConnection,
  influxApi,
  queryRows,
  streamRows,
} from '../influx/index.ts';

export interface InfluxReader {
  url: string;
  adminToken: string;
}

export interface BucketInfo {
  org: string;
  orgID: string;
  bucket: string;
  /** `user` or `system` (_monitoring, _tasks). */
  type: string;
}

/** Every bucket the admin token can read, with its org's name. System buckets excluded. */
export async function readableBuckets(reader: InfluxReader): Promise<BucketInfo[]> {
  const api = influxApi(reader.url, reader.adminToken);
  const orgs = (await api.call<{ orgs?: { id: string; name: string }[] }>('GET', '/api/v2/orgs?limit=100'))
    .body.orgs;
  const orgName = new Map((orgs ?? []).map((o) => [o.id, o.name]));
  const out: BucketInfo[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (
      await api.call<{ buckets?: { name: string; orgID: string; type?: string }[] }>(
        'GET',
        `/api/v2/buckets?limit=100&offset=${offset}`,
      )
    ).body.buckets;
    for (const b of page ?? []) {
      if (b.type === 'system' || b.name.startsWith('_')) continue;
      out.push({
        org: orgName.get(b.orgID) ?? b.orgID,
        orgID: b.orgID,
        bucket: b.name,
        type: b.type ?? 'user',
      });
    }
    if (!page || page.length < 100) return out;
  }
}

/** One stored point carrying a fired event's context_id. */
export interface StoredPoint {
  contextId: string;
  org: string;
  bucket: string;
  measurement: string;
  tags: Record<string, string>;
  /** Point time, epoch ms (InfluxDB's ns truncated). */
  timeMs: number;
}

const RESERVED = new Set(['result', 'table', '_start', '_stop', '_time', '_value', '_field', '_measurement']);

function tagsOf(row: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) if (!RESERVED.has(k) && typeof v === 'string') tags[k] = v;
  return tags;
}

/**
 * Every point, in every readable bucket and measurement, whose `context_id` field is one of
 * `contextIds`, from `start` (RFC 3339) on. One streaming query per bucket.
 */
export async function findContextIds(
  reader: InfluxReader,
  contextIds: Iterable<string>,
  start: string,
): Promise<StoredPoint[]> {
  const wanted = new Set(contextIds);
  const conn = connect(reader.url, reader.adminToken, 120_000);
  const out: StoredPoint[] = [];
  if (wanted.size === 0) return out;
  for (const b of await readableBuckets(reader)) {
    const flux = `from(bucket: ${fluxString(b.bucket)})
  |> range(start: ${start}, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => r._field == "context_id")
  |> group()`;
    for await (const r of streamRows(conn, b.org, flux)) {
      const id = String(r._value);
      if (!wanted.has(id)) continue;
      out.push({
        contextId: id,
        org: b.org,
        bucket: b.bucket,
        measurement: String(r._measurement),
        tags: tagsOf(r),
        timeMs: Date.parse(String(r._time)),
      });
    }
  }
  return out;
}

/** Point counts of one bucket: measurement -> series key (sorted tag set) -> points. */
export interface BucketSnapshot {
  org: string;
  bucket: string;
  takenAt: string;
  series: Map<string, { measurement: string; tags: Record<string, string>; points: number }>;
}

const seriesKey = (measurement: string, tags: Record<string, string>) =>
  `${measurement},${Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',')}`;

/** Counts every series of a bucket (all measurements, all time, future timestamps included). */
export async function snapshotBucket(
  conn: InfluxConnection,
  org: string,
  bucket: string,
): Promise<BucketSnapshot> {
  const flux = `from(bucket: ${fluxString(bucket)})
  |> range(start: 0, stop: 2200-01-01T00:00:00Z)
  |> count()`;
  const series: BucketSnapshot['series'] = new Map();
  for (const r of await queryRows(conn, org, flux)) {
    const measurement = String(r._measurement);
    const tags = tagsOf(r);
    const key = seriesKey(measurement, tags);
    const n = Number(r._value ?? 0);
    const cur = series.get(key);
    if (!cur || cur.points < n) series.set(key, { measurement, tags, points: n });
  }
  return { org, bucket, takenAt: new Date().toISOString(), series };
}

export interface SeriesGrowth {
  org: string;
  bucket: string;
  measurement: string;
  tags: Record<string, string>;
  before: number;
  after: number;
  /** Up to 5 of the points written since the first snapshot (line-protocol-like text). */
  sample: string[];
}

/** Series that gained points between two snapshots of the same bucket, with a sample of the new points. */
export async function seriesGrowth(
  conn: InfluxConnection,
  before: BucketSnapshot,
  after: BucketSnapshot,
): Promise<SeriesGrowth[]> {
  const out: SeriesGrowth[] = [];
  for (const [key, s] of after.series) {
    const was = before.series.get(key)?.points ?? 0;
    if (s.points <= was) continue;
    const preds = [`r._measurement == ${fluxString(s.measurement)}`];
    for (const [k, v] of Object.entries(s.tags)) preds.push(`r[${fluxString(k)}] == ${fluxString(v)}`);
    const flux = `from(bucket: ${fluxString(after.bucket)})
  |> range(start: 0, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => ${preds.join(' and ')})
  |> group()
  |> sort(columns: ["_time"], desc: true)
  |> limit(n: 5)`;
    const rows = await queryRows(conn, after.org, flux).catch(() => []);
    out.push({
      org: after.org,
      bucket: after.bucket,
      measurement: s.measurement,
      tags: s.tags,
      before: was,
      after: s.points,
      sample: rows.map((r) => `${String(r._time)} ${String(r._field)}=${JSON.stringify(r._value)}`),
    });
  }
  return out;
}

export function describeGrowth(g: SeriesGrowth): string {
  const tags = Object.entries(g.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${g.org}/${g.bucket}: ${g.measurement}${tags ? `,${tags}` : ''}: ${g.before} -> ${g.after} points; newest: ${g.sample.join('; ') || '(none readable)'}`;
}
