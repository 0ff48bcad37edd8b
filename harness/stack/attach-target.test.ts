import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { startAttachStack } from './attach-target.ts';
import { StackError, type StartedStack } from './types.ts';

describe('attach target', () => {
  const cfg = loadConfig(
    {
      HOMEIQ_TARGET: 'attach',
      HOMEIQ_ATTACH_HOST: 'nuc.lan',
      HOMEIQ_URL_DATA_API: 'http://10.0.0.5:9006',
      INFLUXDB_TEST_TOKEN: 'tt',
    },
    '/repo',
  );
  let stack: StartedStack;
  beforeAll(async () => {
    stack = await startAttachStack(cfg);
  });

  it('gives contract URLs on the configured host, with per-service overrides, and the tokens', () => {
    expect(stack.url('websocket-ingestion-test')).toBe('http://nuc.lan:8002');
    expect(stack.url('data-api')).toBe('http://10.0.0.5:9006');
    expect(stack.tokens.influxTest).toBe('tt');
    expect(stack.containerId('influxdb')).toBeUndefined();
  });

  it('names the variable to set for an unknown service', () => {
    expect(() => stack.url('my-svc')).toThrow(
      'attach target knows no service "my-svc" (set HOMEIQ_URL_MY_SVC)',
    );
  });

  it('refuses controls clearly instead of pretending', async () => {
    const err = await stack
      .restartWithEnv('data-generator', { DEPLOYMENT_MODE: 'production' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('STACK_CAPABILITY_MISSING');
    expect((err as Error).message).toBe(
      'restarting in another DEPLOYMENT_MODE needs the "restart-with-env" capability, which the attach target does not have (it has: none); run it with HOMEIQ_TARGET=compose',
    );
    await expect(stack.signal('x', 'SIGTERM')).rejects.toThrow('"signal" capability');
    await expect(stack.readFiles('data-api', '/app/data')).rejects.toThrow('"files" capability');
  });

  it('says so in one line when the named compose project runs nothing here', async () => {
    const named = loadConfig(
      { HOMEIQ_TARGET: 'attach', HOMEIQ_ATTACH_PROJECT: 'homeiq-nothing-here' },
      '/repo',
    );
    await expect(startAttachStack(named)).rejects.toThrow(
      'HOMEIQ_ATTACH_PROJECT=homeiq-nothing-here: no running container of that compose project on this Docker engine',
    );
  });
});
