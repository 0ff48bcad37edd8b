/**
 * Arrival tracking: poll the test bucket and remember when each context_id was first seen
 * queryable (the upper bound of its end-to-end latency). Org, bucket and measurement come from
 * the active stack profile.
 */
import { connect, fluxString, type InfluxConnection } from '../influx/index.ts';
import type { InfluxReader } from './influx-evidence.ts';

export type { InfluxReader } from './influx-evidence.ts';

export interface ArrivalTracker {
  /** Context ids seen so far (live view). */
  readonly firstSeen: Map<string, number>;
  /** Time (epoch ms) the set of seen ids last grew. */
  lastGrowthMs(): number;
  /** Time (epoch ms) of the last poll that InfluxDB answered (0: none yet). */
  lastPollOkMs(): number;
  stop(): Promise<{ firstSeen: Map<string, number>; polls: number; maxPollMs: number }>;
}

/**
 * Poll `target` every `intervalMs` and remember when each context_id was first seen. The timestamp
 * is taken when the query returned: an upper bound, so latency is never flattered.
 */
export function trackArrivals(
  reader: InfluxReader,
  target: { org: string; bucket: string; measurement: string },
  opts: { sinceMs: number; intervalMs?: number; windowMs?: number },
): ArrivalTracker {
  const conn: InfluxConnection = connect(reader.url, reader.adminToken, 30_000);
  const firstSeen = new Map<string, number>();
  const interval = opts.intervalMs ?? 250;
  const window = opts.windowMs ?? 30_000;
  let running = true;
  let polls = 0;
  let maxPollMs = 0;
  let lastGrowth = Date.now();
  let lastOk = 0;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      const start = new Date(Math.max(opts.sinceMs - 5_000, t0 - window)).toISOString();
      const flux = `from(bucket: ${fluxString(target.bucket)})
  |> range(start: ${start}, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == ${fluxString(target.measurement)} and r._field == "context_id")
  |> keep(columns: ["_value"])
  |> group()`;
      const seen: string[] = [];
      try {
        for await (const { values, tableMeta } of conn.client.getQueryApi(target.org).iterateRows(flux)) {
          seen.push(String(tableMeta.get(values, '_value')));
        }
        const t1 = Date.now();
        for (const id of seen)
          if (!firstSeen.has(id)) {
            firstSeen.set(id, t1);
            lastGrowth = t1;
          }
        polls++;
        lastOk = t1;
        maxPollMs = Math.max(maxPollMs, t1 - t0);
      } catch {
        // a failed poll only coarsens the resolution; the final lookup decides presence
      }
      const wait = interval - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    firstSeen,
    lastGrowthMs: () => lastGrowth,
    lastPollOkMs: () => lastOk,
    stop: async () => {
      running = false;
      await loop;
      return { firstSeen, polls, maxPollMs };
    },
  };
}
