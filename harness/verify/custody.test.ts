import { describe, expect, it } from 'vitest';
import type { ConnectionView } from '../mock-ha/control-client.ts';
import { chainOfCustody, describeCustody } from './custody.ts';
import type { StoredPoint } from './influx-evidence.ts';
import type { FiredEvent } from './ledger.ts';

const target = { org: 'o-test', bucket: 'b-test', measurement: 'events' };
const fired: FiredEvent[] = [
  { seq: 0, contextId: 'c0', entityId: 'light.a', intendedMs: 1000.4 },
  { seq: 1, contextId: 'c1', entityId: 'light.a', intendedMs: 1000.7 }, // same ms as c0
  { seq: 2, contextId: 'c2', entityId: 'light.b', intendedMs: 2000 },
  { seq: 3, contextId: 'c3', entityId: 'light.c', intendedMs: 3000 },
  { seq: 4, contextId: 'c4', entityId: 'light.d', intendedMs: 4000 },
  { seq: 5, contextId: 'c5', entityId: 'light.e', intendedMs: 5000 },
  { seq: 6, contextId: 'c6', entityId: 'light.f', intendedMs: 6000 },
  { seq: 7, contextId: 'c7', entityId: 'light.g', intendedMs: 7000 },
];
const view = (id: number, closed: boolean, reason: string | null): ConnectionView => ({
  id,
  remote_address: '172.18.0.5',
  remote_port: 40000 + id,
  connected_at: 0,
  authenticated: true,
  subscriptions: [{ id: 1, kind: 'events', event_type: 'state_changed' }],
  events_queued: 0,
  events_delivered: 0,
  events_pending: 0,
  events_dropped: 0,
  closed,
  closed_at: closed ? 1 : null,
  close_reason: reason,
});
const entry = (index: number, id: string, delivered: number | null) => ({
  index,
  context_id: id,
  queued_ts: 1,
  delivered_ts: delivered,
});
const point = (
  contextId: string,
  entity: string,
  timeMs: number,
  where: Partial<StoredPoint> = {},
): StoredPoint => ({
  contextId,
  org: target.org,
  bucket: target.bucket,
  measurement: target.measurement,
  tags: { entity_id: entity, domain: 'light' },
  timeMs,
  ...where,
});

describe('chain of custody', () => {
  it('gives every missing event exactly one fate and counts every link', () => {
    const c = chainOfCustody(
      fired,
      [
        {
          connection: view(1, true, 'slow_consumer_max_pending'),
          entries: [
            entry(0, 'c0', 10),
            entry(1, 'c1', 10),
            entry(2, 'c2', 11),
            entry(3, 'c3', 12),
            entry(4, 'c4', 13),
            entry(5, 'c5', null), // queued, then the mock dropped the client
          ],
        },
        { connection: view(2, false, null), entries: [entry(0, 'c7', 20)] },
      ],
      [
        point('c0', 'light.a', 1000), // c1 overwritten by c0 (same series, same ms)
        point('c2', 'light.b', 2000),
        point('c2', 'light.b', 2000, { tags: { entity_id: 'light.b', domain: 'x' } }), // duplicated
        point('c3', 'light.c', 3000, { bucket: 'b-prod', org: 'o-prod' }), // stored elsewhere
        point('c7', 'light.g', 7000),
        point('c7', 'light.g', 7000, { measurement: 'other' }), // stored and elsewhere too
      ],
      target,
    );
    const fate = Object.fromEntries(c.rows.map((r) => [r.contextId, r.fate]));
    expect(fate).toEqual({
      c0: 'stored',
      c1: 'overwritten',
      c2: 'duplicated',
      c3: 'stored-elsewhere',
      c4: 'delivered-not-stored',
      c5: 'dropped-by-mock',
      c6: 'never-delivered',
      c7: 'stored',
    });
    expect(c.summary).toMatchObject({
      fired: 8,
      delivered: 6,
      droppedByMock: 1,
      stored: 3,
      duplicated: 1,
      alsoElsewhere: 1,
      missingTotal: 5,
      missing: {
        'never-delivered': 1,
        'dropped-by-mock': 1,
        'delivered-not-stored': 1,
        overwritten: 1,
        'stored-elsewhere': 1,
      },
    });
    expect(c.rows.find((r) => r.contextId === 'c5')?.droppedBy).toBe('slow_consumer_max_pending');
    expect(c.rows.find((r) => r.contextId === 'c3')?.elsewhere).toEqual(['o-prod/b-prod/events']);
    expect(describeCustody(c, 'ingest')).toBe(
      'fired 8, delivered to ingest 6 (connections #1 172.18.0.5 closed: slow_consumer_max_pending, #2 172.18.0.5), dropped by the mock 1, stored in o-test/b-test/events 3; missing 5 (never delivered 1, dropped by the mock 1, delivered and not stored 1, overwritten 1, stored elsewhere 1); duplicated 1; stored in the test bucket and elsewhere too 1',
    );
  });

  it('does not call a same-millisecond event of another entity overwritten when the series is per entity', () => {
    const c = chainOfCustody(
      [fired[0] as FiredEvent, { seq: 9, contextId: 'x', entityId: 'light.z', intendedMs: 1000.2 }],
      [{ connection: view(1, false, null), entries: [entry(0, 'c0', 1), entry(1, 'x', 1)] }],
      [point('c0', 'light.a', 1000)],
      target,
    );
    expect(c.rows[1]?.fate).toBe('delivered-not-stored');
  });
});
