import { describe, expect, it } from 'vitest';
import type { Capture } from './capture.ts';
import { compareBuckets, compareCounts, compareFlux, compareSample } from './compare.ts';
import { hashingVerdict, unheldTokens } from './token-audit.ts';

function cap(over: Partial<Capture> = {}): Capture {
  return {
    url: 'http://x',
    takenAt: '',
    version: '2.8.0',
    health: 'pass',
    setupAllowed: false,
    cutoff: '2026-11-30T00:00:00Z',
    orgs: [{ id: 'o1', name: 'homeiq' }],
    buckets: [
      { id: 'b1', name: 'home_assistant_events', orgID: 'o1', org: 'homeiq' },
      { id: 'b2', name: '_monitoring', orgID: 'o1', org: 'homeiq' },
    ],
    counts: [
      { bucket: 'home_assistant_events', measurement: 'm', field: 'value', entity: 'sensor.a', count: 288 },
      { bucket: 'home_assistant_events', measurement: 'm', field: 'value', entity: 'sensor.b', count: 288 },
    ],
    sample: [
      {
        bucket: 'home_assistant_events',
        measurement: 'm',
        field: 'value',
        entity: 'sensor.a',
        time: 't0',
        value: '21.5',
      },
    ],
    authorizations: [
      {
        id: 'a1',
        description: 'operator',
        org: 'homeiq',
        orgID: 'o1',
        status: 'active',
        permissions: ['read:buckets:*'],
        readable: true,
        plaintext: 'op',
      },
      {
        id: 'a2',
        description: 'dashboard',
        org: 'homeiq',
        orgID: 'o1',
        status: 'active',
        permissions: ['read:buckets:org=o1'],
        readable: true,
        plaintext: 'dash',
      },
    ],
    flux: [
      { name: 'count', bucket: 'home_assistant_events', org: 'homeiq', query: 'q', rows: ['{"_value":576}'] },
    ],
    ...over,
  };
}

describe('upgrade comparisons', () => {
  it('identical captures give ok findings', () => {
    for (const f of [compareBuckets, compareCounts, compareSample, compareFlux].map((fn) =>
      fn(cap(), cap({ version: '2.9.1' })),
    ))
      expect(f.ok, f.id).toBe(true);
  });

  it('a fresh volume (not onboarded) fails the bucket check, saying so', () => {
    const f = compareBuckets(cap(), cap({ setupAllowed: true, buckets: [], counts: [] }));
    expect(f.ok).toBe(false);
    expect(f.measured).toMatch(
      /1 missing: homeiq\/home_assistant_events \(the server is not onboarded: it started on an empty data directory/,
    );
  });

  it('names each series whose count changed, with before and after', () => {
    const after = cap();
    after.counts = [{ ...after.counts[0], count: 280 } as Capture['counts'][number]];
    const f = compareCounts(cap(), after);
    expect(f.ok).toBe(false);
    expect(f.measured).toBe('2 series differ, 296 field values lost (total 280 of 576)');
    expect(f.detail).toContain('home_assistant_events/m/value/sensor.a: 288 -> 280');
  });

  it('reports a Flux difference row by row', () => {
    const f = compareFlux(
      cap(),
      cap({
        flux: [
          {
            name: 'count',
            bucket: 'home_assistant_events',
            org: 'homeiq',
            query: 'q',
            rows: ['{"_value":575}'],
          },
        ],
      }),
    );
    expect(f.ok).toBe(false);
    expect(f.detail).toContain(
      '1 row(s) only before, 1 only after; before {"_value":576}; after {"_value":575}',
    );
  });

  it('names the authorizations nobody holds, and counts what the new version hashed', () => {
    const unheld = unheldTokens(cap(), new Map([['INFLUX_TOKEN', 'op']]), '2.9.1');
    expect(unheld.ok).toBe(false);
    expect(unheld.measured).toMatch(/^1 held by nobody but InfluxDB: a2 "dashboard"/);
    expect(unheld.action).toContain('INFLUXD_USE_HASHED_TOKENS=false');
    const after = cap({ version: '2.9.1' });
    after.authorizations = after.authorizations.map(({ plaintext: _, ...a }) => ({ ...a, readable: false }));
    const v = hashingVerdict(
      cap(),
      after,
      'lvl=info msg="Migrating raw tokens to hashed tokens" log_id=x count=2',
    );
    expect(v.hashed).toEqual(['a1', 'a2']);
    expect(v.measured).toMatch(/2\.9\.1 hashed 2 of 2 tokens on first start .*count=2/);
    expect(v.action).toMatch(
      /^capture plaintext tokens before upgrading: 2\.9\.1 hashed 2 tokens on first start/,
    );
  });
});
