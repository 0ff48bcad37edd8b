/**
 * Production contamination, whatever is written: every production bucket (all measurements,
 * series and point counts) is snapshot before a run and compared after; any series that gained
 * points is a finding, named by org, bucket, measurement and tag set, with a sample of its newest
 * points.
 *
 * Watched buckets: every bucket of every org the admin token can read except the test bucket
 * (so a write into a production bucket the profile does not name, or into a third org, is seen
 * too), and the profile's production bucket even when it does not exist yet. System buckets are
 * excluded.
 */
import { connect } from '../influx/index.ts';
import type { StartedStack } from '../stack/types.ts';
import { influxReader, roles } from './evidence.ts';
import {
  type BucketSnapshot,
  readableBuckets,
  type SeriesGrowth,
  seriesGrowth,
  snapshotBucket,
} from './influx-evidence.ts';

export interface ProductionSnapshot {
  buckets: BucketSnapshot[];
}

/**
 * Every bucket the admin token can read except the test bucket, in every org (at least the
 * profile's production bucket): the test deployment may grow none of them.
 */
export async function productionBuckets(stack: StartedStack): Promise<{ org: string; bucket: string }[]> {
  const { test, production } = roles().influxdb;
  const all = await readableBuckets(influxReader(stack));
  const found = all
    .filter((b) => !(b.org === test.org && b.bucket === test.bucket))
    .map((b) => ({ org: b.org, bucket: b.bucket }));
  if (!found.some((b) => b.bucket === production.bucket)) found.push({ ...production });
  return found;
}

export async function snapshotProduction(stack: StartedStack): Promise<ProductionSnapshot> {
  const reader = influxReader(stack);
  const conn = connect(reader.url, reader.adminToken, 120_000);
  const buckets: BucketSnapshot[] = [];
  for (const b of await productionBuckets(stack)) buckets.push(await snapshotBucket(conn, b.org, b.bucket));
  return { buckets };
}

/**
 * Series that grew since `before` (empty: no contamination), in every bucket of `before` and in
 * every bucket created since (compared with an empty snapshot).
 */
export async function productionGrowth(
  stack: StartedStack,
  before: ProductionSnapshot,
): Promise<SeriesGrowth[]> {
  const reader = influxReader(stack);
  const conn = connect(reader.url, reader.adminToken, 120_000);
  const out: SeriesGrowth[] = [];
  const known = new Set(before.buckets.map((b) => `${b.org}\u0000${b.bucket}`));
  const created = (await productionBuckets(stack)).filter((b) => !known.has(`${b.org}\u0000${b.bucket}`));
  const empty = (b: { org: string; bucket: string }): BucketSnapshot => ({
    ...b,
    takenAt: new Date(0).toISOString(),
    series: new Map(),
  });
  for (const b of [...before.buckets, ...created.map(empty)]) {
    const after = await snapshotBucket(conn, b.org, b.bucket);
    out.push(...(await seriesGrowth(conn, b, after)));
  }
  return out;
}

export const describeSnapshot = (s: ProductionSnapshot) =>
  s.buckets
    .map((b) => {
      let points = 0;
      const measurements = new Set<string>();
      for (const v of b.series.values()) {
        points += v.points;
        measurements.add(v.measurement);
      }
      return `${b.org}/${b.bucket}: ${measurements.size} measurements, ${b.series.size} series, ${points} points`;
    })
    .join('; ');
