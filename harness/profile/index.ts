/**
 * The active stack profile: the file HOMEIQ_PROFILE names (absolute, or relative to the
 * repository root), default the reference stack's fixtures/reference-stack/stack.profile.json.
 * Validated once per file and process (harness/profile/load.ts); a bad file throws ProfileError
 * with one line per bad entry.
 */
import { resolve } from 'node:path';
import { loadProfile, ProfileError } from './load.ts';
import type { StackProfile } from './types.ts';

export { checkAgainstCompose, loadProfile, mappedServices, ProfileError } from './load.ts';
export { fakeUpstreamsUrl, productionEnvFor } from './production-env.ts';
export type * from './types.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The reference stack's profile file (the default of HOMEIQ_PROFILE). */
export const referenceProfilePath = resolve(repoRoot, 'fixtures/reference-stack/stack.profile.json');

const cache = new Map<string, StackProfile>();

/** Absolute path of the profile file `env` selects (HOMEIQ_PROFILE, else the reference stack's). */
export function profilePath(env: Record<string, string | undefined> = process.env): string {
  const named = env.HOMEIQ_PROFILE?.trim();
  return named ? resolve(repoRoot, named) : referenceProfilePath;
}

/** Org and bucket overrides (INFLUX_ORG, HOMEIQ_TEST_BUCKET, HOMEIQ_PROD_ORG, HOMEIQ_PROD_BUCKET). */
export const orgBucketOverrides = {
  INFLUX_ORG: ['test', 'org'],
  HOMEIQ_TEST_BUCKET: ['test', 'bucket'],
  HOMEIQ_PROD_ORG: ['production', 'org'],
  HOMEIQ_PROD_BUCKET: ['production', 'bucket'],
} as const;

/**
 * Load (once per file) the profile `env` selects, with the org and bucket overrides of `env`
 * applied (their values are validated by the configuration schema). Throws ProfileError on a
 * bad file, or when the overrides make the test target equal the production one.
 */
export function profileFor(env: Record<string, string | undefined> = process.env): StackProfile {
  const path = profilePath(env);
  let p = cache.get(path);
  if (!p) {
    p = loadProfile(path, repoRoot);
    cache.set(path, p);
  }
  const set = Object.entries(orgBucketOverrides).filter(([k]) => env[k]?.trim());
  if (set.length === 0) return p;
  const influxdb = structuredClone(p.roles.influxdb);
  for (const [k, [which, field]] of set) influxdb[which][field] = (env[k] as string).trim();
  if (influxdb.test.org === influxdb.production.org && influxdb.test.bucket === influxdb.production.bucket)
    throw new ProfileError([
      `${set.map(([k]) => `${k}="${env[k]}"`).join(', ')}: make the test target ${influxdb.test.org}/${influxdb.test.bucket} equal the production one: expected test and production to differ in org or bucket`,
    ]);
  return { ...p, roles: { ...p.roles, influxdb } };
}

/** The profile the harness judges (HOMEIQ_PROFILE, default the reference stack's). */
export function activeProfile(): StackProfile {
  return profileFor(process.env);
}

/** The reference stack's profile (loaded from its file). */
export const referenceProfile: StackProfile = loadProfile(referenceProfilePath);
