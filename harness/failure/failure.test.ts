import { describe, expect, it } from 'vitest';
import { CheckError, check, checkAll } from './check.ts';
import { collectLogs, formatLogs, healthPollMatcher, withFailureContext } from './context.ts';

const fakeStack = {
  logs: async (svc: string, n?: number) => {
    if (svc === 'gone') throw new Error('no such container');
    return `${svc} line 1\n${svc} line ${n}\n`;
  },
};

describe('check', () => {
  it('names the service, the expected and the measured value', () => {
    expect(() =>
      check(false, { service: 'weather-api', what: 'outbound connections', expected: 0, measured: 3 }),
    ).toThrow('weather-api: outbound connections: expected 0, measured 3');
    expect(() => check(true, { service: 's', what: 'w', expected: 1, measured: 1 })).not.toThrow();
  });

  it('lists every failed expectation in one error', () => {
    const err = (() => {
      try {
        checkAll(
          [
            { ok: true, e: { service: 'a', what: 'mode', expected: 'test', measured: 'test' } },
            { ok: false, e: { service: 'b', what: 'mode', expected: 'test', measured: 'production' } },
            { ok: false, e: { service: 'c', what: 'status', expected: 200, measured: 503 } },
          ],
          'health of the AI services',
        );
      } catch (e) {
        return e as CheckError;
      }
    })();
    expect(err?.service).toBe('b, c');
    expect(err?.message).toBe(
      'health of the AI services: 2 of 3 failed\n  - b: mode: expected test, measured production\n  - c: status: expected 200, measured 503',
    );
  });
});

describe('failure context', () => {
  it('collects log tails and says when they are unavailable', async () => {
    const logs = await collectLogs(fakeStack, ['ingest', 'gone'], 5);
    expect(formatLogs(logs, 5)).toBe(
      '--- last 5 log lines of ingest ---\ningest line 1\ningest line 25\n--- last 5 log lines of gone ---\n(logs unavailable: Error: no such container)',
    );
  });

  it('appends the logs of the listed and the named services to the failing error, and keeps them apart for the reports', async () => {
    let handler: ((c: unknown) => Promise<void>) | undefined;
    const error = Object.assign(
      new CheckError('data-api', 'data-api: mode: expected test, measured production'),
      {},
    );
    const failed = {
      task: { result: { errors: [error] }, meta: {} as { failureLogs?: string } },
    };
    const ctx = { onTestFailed: (fn: (c: unknown) => Promise<void>) => (handler = fn) };
    withFailureContext(ctx as never, fakeStack, ['ingest'], 3);
    await handler?.(failed);
    expect(error.message).toContain('--- last 3 log lines of ingest ---');
    expect(error.message).toContain('--- last 3 log lines of data-api ---\ndata-api line 1');
    expect(failed.task.meta.failureLogs).toMatch(
      /^--- last 3 log lines of ingest ---[\s\S]*data-api line 15$/,
    );
    expect(error.message.endsWith(`\n${failed.task.meta.failureLogs}`)).toBe(true);
  });

  it('leaves out the access lines of health polls, and says how many', async () => {
    const isPoll = healthPollMatcher(['/health', '/health/ready']);
    expect(isPoll('INFO:     172.18.0.1:51234 - "GET /health HTTP/1.1" 200 OK')).toBe(true);
    expect(isPoll('GET /health/ready 200 1ms')).toBe(true);
    expect(isPoll('level=info method=GET path=/health status=200')).toBe(true);
    expect(isPoll('GET /healthcheck-report 200')).toBe(false);
    expect(isPoll('POST /health 200')).toBe(false);
    expect(isPoll('InfluxDB write of 500 points failed')).toBe(false);
    const noisy = {
      logs: async () =>
        [
          'started',
          '"GET /health HTTP/1.1" 200',
          'write failed',
          '"GET /health HTTP/1.1" 200',
          'stopping',
        ].join('\n'),
    };
    const [tail] = await collectLogs(noisy, ['ingest'], 10);
    expect(tail).toEqual({ service: 'ingest', text: 'started\nwrite failed\nstopping', removed: 2 });
    expect(formatLogs([tail as never], 10)).toContain('(2 health-poll access lines left out)');
  });
});
