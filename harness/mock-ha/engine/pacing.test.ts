import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';
import { loadTrace } from './trace.ts';

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

  it('bursts and ramps fire exactly the events their schedules plan, in intended-time order', async () => {
    const burst = ha.startScenario({
      kind: 'burst',
      baseRate: 100,
      burstRate: 1000,
      burstS: 0.2,
      periodS: 0.5,
      durationS: 1,
    });
    const b = await ha.waitForRun(burst.run_id);
    expect(b.count).toBe(2 * (30 + 200)); // per period: 0.3 s at 100/s + 0.2 s at 1000/s
    const ramp = ha.startScenario({ kind: 'ramp', fromRate: 0, toRate: 2000, durationS: 1 });
    const r = await ha.waitForRun(ramp.run_id);
    expect(r.count).toBe(1000); // (0 + 2000) / 2 x 1 s
    const t = ha
      .ledger(ramp.run_id)
      .map((e) => e.intended_ts - (ha.ledger(ramp.run_id)[0]?.intended_ts ?? 0));
    expect(t.every((v, i) => i === 0 || v > (t[i - 1] as number))).toBe(true);
    expect(t.filter((v) => v < 500).length).toBe(250); // a quarter of the events in the first half
  });

  it('refuses a replay slower than the scenario bound (<= 86,400 s) with invalid_scenario naming "speed"', () => {
    // small-home-60s lasts ~60 s: at speed 1e-9 it would run for ~1,900 years and block every scenario
    for (const spec of [
      { kind: 'replay' as const, trace: 'small-home-60s', speed: 1e-9 },
      { kind: 'replay' as const, trace: [{ t: 10_000, entity_id: 'sensor.x', state: '1' }], speed: 1e-4 },
      {
        kind: 'replay' as const,
        trace: [{ t: 0, entity_id: 'sensor.x', state: '1' }],
        speed: 1e-5,
        loop: true,
      },
    ]) {
      expect(() => ha.startScenario(spec), JSON.stringify(spec)).toThrow(/"speed".*86400 s/);
    }
    expect(ha.stats().run?.state ?? 'none').not.toBe('running');
  });

  it('replays the shipped trace at 20x: its entities and states, in order', async () => {
    const run = ha.startScenario({ kind: 'replay', trace: 'small-home-60s', speed: 20 });
    const r = await ha.waitForRun(run.run_id);
    const ledger = ha.ledger(run.run_id);
    expect(r.count).toBe(loadTrace('small-home-60s').length);
    const span = (ledger.at(-1)?.intended_ts ?? 0) - (ledger[0]?.intended_ts ?? 0);
    expect(span).toBeLessThan(3100); // < 60 s / 20 plus the first offset
    const ids = new Set(ledger.map((e) => e.context_id));
    type Ev = { context: { id: string }; data: { entity_id: string; new_state: { state: string } } };
    const mine = () =>
      client.messages
        .map((m) => m.event as Ev | undefined)
        .filter((e): e is Ev => e !== undefined && ids.has(e.context.id));
    await waitFor(async () => ({ done: mine().length === r.count, seen: `${mine().length}/${r.count}` }), {
      what: 'all replayed events at the subscriber',
      timeoutMs: 5000,
    });
    const trace = loadTrace('small-home-60s');
    expect(mine().map((e) => [e.data.entity_id, e.data.new_state.state])).toEqual(
      trace.map((t) => [t.entity_id, t.state]),
    );
  });
});

describe('pacing with minTickMs (fewer wake-ups, bounded lateness)', () => {
  it('at 1000 ev/s with minTickMs 10, sends all events in at most ~one batch per 10 ms', async () => {
    const mock = await startMockHa({ seed: 4, minTickMs: 10 });
    try {
      const c = await RawClient.authed(mock.wsUrl, mock.token);
      c.send(msg.supportedFeatures(1));
      c.send(msg.subscribeEvents(2, 'state_changed'));
      await c.next();
      await c.next();
      const run = mock.startScenario({ kind: 'steady', rate: 1000, durationS: 0.5 });
      const r = await mock.waitForRun(run.run_id);
      expect(r.count).toBe(500);
      const sent = mock.ledger(run.run_id).map((e) => e.sent_ts);
      const batches = new Set(sent).size;
      // One wake-up per 10 ms at most over the span the sends took (0.5 s, more on a loaded
      // machine), plus the first; every due event goes in them. Without minTickMs: ~500.
      const spanMs = Math.max(...sent) - Math.min(...sent);
      expect(batches).toBeLessThanOrEqual(Math.floor(spanMs / 10) + 2);
      expect(batches).toBeLessThan(120);
      await waitFor(
        async () => {
          const n = c.messages.filter((m) => m.type === 'event').length;
          return { done: n === 500, seen: `${n} events` };
        },
        { what: '500 events at the subscriber', timeoutMs: 5000 },
      );
      c.close();
    } finally {
      await mock.stop();
    }
  });

  it('refuses a minTickMs outside 0-1000 ms, naming it', async () => {
    await expect(startMockHa({ minTickMs: 5000 })).rejects.toThrow(
      /minTickMs must be .* 0 to 1000, got 5000/,
    );
  });
});
