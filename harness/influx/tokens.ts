/**
 * Org-scoped API tokens, and the rule that protects a deployment's own clients: the harness
 * never deletes or replaces a token it did not create.
 *
 * InfluxDB 2.x does not let a client choose the value of a new token (only the onboarding
 * admin token can be chosen), and from 2.9 on tokens are stored hashed (`--use-hashed-tokens`,
 * on by default), so a re-run cannot read an existing token's value back. ensureOrgToken:
 *   1. finds the harness token of the org by its description (`homeiq-harness:<org>:...`);
 *   2. reuses it when the server still returns its value (2.8, or 2.9 with hashing off);
 *   3. else reuses a value the caller remembered (e.g. the token file of an earlier run) when
 *      that value is still accepted by the server and still sees the org's bucket;
 *   4. else, only if EVERY unreadable match is one the harness created (its id is in the
 *      caller's record, `createdIds`, kept next to the token files by onboard-cli.ts), deletes
 *      them and creates a new one;
 *   5. else refuses (InfluxError INFLUX_TOKEN) naming the token and what to provide: a token the
 *      harness did not create may be in use by the deployment's clients, and deleting it would
 *      cut them off.
 * Callers persist the returned value and record the id of a created token.
 */
import { InfluxError } from './errors.ts';
import type { InfluxApi } from './http.ts';

export interface Authorization {
  id: string;
  /** The plaintext; '' or absent when the server stores it hashed (2.9 default). */
  token?: string;
  status: string;
  description?: string;
  orgID: string;
  org?: string;
  userID?: string;
  permissions?: { action: string; resource: { type: string; id?: string; orgID?: string; name?: string } }[];
  createdAt?: string;
}

export type TokenAction = 'reused' | 'reused-known' | 'created' | 'replaced';

export interface OrgToken {
  id: string;
  token: string;
  action: TokenAction;
  /** Ids of the harness-created tokens this call deleted (action 'replaced'). */
  deleted: string[];
}

/** One permission of an InfluxDB authorization (API shape). */
export interface Permission {
  action: 'read' | 'write';
  resource: { type: 'buckets' | 'orgs'; id?: string; orgID?: string };
}

/** The description prefix of every token the harness creates (the mark; the record is the proof). */
export const HARNESS_TOKEN_PREFIX = 'homeiq-harness:';

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

/** Every authorization of an org (or of the whole instance when `orgID` is undefined). */
export async function listAuthorizations(api: InfluxApi, orgID?: string): Promise<Authorization[]> {
  const q = orgID === undefined ? '' : `?orgID=${encodeURIComponent(orgID)}`;
  const res = await api.call<{ authorizations?: Authorization[] }>('GET', `/api/v2/authorizations${q}`);
  return res.body.authorizations ?? [];
}

/** The plaintext the server still returns for an authorization, if any ('' and absent: hashed). */
export const readableToken = (a: Authorization): string | undefined =>
  typeof a.token === 'string' && a.token.length > 0 ? a.token : undefined;

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

export interface EnsureTokenOptions {
  orgID: string;
  bucket: string;
  /** Description that marks the harness token of this org; must start with HARNESS_TOKEN_PREFIX. */
  description: string;
  /** A value remembered from an earlier run (reused when the server still accepts it). */
  known?: string;
  /** Ids of the tokens the harness itself created (its record): only these may ever be deleted. */
  createdIds?: ReadonlySet<string>;
  /** Where the refusal tells the user to put the token's value (e.g. `INFLUXDB_TEST_TOKEN`). */
  provideAs?: string;
  /** Default: read/write on every bucket of the org (orgReadWritePermissions). */
  permissions?: Permission[];
}

export async function ensureOrgToken(api: InfluxApi, opts: EnsureTokenOptions): Promise<OrgToken> {
  if (!opts.description.startsWith(HARNESS_TOKEN_PREFIX))
    throw new InfluxError(
      'INFLUX_CONFIG',
      `influxdb at ${api.url}: harness token description "${opts.description}" must start with "${HARNESS_TOKEN_PREFIX}"`,
    );
  const mine = (await listAuthorizations(api, opts.orgID)).filter(
    (a) => a.description === opts.description && a.status === 'active',
  );
  const readable = mine.find((a) => readableToken(a) !== undefined);
  if (readable?.token) return { id: readable.id, token: readable.token, action: 'reused', deleted: [] };
  const first = mine[0];
  if (first && opts.known && (await tokenSeesBucket(api, opts.known, opts.orgID, opts.bucket))) {
    return { id: first.id, token: opts.known, action: 'reused-known', deleted: [] };
  }
  const foreign = mine.filter((a) => !opts.createdIds?.has(a.id));
  if (foreign.length > 0) {
    const names = foreign.map((a) => `${a.id} "${a.description ?? ''}"`).join(', ');
    throw new InfluxError(
      'INFLUX_TOKEN',
      `influxdb at ${api.url}: token ${names} of org ${opts.orgID} cannot be read back (stored hashed) and is not in the harness's record of tokens it created, so it is left untouched (deleting it could cut off the deployment's clients); provide its value${opts.provideAs ? ` in ${opts.provideAs}` : ''} (or its token file), or delete it yourself if nothing uses it`,
    );
  }
  const deleted: string[] = [];
  for (const stale of mine) {
    await api.call('DELETE', `/api/v2/authorizations/${stale.id}`, { expect: [204, 404] });
    deleted.push(stale.id);
  }
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
  return { id: res.body.id, token: res.body.token, action: deleted.length ? 'replaced' : 'created', deleted };
}
