/**
 * Production contamination, whatever is written: every production bucket (all measurements,
 * series and point counts) is snapshot before a run and compared after; any series that gained
 * points is a finding, named by org, bucket, measurement and tag set, with a sample of its newest
 * points.
 *
 * Production buckets, from the profile: every bucket of the production org except the test
 * bucket (two-org layout: the whole production org; one-org layout: every bucket but the test
 * one). System buckets are excluded.
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

/** The production buckets the profile's layout implies (at least the profile's production bucket). */
export async function productionBuckets(stack: StartedStack): Promise<{ org: string; bucket: string }[]> {
  const { test, production } = roles().influxdb;
  const all = await readableBuckets(influxReader(stack));
  const found = all
    .filter((b) => b.org === production.org && !(b.org === test.org && b.bucket === test.bucket))
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

/** Series of the production buckets that grew since `before` (empty: no contamination). */
export async function productionGrowth(
  stack: StartedStack,
  before: ProductionSnapshot,
): Promise<SeriesGrowth[]> {
  const reader = influxReader(stack);
  const conn = connect(reader.url, reader.adminToken, 120_000);
  const out: SeriesGrowth[] = [];
  for (const b of before.buckets) {
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
