/**
 * What InfluxDB holds for a set of fired events: every point carrying one of their context_ids,
 * in the test bucket and in the production bucket (read with the admin token, which sees both).
 */

import { deployment } from '../config/defaults.ts';
import { connect, findByFieldValues, type InfluxConnection } from '../influx/index.ts';
import type { StoredEvent } from './ledger.ts';

export interface InfluxReader {
  url: string;
  adminToken: string;
}

export async function storedEvents(
  reader: InfluxReader,
  contextIds: string[],
  start = '0',
): Promise<StoredEvent[]> {
  const conn = connect(reader.url, reader.adminToken, 120_000);
  const out: StoredEvent[] = [];
  for (const d of [deployment.test, deployment.production]) {
    const found = await findByFieldValues(
      conn,
      d.org,
      { bucket: d.bucket, measurement: deployment.measurement, field: 'context_id', start },
      contextIds,
    );
    for (const [contextId, points] of found)
      for (const p of points) out.push({ contextId, bucket: d.bucket, entityId: p.tags.entity_id });
  }
  return out;
}

/**
 * Poll the test bucket and remember when each context_id was first seen queryable. The
 * timestamp is taken when the query returned: an upper bound, so latency is never flattered.
 */
export function trackArrivals(
  reader: InfluxReader,
  opts: { sinceMs: number; intervalMs?: number; windowMs?: number },
): { stop: () => Promise<{ firstSeen: Map<string, number>; polls: number; maxPollMs: number }> } {
  const conn: InfluxConnection = connect(reader.url, reader.adminToken, 30_000);
  const firstSeen = new Map<string, number>();
  const interval = opts.intervalMs ?? 250;
  const window = opts.windowMs ?? 30_000;
  let running = true;
  let polls = 0;
  let maxPollMs = 0;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      const start = new Date(Math.max(opts.sinceMs - 5_000, t0 - window)).toISOString();
      const flux = `from(bucket: "${deployment.test.bucket}")
  |> range(start: ${start})
  |> filter(fn: (r) => r._measurement == "${deployment.measurement}" and r._field == "context_id")
  |> keep(columns: ["_value"])
  |> group()`;
      const seen: string[] = [];
      try {
        for await (const { values, tableMeta } of conn.client
          .getQueryApi(deployment.test.org)
          .iterateRows(flux)) {
          seen.push(String(tableMeta.get(values, '_value')));
        }
        const t1 = Date.now();
        for (const id of seen) if (!firstSeen.has(id)) firstSeen.set(id, t1);
        polls++;
        maxPollMs = Math.max(maxPollMs, t1 - t0);
      } catch {
        // a failed poll only coarsens the resolution; the final lookup decides presence
      }
      const wait = interval - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { firstSeen, polls, maxPollMs };
    },
  };
}
