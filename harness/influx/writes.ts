/**
 * Writes through the official client with retries off: a refused write (401/403/404) surfaces
 * at once as InfluxError INFLUX_HTTP with the server's status, instead of being retried or only
 * logged.
 */
import { HttpError, Point } from '@influxdata/influxdb-client';
import type { InfluxConnection } from './connection.ts';
import { InfluxError } from './errors.ts';
import type { OrgBucket } from './layout.ts';

export interface PointInput {
  measurement: string;
  tags?: Record<string, string>;
  fields: Record<string, string | number | boolean>;
  /** Epoch milliseconds; server time when absent. */
  timeMs?: number;
}

export function toPoint(p: PointInput): Point {
  const point = new Point(p.measurement);
  for (const [k, v] of Object.entries(p.tags ?? {})) point.tag(k, v);
  for (const [k, v] of Object.entries(p.fields)) {
    if (typeof v === 'string') point.stringField(k, v);
    else if (typeof v === 'boolean') point.booleanField(k, v);
    else if (Number.isInteger(v)) point.intField(k, v);
    else point.floatField(k, v);
  }
  if (p.timeMs !== undefined) point.timestamp(p.timeMs);
  return point;
}

/**
 * Writes all points (ms precision) in requests of `batchSize` points, one at a time, and resolves
 * once the server accepted every one (204); the first refused or failed request rejects with
 * InfluxError INFLUX_HTTP naming the status. The client's own batching is not used for this: the
 * batches it sends when its buffer fills are neither awaited by close() nor reported (a count right
 * after the write saw 1,500 of 2,500 points on a busy server), so each batch is flushed and awaited here.
 */
export async function writePoints(
  conn: InfluxConnection,
  target: OrgBucket,
  points: PointInput[],
  batchSize = 5000,
): Promise<void> {
  const api = conn.client.getWriteApi(target.org, target.bucket, 'ms', {
    // Never flush on its own: a batch is sent by the awaited flush() below, nothing else.
    batchSize: batchSize + 1,
    maxBatchBytes: Number.POSITIVE_INFINITY,
    flushInterval: 0,
    maxRetries: 0,
    writeFailed: (error: Error) => Promise.reject(error),
  });
  let written = 0;
  try {
    for (let i = 0; i < points.length; i += batchSize) {
      const batch = points.slice(i, i + batchSize);
      api.writePoints(batch.map(toPoint));
      await api.flush();
      written += batch.length;
    }
  } catch (err) {
    const status = err instanceof HttpError ? err.statusCode : undefined;
    throw new InfluxError(
      'INFLUX_HTTP',
      `influxdb at ${conn.url}: write of ${points.length} points to ${target.org}/${target.bucket} expected 204, got ${status ?? String(err)} (${written} accepted before)`,
      { ...(status === undefined ? {} : { status }), cause: err },
    );
  } finally {
    api.dispose();
  }
}
