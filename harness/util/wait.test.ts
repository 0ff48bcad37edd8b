import { describe, expect, it } from 'vitest';
import { type Clock, WaitTimeoutError, waitFor } from './wait.ts';

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('waitFor', () => {
  it('returns the value once the probe reports done', async () => {
    let n = 0;
    const v = await waitFor(async () => ({ done: ++n === 3, value: n, seen: `n=${n}` }), {
      what: 'n to reach 3',
      timeoutMs: 10_000,
      clock: fakeClock(),
    });
    expect(v).toBe(3);
  });

  it('says what it awaited and what it last saw on timeout', async () => {
    const clock = fakeClock();
    const err = await waitFor(async () => ({ done: false, seen: 'status=starting' }), {
      what: 'influxdb /health to pass',
      timeoutMs: 500,
      clock,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe(
      'Timed out after 500ms waiting for influxdb /health to pass; last seen: status=starting',
    );
  });

  it('reports a thrown probe error as the last thing seen', async () => {
    const err = await waitFor(
      async () => {
        throw new Error('ECONNREFUSED 127.0.0.1:8086');
      },
      { what: 'port 8086', timeoutMs: 0, clock: fakeClock() },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain('last seen: error: ECONNREFUSED 127.0.0.1:8086');
  });
});

describe('waitFor with a condition that can never be met', () => {
  it('gives up at once when the probe reports it fatal, saying why', async () => {
    const clock = fakeClock();
    const err = await waitFor(async () => ({ done: false, seen: 'exited', fatal: 'run-local.ts exited 1' }), {
      what: 'every service healthy',
      timeoutMs: 300_000,
      clock,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('Gave up waiting for every service healthy: run-local.ts exited 1');
    expect(clock.t, 'time spent waiting').toBe(0);
  });
});
