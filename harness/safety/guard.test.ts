import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSafeWrite, SafetyError } from './guard.ts';
import { probeWritePermission, writeLines } from './influx-writer.ts';

function refusal(fn: () => unknown): SafetyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SafetyError) return e;
    throw e;
  }
  throw new Error('expected a SafetyError, nothing was thrown');
}

describe('safety guard', () => {
  it('refuses synthetic points into the production bucket, even under the test org', () => {
    const e = refusal(() =>
      assertSafeWrite({ kind: 'influx', org: 'homeiq-test', bucket: 'home_assistant_events', points: 3 }),
    );
    expect(e.code).toBe('SAFETY_PRODUCTION_BUCKET');
    expect(e.message).toBe(
      'refused: 3 synthetic point(s) into production bucket "home_assistant_events" (only "home_assistant_events_test" may receive harness writes)',
    );
    expect(
      refusal(() =>
        assertSafeWrite({ kind: 'influx', org: 'x', bucket: ' Home_Assistant_Events', points: 1 }),
      ).code,
    ).toBe('SAFETY_PRODUCTION_BUCKET');
  });

  it('refuses the production org whatever the bucket', () => {
    const e = refusal(() =>
      assertSafeWrite({ kind: 'influx', org: 'homeiq', bucket: 'home_assistant_events_test', points: 1 }),
    );
    expect(e.code).toBe('SAFETY_PRODUCTION_ORG');
  });

  it('allows the test bucket and zero-point permission probes anywhere', () => {
    expect(() =>
      assertSafeWrite({
        kind: 'influx',
        org: 'homeiq-test',
        bucket: 'home_assistant_events_test',
        points: 500,
      }),
    ).not.toThrow();
    expect(() =>
      assertSafeWrite({ kind: 'influx', org: 'homeiq', bucket: 'home_assistant_events', points: 0 }),
    ).not.toThrow();
  });

  it('allows a reference set into the production bucket only of a scratch instance this run created, empty', () => {
    const base = {
      kind: 'influx-scratch' as const,
      org: 'homeiq',
      bucket: 'home_assistant_events',
      points: 10,
      runStartedMs: 1_000_000,
    };
    expect(() => assertSafeWrite({ ...base, bucketCreatedMs: 1_000_500, pointsBefore: 0 })).not.toThrow();
    expect(() => assertSafeWrite({ ...base, bucketCreatedMs: 999_000, pointsBefore: 0 })).toThrow(
      /SAFETY|refused: 10 reference point\(s\) into production bucket "home_assistant_events".*created 1970/,
    );
    expect(() => assertSafeWrite({ ...base, bucketCreatedMs: 1_000_500, pointsBefore: 3 })).toThrow(
      /3 point\(s\) already in it/,
    );
    expect(() => assertSafeWrite({ ...base, bucketCreatedMs: Number.NaN, pointsBefore: 0 })).toThrow(
      /\(unknown\)/,
    );
  });

  it('refuses metadata.db outside a /test/ directory, including through ..', () => {
    expect(refusal(() => assertSafeWrite({ kind: 'sqlite', path: '/app/data/metadata.db' })).code).toBe(
      'SAFETY_PRODUCTION_SQLITE',
    );
    expect(
      refusal(() => assertSafeWrite({ kind: 'sqlite', path: '/app/data/test/../metadata.db' })).message,
    ).toBe(
      'refused: synthetic write into SQLite "/app/data/metadata.db" (metadata.db outside a /test/ directory is the production database; expected e.g. data/test/metadata.db)',
    );
    expect(() => assertSafeWrite({ kind: 'sqlite', path: '/app/data/test/metadata.db' })).not.toThrow();
  });

  it('refuses a service whose /health says production, and one that does not say', () => {
    const prod = refusal(() =>
      assertSafeWrite({
        kind: 'service',
        name: 'data-api',
        health: { status: 'healthy', deployment_mode: 'production' },
      }),
    );
    expect(prod.code).toBe('SAFETY_PRODUCTION_SERVICE');
    expect(prod.message).toBe(
      'refused: synthetic data to data-api: its /health reports deployment_mode=production (expected test)',
    );
    expect(
      refusal(() => assertSafeWrite({ kind: 'service', name: 'x', health: { status: 'ok' } })).code,
    ).toBe('SAFETY_UNVERIFIED_SERVICE');
    // A mock (mock HA) may not report a mode, but it may never claim production.
    expect(() =>
      assertSafeWrite({ kind: 'service', name: 'home-assistant-test', health: {}, mock: true }),
    ).not.toThrow();
    expect(
      refusal(() =>
        assertSafeWrite({
          kind: 'service',
          name: 'ha',
          health: { deployment_mode: 'production' },
          mock: true,
        }),
      ).code,
    ).toBe('SAFETY_PRODUCTION_SERVICE');
  });
});

describe('guarded influx writer', () => {
  const seen: string[] = [];
  let url = '';
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      res.statusCode = req.url?.includes('bucket=denied') ? 404 : 204;
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('never sends a byte for a refused write', async () => {
    seen.length = 0;
    await expect(
      writeLines({ url, token: 't', org: 'homeiq', bucket: 'home_assistant_events' }, ['m v=1']),
    ).rejects.toBeInstanceOf(SafetyError);
    expect(seen).toEqual([]);
  });

  it('writes to the test bucket and probes permission without points', async () => {
    await writeLines({ url, token: 't', org: 'homeiq-test', bucket: 'home_assistant_events_test' }, [
      'm v=1',
    ]);
    expect(await probeWritePermission({ url, token: 't', org: 'homeiq', bucket: 'denied' })).toEqual({
      allowed: false,
      status: 404,
    });
  });
});
