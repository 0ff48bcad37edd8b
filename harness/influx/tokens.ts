/**
 * Org-scoped API tokens.
 *
 * InfluxDB 2.x does not let a client choose the value of a new token (only the onboarding
 * admin token can be chosen), and from 2.9 on tokens are stored hashed, so a re-run cannot read
 * an existing token's value back. ensureOrgToken therefore:
 *   1. finds the harness token of the org by its description;
 *   2. reuses it when the server still returns its value (2.8 without hashing);
 *   3. else reuses a value the caller remembered (e.g. the token file of an earlier run) when
 *      that value is still accepted by the server and still sees the org's bucket;
 *   4. else deletes the unrecoverable token(s) and creates a new one, returning its value.
 * Callers persist the returned value (onboard-cli.ts writes it to INFLUXDB_TOKENS_DIR).
 */
import { InfluxError } from './errors.ts';
import type { InfluxApi } from './http.ts';

export interface Authorization {
  id: string;
  token?: string;
  status: string;
  description?: string;
  orgID: string;
}

export type TokenAction = 'reused' | 'reused-known' | 'created';

export interface OrgToken {
  id: string;
  token: string;
  action: TokenAction;
}

/** One permission of an InfluxDB authorization (API shape). */
export interface Permission {
  action: 'read' | 'write';
  resource: { type: 'buckets' | 'orgs'; id?: string; orgID?: string };
}

/** Read and write on every bucket of the org, read on the org itself; nothing outside it. */
export function orgReadWritePermissions(orgID: string): Permission[] {
  return [
    { action: 'read', resource: { type: 'buckets', orgID } },
    { action: 'write', resource: { type: 'buckets', orgID } },
    { action: 'read', resource: { type: 'orgs', id: orgID } },
  ];
}

/** Read and write on ONE bucket, read on its org: the scope when two deployments share an org. */
export function bucketReadWritePermissions(orgID: string, bucketID: string): Permission[] {
  return [
    { action: 'read', resource: { type: 'buckets', id: bucketID, orgID } },
    { action: 'write', resource: { type: 'buckets', id: bucketID, orgID } },
    { action: 'read', resource: { type: 'orgs', id: orgID } },
  ];
}

export async function listAuthorizations(api: InfluxApi, orgID: string): Promise<Authorization[]> {
  const res = await api.call<{ authorizations?: Authorization[] }>(
    'GET',
    `/api/v2/authorizations?orgID=${encodeURIComponent(orgID)}`,
  );
  return res.body.authorizations ?? [];
}

/** True when `token` is accepted and can list the named bucket of the org. */
export async function tokenSeesBucket(
  api: InfluxApi,
  token: string,
  orgID: string,
  bucket: string,
): Promise<boolean> {
  const q = `orgID=${encodeURIComponent(orgID)}&name=${encodeURIComponent(bucket)}`;
  const res = await api.call<{ buckets?: { name: string }[] }>('GET', `/api/v2/buckets?${q}`, {
    token,
    expect: [200, 401, 403, 404],
  });
  return res.status === 200 && (res.body.buckets ?? []).some((b) => b.name === bucket);
}

export async function ensureOrgToken(
  api: InfluxApi,
  opts: {
    orgID: string;
    bucket: string;
    description: string;
    known?: string;
    /** Default: read/write on every bucket of the org (orgReadWritePermissions). */
    permissions?: Permission[];
  },
): Promise<OrgToken> {
  const mine = (await listAuthorizations(api, opts.orgID)).filter(
    (a) => a.description === opts.description && a.status === 'active',
  );
  const readable = mine.find((a) => typeof a.token === 'string' && a.token.length > 0);
  if (readable?.token) return { id: readable.id, token: readable.token, action: 'reused' };
  const first = mine[0];
  if (first && opts.known && (await tokenSeesBucket(api, opts.known, opts.orgID, opts.bucket))) {
    return { id: first.id, token: opts.known, action: 'reused-known' };
  }
  for (const stale of mine)
    await api.call('DELETE', `/api/v2/authorizations/${stale.id}`, { expect: [204, 404] });
  const res = await api.call<Authorization>('POST', '/api/v2/authorizations', {
    body: {
      orgID: opts.orgID,
      description: opts.description,
      permissions: opts.permissions ?? orgReadWritePermissions(opts.orgID),
    },
    expect: [201],
  });
  if (!res.body.token) {
    throw new InfluxError(
      'INFLUX_TOKEN',
      `influxdb at ${api.url}: new token for org ${opts.orgID} came back without a value`,
    );
  }
  return { id: res.body.id, token: res.body.token, action: 'created' };
}
