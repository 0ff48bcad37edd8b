/** InfluxDB 2.x harness library: onboarding, buckets, tokens, writes, counts and lookups. */
export { connect, type InfluxConnection } from './connection.ts';
export { type CountFilter, countByTag, countPoints } from './counts.ts';
export { InfluxError, type InfluxErrorCode } from './errors.ts';
export { fluxSource, fluxString, queryRows, type SeriesFilter, streamRows } from './flux.ts';
export { type InfluxApi, influxApi } from './http.ts';
export { EVENTS_MEASUREMENT, type OrgBucket, PRODUCTION_TARGET, TEST_TARGET } from './layout.ts';
export { type FoundPoint, findByFieldValues, type LookupFilter } from './lookup.ts';
export { type OnboardOptions, type OnboardResult, onboard, type ProvisionedTarget } from './onboarding.ts';
export { ensureBucket, ensureOrg, findBucket, findOrg } from './orgs-buckets.ts';
export { readTokenFile, tokenFromEnv, writeTokenFile } from './token-files.ts';
export { ensureOrgToken, type OrgToken, orgReadWritePermissions } from './tokens.ts';
export { type PointInput, writePoints } from './writes.ts';
