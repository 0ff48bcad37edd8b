import { describe, expect, it } from 'vitest';
import { InfluxError } from './errors.ts';
import type { ApiResponse, InfluxApi } from './http.ts';
import { type Authorization, ensureOrgToken } from './tokens.ts';

/** An in-memory stand-in for the three authorization endpoints ensureOrgToken uses. */
function fakeApi(auths: Authorization[], validTokens: Set<string>): InfluxApi & { calls: string[] } {
  const calls: string[] = [];
  let next = 100;
  return {
    url: 'http://fake',
    calls,
    async call<T>(
      method: string,
      path: string,
      opts: { body?: unknown; token?: string } = {},
    ): Promise<ApiResponse<T>> {
      calls.push(`${method} ${path.split('?')[0]}`);
      if (method === 'GET' && path.startsWith('/api/v2/authorizations')) {
        return { status: 200, body: { authorizations: auths } as T };
      }
      if (method === 'GET' && path.startsWith('/api/v2/buckets')) {
        const ok = opts.token !== undefined && validTokens.has(opts.token);
        return { status: ok ? 200 : 401, body: (ok ? { buckets: [{ name: 'b' }] } : {}) as T };
      }
      if (method === 'DELETE') {
        const id = path.split('/').pop();
        auths.splice(
          auths.findIndex((a) => a.id === id),
          1,
        );
        return { status: 204, body: undefined as T };
      }
      if (method === 'POST') {
        const a = {
          id: String(next++),
          token: `new-${next}`,
          status: 'active',
          orgID: 'o',
          description: 'homeiq-harness:o:read-write',
        };
        auths.push(a);
        return { status: 201, body: a as T };
      }
      throw new Error(`unexpected ${method} ${path}`);
    },
  };
}

const opts = { orgID: 'o', bucket: 'b', description: 'homeiq-harness:o:read-write' };

describe('ensureOrgToken', () => {
  it('reuses a token whose value the server still returns (unhashed)', async () => {
    const api = fakeApi(
      [{ id: '1', token: 'plain', status: 'active', orgID: 'o', description: 'homeiq-harness:o:read-write' }],
      new Set(),
    );
    expect(await ensureOrgToken(api, opts)).toEqual({
      id: '1',
      token: 'plain',
      action: 'reused',
      deleted: [],
    });
  });

  it('reuses a remembered value when the stored token is hashed and the value still works', async () => {
    const api = fakeApi(
      [{ id: '1', status: 'active', orgID: 'o', description: 'homeiq-harness:o:read-write' }],
      new Set(['remembered']),
    );
    expect(await ensureOrgToken(api, { ...opts, known: 'remembered' })).toEqual({
      id: '1',
      token: 'remembered',
      action: 'reused-known',
      deleted: [],
    });
  });

  it('replaces an unrecoverable token only when the harness recorded creating it', async () => {
    const auths: Authorization[] = [
      { id: '1', status: 'active', orgID: 'o', description: 'homeiq-harness:o:read-write' },
    ];
    const api = fakeApi(auths, new Set());
    const got = await ensureOrgToken(api, { ...opts, known: 'stale', createdIds: new Set(['1']) });
    expect(got.action).toBe('replaced');
    expect(got.deleted).toEqual(['1']);
    expect(auths.map((a) => a.id)).toEqual([got.id]);
    expect(api.calls).toContain('DELETE /api/v2/authorizations/1');
  });

  it('never deletes a token it did not create: refuses, naming the token and what to provide', async () => {
    const auths: Authorization[] = [
      { id: '0a1b2c3d4e5f6071', status: 'active', orgID: 'o', description: 'homeiq-harness:o:read-write' },
    ];
    const api = fakeApi(auths, new Set());
    const err = await ensureOrgToken(api, {
      ...opts,
      known: 'stale',
      createdIds: new Set(['ffffffffffffffff']),
      provideAs: 'INFLUXDB_TEST_TOKEN',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxError);
    expect(String((err as Error).message)).toMatch(
      /token 0a1b2c3d4e5f6071 "homeiq-harness:o:read-write" of org o cannot be read back .* left untouched .* provide its value in INFLUXDB_TEST_TOKEN/,
    );
    expect(api.calls.filter((c) => c.startsWith('DELETE') || c.startsWith('POST'))).toEqual([]);
    expect(auths).toHaveLength(1);
  });

  it('creates a token when the org has none (first onboarding), without deleting anything', async () => {
    const api = fakeApi([], new Set());
    const got = await ensureOrgToken(api, opts);
    expect(got.action).toBe('created');
    expect(api.calls.some((c) => c.startsWith('DELETE'))).toBe(false);
  });
});
