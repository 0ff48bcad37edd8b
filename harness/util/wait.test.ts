import { describe, expect, it } from 'vitest';
import { type Clock, childExit, WaitAbortedError, WaitTimeoutError, waitFor } from './wait.ts';

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

describe('waitFor gives up as soon as the awaited thing cannot happen any more', () => {
  it('rejects at once when the child it waits on exits, naming the wait and the exit', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
    const t0 = performance.now();
    const err = await waitFor(async () => ({ done: false, seen: 'no answer' }), {
      what: 'the child to answer',
      timeoutMs: 60_000,
      maxIntervalMs: 30_000,
      abandonWhen: childExit(child),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitAbortedError);
    expect((err as Error).message).toBe('Gave up waiting for the child to answer: it exited (3)');
    expect(performance.now() - t0, 'ms until the wait gave up').toBeLessThan(5_000);
  });

  it('returns the value when the condition is met first, and releases the abandon signal', async () => {
    let released = false;
    const v = await waitFor(async () => ({ done: true, value: 7, seen: 'done' }), {
      what: 'x',
      timeoutMs: 1_000,
      abandonWhen: (signal) =>
        new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => {
            released = true;
            resolve('late');
          }),
        ),
    });
    expect(v).toBe(7);
    expect(released, 'the abandon signal is aborted when the wait ends').toBe(true);
  });
});
