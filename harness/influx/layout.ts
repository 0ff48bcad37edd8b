/**
 * The orgs and buckets of the dual deployment (CONTRACTS.md section 3): both live in the same
 * InfluxDB instance; each deployment gets a token scoped to its own org only.
 */
export interface OrgBucket {
  org: string;
  bucket: string;
}

export const PRODUCTION_TARGET: OrgBucket = { org: 'homeiq', bucket: 'home_assistant_events' };
export const TEST_TARGET: OrgBucket = { org: 'homeiq-test', bucket: 'home_assistant_events_test' };

/** Measurement written by the ingestion service (CONTRACTS.md section 2). */
export const EVENTS_MEASUREMENT = 'home_assistant_events';

/** Description of the harness-managed token of an org: how a re-run finds it again. */
export const tokenDescription = (org: string, bucket?: string): string =>
  bucket === undefined ? `homeiq-harness:${org}:read-write` : `homeiq-harness:${org}/${bucket}:read-write`;
