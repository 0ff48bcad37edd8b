/**
 * Onboarding of one InfluxDB 2.x instance for both deployments, performed by the harness over
 * the API (never by an image entrypoint). Idempotent: a second run finds the setup done, the
 * orgs, buckets and tokens present, and reuses them (see tokens.ts for how token values survive
 * hashing). The admin token value is chosen by the caller at setup time, so later runs need it.
 */
import type { Logger } from '../util/log.ts';
import { InfluxError } from './errors.ts';
import { influxApi } from './http.ts';
import { type OrgBucket, PRODUCTION_TARGET, TEST_TARGET, tokenDescription } from './layout.ts';
import { ensureBucket, ensureOrg } from './orgs-buckets.ts';
import { bucketReadWritePermissions, ensureOrgToken, type TokenAction } from './tokens.ts';

export interface OnboardOptions {
  url: string;
  adminUser: string;
  adminPassword: string;
  /** Chosen admin (operator) token: set at first setup, required on every later run. */
  adminToken: string;
  /** Token values remembered from an earlier run (reused if still valid). */
  known?: { production?: string; test?: string };
  retentionSeconds?: number;
  /**
   * Orgs and buckets of the two deployments (a stack profile's `roles.influxdb`). Default: the
   * contract's two-org layout. When both share one org, each token is scoped to its own BUCKET
   * (an org-wide token would reach the other deployment's bucket).
   */
  layout?: { production: OrgBucket; test: OrgBucket };
  /** Scope of each deployment's token: default `bucket` when both share one org, else `org`. */
  tokenScope?: 'org' | 'bucket';
  log?: Logger;
}

export interface ProvisionedTarget extends OrgBucket {
  orgID: string;
  bucketID: string;
  token: string;
  tokenId: string;
  tokenAction: TokenAction;
}

export interface OnboardResult {
  url: string;
  setup: 'performed' | 'already-done';
  adminToken: string;
  production: ProvisionedTarget;
  test: ProvisionedTarget;
}

export async function onboard(opts: OnboardOptions): Promise<OnboardResult> {
  if (!opts.adminToken || !opts.adminUser || !opts.adminPassword) {
    throw new InfluxError(
      'INFLUX_CONFIG',
      `influxdb at ${opts.url}: admin user, password and token are all required`,
    );
  }
  const layout = opts.layout ?? { production: PRODUCTION_TARGET, test: TEST_TARGET };
  const oneOrg =
    (opts.tokenScope ?? (layout.production.org === layout.test.org ? 'bucket' : 'org')) === 'bucket';
  const anon = influxApi(opts.url);
  const { body: state } = await anon.call<{ allowed: boolean }>('GET', '/api/v2/setup', { expect: [200] });
  let setup: OnboardResult['setup'] = 'already-done';
  if (state.allowed) {
    await anon.call('POST', '/api/v2/setup', {
      body: {
        username: opts.adminUser,
        password: opts.adminPassword,
        org: layout.production.org,
        bucket: layout.production.bucket,
        token: opts.adminToken,
        retentionPeriodSeconds: opts.retentionSeconds ?? 0,
      },
      expect: [201],
    });
    setup = 'performed';
  }
  opts.log?.info(`setup ${setup} at ${opts.url}`);
  const api = influxApi(opts.url, opts.adminToken);
  const probe = await api.call('GET', '/api/v2/orgs', { expect: [200, 401] });
  if (probe.status === 401) {
    throw new InfluxError(
      'INFLUX_ONBOARD',
      `influxdb at ${opts.url}: already onboarded but the configured admin token is refused (401); expected the token chosen at first setup`,
      { status: 401 },
    );
  }
  const target = async (t: OrgBucket, known: string | undefined): Promise<ProvisionedTarget> => {
    const { org, created: orgCreated } = await ensureOrg(api, t.org);
    const { bucket, created: bucketCreated } = await ensureBucket(
      api,
      org.id,
      t.bucket,
      opts.retentionSeconds,
    );
    const tok = await ensureOrgToken(api, {
      orgID: org.id,
      bucket: t.bucket,
      description: oneOrg ? tokenDescription(t.org, t.bucket) : tokenDescription(t.org),
      ...(oneOrg ? { permissions: bucketReadWritePermissions(org.id, bucket.id) } : {}),
      ...(known ? { known } : {}),
    });
    opts.log?.info(
      `${t.org}/${t.bucket}: org ${orgCreated ? 'created' : 'found'}, bucket ${bucketCreated ? 'created' : 'found'}, token ${tok.action}`,
    );
    return {
      ...t,
      orgID: org.id,
      bucketID: bucket.id,
      token: tok.token,
      tokenId: tok.id,
      tokenAction: tok.action,
    };
  };
  const production = await target(layout.production, opts.known?.production);
  const test = await target(layout.test, opts.known?.test);
  return { url: anon.url, setup, adminToken: opts.adminToken, production, test };
}
