import { describe, expect, it } from 'vitest';
import { describeVariantEnd, variantLogTail } from './variant.ts';

describe('describeVariantEnd', () => {
  it('says why a copy exited: its exit code and last log lines, health-poll lines removed', () => {
    const output = [
      'weather-api: DEPLOYMENT_MODE=production',
      'GET /health 200 1ms',
      'weather-api: INFLUXDB_URL is required but not set',
      '',
    ].join('\n');
    const v = { service: 'weather', env: {}, exitCode: 1, output };
    expect(variantLogTail(v)).toEqual([
      'weather-api: DEPLOYMENT_MODE=production',
      'weather-api: INFLUXDB_URL is required but not set',
    ]);
    expect(describeVariantEnd(v)).toBe(
      'exited 1; last log lines: weather-api: DEPLOYMENT_MODE=production | weather-api: INFLUXDB_URL is required but not set',
    );
  });

  it('says what was awaited and last seen when the copy was still running at its own deadline', () => {
    const v = {
      service: 'sports-data',
      env: {},
      exitCode: undefined,
      output: '',
      deadline: {
        timeoutMs: 60_000,
        awaited: 'copy of sports-data with {"DEPLOYMENT_MODE":"staging"} to exit or answer /health',
        lastSeen: 'running, /health not answering (ECONNREFUSED)',
      },
    };
    expect(describeVariantEnd(v)).toBe(
      'still running at its own 60 s deadline (awaited: copy of sports-data with {"DEPLOYMENT_MODE":"staging"} to exit or answer /health; last seen: running, /health not answering (ECONNREFUSED))',
    );
  });

  it('says a copy is running and what its health said', () => {
    expect(
      describeVariantEnd({
        service: 's',
        env: {},
        exitCode: undefined,
        output: '',
        health: { status: 'up' },
      }),
    ).toBe('running (health {"status":"up"})');
  });
});
