/** Find-or-create of organisations and buckets (idempotent). */
import type { InfluxApi } from './http.ts';

export interface Org {
  id: string;
  name: string;
}
export interface Bucket {
  id: string;
  name: string;
  orgID: string;
}

export async function findOrg(api: InfluxApi, name: string): Promise<Org | undefined> {
  const res = await api.call<{ orgs?: Org[] }>('GET', `/api/v2/orgs?org=${encodeURIComponent(name)}`, {
    expect: [200, 404],
  });
  return res.status === 200 ? res.body.orgs?.find((o) => o.name === name) : undefined;
}

export async function ensureOrg(api: InfluxApi, name: string): Promise<{ org: Org; created: boolean }> {
  const found = await findOrg(api, name);
  if (found) return { org: found, created: false };
  const res = await api.call<Org>('POST', '/api/v2/orgs', { body: { name }, expect: [201] });
  return { org: res.body, created: true };
}

export async function findBucket(api: InfluxApi, orgID: string, name: string): Promise<Bucket | undefined> {
  const q = `orgID=${encodeURIComponent(orgID)}&name=${encodeURIComponent(name)}`;
  const res = await api.call<{ buckets?: Bucket[] }>('GET', `/api/v2/buckets?${q}`, { expect: [200, 404] });
  return res.status === 200 ? res.body.buckets?.find((b) => b.name === name && b.orgID === orgID) : undefined;
}

/** retentionSeconds 0 = keep forever. */
export async function ensureBucket(
  api: InfluxApi,
  orgID: string,
  name: string,
  retentionSeconds = 0,
): Promise<{ bucket: Bucket; created: boolean }> {
  const found = await findBucket(api, orgID, name);
  if (found) return { bucket: found, created: false };
  const retentionRules = retentionSeconds > 0 ? [{ type: 'expire', everySeconds: retentionSeconds }] : [];
  const res = await api.call<Bucket>('POST', '/api/v2/buckets', {
    body: { orgID, name, retentionRules },
    expect: [201],
  });
  return { bucket: res.body, created: true };
}
