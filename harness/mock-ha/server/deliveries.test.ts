import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
import { MockHaControlClient } from '../control-client.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';
import * as msg from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';

let ha: StartedMockHa | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await ha?.stop();
});

async function subscriber(stalled: boolean): Promise<RawClient> {
  if (!ha) throw new Error('start the mock first');
  const c = await RawClient.authed(ha.wsUrl, ha.token);
  clients.push(c);
  c.send(msg.subscribeEvents(1, 'state_changed'));
  await c.next();
  if (stalled) (c.ws as unknown as { _socket: Socket })._socket.pause();
  return c;
}

describe('connections and their delivery records (control API)', () => {
  it('shows who is connected, what they subscribed to, and every event delivered or dropped', async () => {
    ha = await startMockHa({
      seed: 5,
      maxPendingMessages: 3000,
      pendingPeak: 1_000_000,
      pendingPeakMs: 60_000,
    });
    const ctl = new MockHaControlClient(ha.url, ha.controlToken as string, { service: 'mock' });
    const reader = await subscriber(false);
    await subscriber(true);
    const idle = new RawClient(ha.wsUrl); // connects, never authenticates
    clients.push(idle);
    await idle.opened();
    const run = await ctl.startScenario({ kind: 'steady', rate: 3000, durationS: 30 });
    await waitFor(
      async () => {
        const c = (await ctl.connections()).find((x) => x.id === 2);
        return { done: c?.closed === true, seen: JSON.stringify(c) };
      },
      { what: 'the stalled client to be dropped', timeoutMs: 20_000 },
    );
    await ctl.stopScenario();
    const report = await ctl.waitForRun(run.run_id, 10_000);
    await waitFor(
      async () => {
        const n = reader.messages.filter((m) => m.type === 'event').length;
        return { done: n === report.count, seen: `${n} of ${report.count}` };
      },
      { what: 'the reader to get every event', timeoutMs: 10_000 },
    );
    const conns = await ctl.connections();
    expect(conns.map((c) => [c.id, c.remote_address, c.authenticated, c.closed])).toEqual([
      [1, '127.0.0.1', true, false],
      [2, '127.0.0.1', true, true],
      [3, '127.0.0.1', false, false],
    ]);
    const [r, s] = conns;
    expect(r?.subscriptions).toEqual([{ id: 1, kind: 'events', event_type: 'state_changed' }]);
    expect(s?.subscriptions).toEqual([{ id: 1, kind: 'events', event_type: 'state_changed' }]);
    expect(r).toMatchObject({
      events_queued: report.count,
      events_delivered: report.count,
      events_dropped: 0,
    });
    expect(s?.close_reason).toBe('slow_consumer_max_pending');
    expect(s?.events_dropped).toBeGreaterThan(0);
    expect((s?.events_delivered ?? 0) + (s?.events_dropped ?? 0)).toBe(s?.events_queued);

    const ledger = await ctl.ledger(run.run_id);
    const readerRecord = await ctl.deliveries(1, 700);
    expect(readerRecord.entries.map((e) => e.context_id)).toEqual(ledger.map((e) => e.context_id));
    expect(readerRecord.entries.every((e) => e.delivered_ts !== null && e.delivered_ts >= e.queued_ts)).toBe(
      true,
    );
    const stalled = await ctl.deliveries(2);
    const dropped = stalled.entries.filter((e) => e.delivered_ts === null);
    expect(dropped.length).toBe(s?.events_dropped);
    // Dropped events are the tail: the queue is FIFO.
    expect(stalled.entries.slice(-dropped.length)).toEqual(dropped);
  });

  it('refuses a bad page parameter and an unknown connection with a message', async () => {
    ha = await startMockHa({ seed: 5 });
    const ctl = new MockHaControlClient(ha.url, ha.controlToken as string, { service: 'mock' });
    await expect(ctl.deliveries(42)).rejects.toThrow(/expected 2xx, got 404 .*no connection 42/);
    const r = await fetch(`${ha.url}/_mock/connections/1/deliveries?from=-1`, {
      headers: { authorization: `Bearer ${ha.controlToken}` },
    });
    expect(r.status).toBe(400);
  });
});
