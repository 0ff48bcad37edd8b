/**
 * The environment of a production deployment of the stack's images, as the profile declares it
 * (`productionEnv`, and per collector `roles.collectors[].productionEnv`). Suites that start
 * production variants (production safeguards, the egress positive control) take their variables
 * from here, never from the reference stack's names.
 *
 * Values may hold placeholders, filled per run:
 * - `{{influxdb.org}}`, `{{influxdb.bucket}}`: the production org/bucket (or the test ones, for a
 *   variant deliberately pointed at the test bucket);
 * - `{{influxdb.token}}`: the run's production token ('' when unknown);
 * - `{{influxdb.url}}`: InfluxDB's URL inside the run's network (`http://<roles.influxdb.service>:<port>`),
 *   for a service whose test deployment has no InfluxDB URL because it writes nothing there (a
 *   collector disabled in test mode) but whose production deployment does;
 * - `{{fake-upstreams}}`: base URL of the harness's fake upstreams on the run's network.
 */
import type { StackProfile } from './types.ts';

/** The placeholders a profile's env values may use. */
export const envPlaceholders = [
  'influxdb.org',
  'influxdb.bucket',
  'influxdb.token',
  'influxdb.url',
  'fake-upstreams',
] as const;

/** Base URL of the harness-added fake upstreams inside the run's network (compose-rewrite.ts). */
export const fakeUpstreamsUrl = 'http://fake-upstreams:8090';

const PLACEHOLDER = /\{\{([^}]*)\}\}/g;

/** Placeholders of `value` that are not known (for the loader's one-line errors). */
export function unknownPlaceholders(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER)]
    .map((m) => m[1] as string)
    .filter((p) => !(envPlaceholders as readonly string[]).includes(p));
}

/**
 * The production environment of `service`: the mode variable = `production`, the profile's common
 * productionEnv, then the service's own (collectors), placeholders filled. `target` picks which
 * org/bucket `{{influxdb.org}}`/`{{influxdb.bucket}}` mean (default production).
 */
export function productionEnvFor(
  profile: StackProfile,
  service: string,
  opts: { token?: string | undefined; target?: 'production' | 'test' } = {},
): Record<string, string> {
  const r = profile.roles;
  const where = r.influxdb[opts.target ?? 'production'];
  const values: Record<(typeof envPlaceholders)[number], string> = {
    'influxdb.org': where.org,
    'influxdb.bucket': where.bucket,
    'influxdb.token': opts.token ?? '',
    'influxdb.url': `http://${r.influxdb.service}:${r.influxdb.port}`,
    'fake-upstreams': fakeUpstreamsUrl,
  };
  const fill = (v: string) =>
    v.replace(PLACEHOLDER, (m, p: string) =>
      Object.hasOwn(values, p) ? values[p as keyof typeof values] : m,
    );
  const own = r.collectors.find((c) => c.service === service)?.productionEnv ?? {};
  const out: Record<string, string> = { [r.ingestion.modeVariable]: 'production' };
  for (const [k, v] of [...Object.entries(profile.productionEnv), ...Object.entries(own)]) out[k] = fill(v);
  return out;
}
