import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';

// Loose bounds: the test machine is shared. Precise figures come from `npm run bench:mock-ha`.
let ha: StartedMockHa;
let client: RawClient;
beforeAll(async () => {
  ha = await startMockHa({ seed: 4 });
  client = await RawClient.authed(ha.wsUrl, ha.token);
  client.send(msg.supportedFeatures(1));
  client.send(msg.subscribeEvents(2, 'state_changed'));
  await client.next();
  await client.next();
});
afterAll(async () => {
  client.close();
  await ha.stop();
});

const eventsSeen = () => client.messages.filter((m) => m.type === 'event').length;

describe('pacing (open model)', () => {
  it('steady 1000 ev/s for 1.5 s: every event sent, rate within 10%, lateness p50 under 20 ms', async () => {
    const before = eventsSeen();
    const run = ha.startScenario({ kind: 'steady', rate: 1000, durationS: 1.5 });
    const r = await ha.waitForRun(run.run_id);
    expect(r.count).toBe(1500);
    // 10%: one event 150 ms late at the end of a 1.5 s run moves the rate that much on a loaded machine.
    expect(Math.abs(r.rate_error ?? 1)).toBeLessThan(0.1);
    expect(r.lateness_ms?.p50).toBeLessThan(20);
    expect(r.lateness_ms?.p50).toBeGreaterThanOrEqual(0);
    await waitFor(async () => ({ done: eventsSeen() - before === 1500, seen: `${eventsSeen() - before}` }), {
      what: '1500 events at the subscriber',
      timeoutMs: 5000,
    });
    const ledger = ha.ledger(run.run_id);
    expect(ledger.map((e) => e.seq)).toEqual([...Array(1500).keys()]);
    // Intended times follow t0 + i/rate exactly.
    const t0 = ledger[0]?.intended_ts ?? 0;
    expect((ledger[1499]?.intended_ts ?? 0) - t0).toBeCloseTo(1499, 6);
  });

  it('replays the shipped trace at 20x: same entities and states, in order', async () => {
    const before = client.messages.length;
    const run = ha.startScenario({ kind: 'replay', trace: 'small-home-60s', speed: 20 });
    const r = await ha.waitForRun(run.run_id);
    expect(r.count).toBeGreaterThan(100);
    const span =
      (ha.ledger(run.run_id).at(-1)?.intended_ts ?? 0) - (ha.ledger(run.run_id)[0]?.intended_ts ?? 0);
    expect(span).toBeLessThan(3100); // < 60 s / 20 plus the first offset
    await waitFor(
      async () => {
        const n = client.messages.slice(before).filter((m) => m.type === 'event').length;
        return { done: n === r.count, seen: `${n}/${r.count}` };
      },
      { what: 'all replayed events at the subscriber', timeoutMs: 5000 },
    );
    const got = client.messages
      .slice(before)
      .map((m) => (m.event as { data: { entity_id: string } }).data.entity_id);
    expect(got).toEqual(ha.ledger(run.run_id).map((e) => e.entity_id));
  });
});
