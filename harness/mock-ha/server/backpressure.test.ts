import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
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
  c.send(msg.supportedFeatures(1));
  c.send(msg.subscribeEvents(2, 'state_changed'));
  await c.next();
  await c.next();
  // A stalled client stops reading its TCP socket: the kernel buffers fill, then the mock's queue.
  if (stalled) (c.ws as unknown as { _socket: Socket })._socket.pause();
  return c;
}

const closedReason = async (id: number) =>
  waitFor(
    async () => {
      const s = ha?.stats();
      const closed = s?.closed_clients.find((c) => c.id === id);
      const open = s?.clients.find((c) => c.id === id);
      return {
        done: closed !== undefined,
        value: closed,
        seen: `open client pending=${open?.pending} max=${open?.max_pending}`,
      };
    },
    { what: `client ${id} to be dropped`, timeoutMs: 20_000 },
  );

describe('back-pressure (HA rule: N pending, or above a peak for T)', () => {
  it('drops a client that reaches the max pending messages, and keeps a reading client', async () => {
    ha = await startMockHa({
      seed: 2,
      maxPendingMessages: 5000,
      pendingPeak: 1_000_000,
      pendingPeakMs: 60_000,
    });
    const reader = await subscriber(false);
    await subscriber(true);
    const run = ha.startScenario({ kind: 'steady', rate: 2000, durationS: 60 });
    const dropped = await closedReason(2);
    expect(dropped?.close_reason).toBe('slow_consumer_max_pending');
    expect(dropped?.max_pending).toBe(5000);
    ha.stopScenario();
    const report = await ha.waitForRun(run.run_id);
    await waitFor(
      async () => {
        const n = reader.messages.filter((m) => m.type === 'event').length;
        return { done: n === report.count, seen: `${n} of ${report.count}` };
      },
      { what: 'the reading client to get every event', timeoutMs: 10_000 },
    );
    expect(ha.stats().totals.dropped_slow_clients).toBe(1);
    expect(ha.stats().clients.find((c) => c.id === 1)?.closed).toBe(false);
  });

  it('drops a client that stays above the peak for the peak time', async () => {
    ha = await startMockHa({ seed: 2, maxPendingMessages: 1_000_000, pendingPeak: 100, pendingPeakMs: 300 });
    await subscriber(true);
    ha.startScenario({ kind: 'steady', rate: 10_000, durationS: 10 });
    const dropped = await closedReason(1);
    expect(dropped?.close_reason).toBe('slow_consumer_peak');
    expect(dropped?.max_pending).toBeGreaterThan(100);
  });
});
