import { describe, expect, it } from 'vitest';
import { describeLedger, type FiredEvent, ledgerIsClean, matchLedger } from './ledger.ts';

const ev = (seq: number): FiredEvent => ({
  seq,
  contextId: `C${seq}`,
  entityId: `light.l${seq}`,
  intendedMs: seq,
});
const T = 'home_assistant_events_test';
const P = 'home_assistant_events';

describe('matchLedger', () => {
  it('is clean when every fired event is in the test bucket exactly once', () => {
    const m = matchLedger(
      [ev(1), ev(2)],
      [
        { contextId: 'C1', bucket: T },
        { contextId: 'C2', bucket: T },
      ],
    );
    expect(ledgerIsClean(m)).toBe(true);
  });

  it('lists missing, duplicated, misplaced and unexpected ids exactly', () => {
    const m = matchLedger(
      [ev(1), ev(2), ev(3)],
      [
        { contextId: 'C1', bucket: T },
        { contextId: 'C1', bucket: T },
        { contextId: 'C3', bucket: T },
        { contextId: 'C3', bucket: P },
        { contextId: 'OTHER', bucket: T },
      ],
    );
    expect(ledgerIsClean(m)).toBe(false);
    expect(m.missing.map((f) => f.contextId)).toEqual(['C2']);
    expect(m.duplicated).toEqual([{ contextId: 'C1', entityId: 'light.l1', count: 2 }]);
    expect(m.misplaced).toEqual([{ contextId: 'C3', entityId: 'light.l3', bucket: P }]);
    expect(m.unexpected).toEqual(['OTHER']);
    expect(describeLedger(m, 'websocket-ingestion-test')).toBe(
      [
        'websocket-ingestion-test: of 3 events fired by the mock HA, expected each exactly once in "home_assistant_events_test" and never in "home_assistant_events"; measured 1 missing, 1 duplicated, 1 misplaced',
        '  missing: #2 light.l2 C2',
        '  duplicated: light.l1 C1 x2',
        '  misplaced in "home_assistant_events": light.l3 C3',
        '  (not fired by this run, ignored: 1 context ids in "home_assistant_events_test")',
      ].join('\n'),
    );
  });

  it('says when missing events collided with another event of the same entity in the same millisecond', () => {
    const a = { seq: 1, contextId: 'A', entityId: 'light.x', intendedMs: 1000.2 };
    const b = { seq: 2, contextId: 'B', entityId: 'light.x', intendedMs: 1000.7 };
    const m = matchLedger([a, b], [{ contextId: 'B', bucket: T }]);
    expect(m.sameMillisecond).toBe(1);
    expect(describeLedger(m, 'ingest')).toContain(
      '1 of the missing share entity_id and millisecond with another fired event',
    );
  });

  it('caps long lists and says how many more', () => {
    const fired = Array.from({ length: 60 }, (_, i) => ev(i));
    const msg = describeLedger(matchLedger(fired, []), 'svc');
    expect(msg).toContain('measured 60 missing');
    expect(msg).toContain('... (+10 more)');
  });
});
