/** Second file of the shared-boot fixture run (./vitest.config.ts): adopts the mini stack. */
import { describe, expect, it } from 'vitest';
import { useStack } from '../../use-stack.ts';

describe('shared boot fixture: second file', () => {
  const stack = useStack({ shares: true });

  it('sees the same mini stack and runs a variant on it', async () => {
    console.log(`SHARED-FIXTURE sleeper ${stack().containerId('sleeper')}`);
    const v = await stack().runVariant('generator', { DEPLOYMENT_MODE: 'production' }, { timeoutMs: 30_000 });
    expect(v.exitCode).toBe(78);
    if (process.env.SHARED_FIXTURE_HANG === '1') {
      console.log('SHARED-FIXTURE-WAITING');
      await new Promise(() => undefined);
    }
    expect(process.env.SHARED_FIXTURE_FAIL, 'SHARED_FIXTURE_FAIL (a planted failing check)').not.toBe('1');
  });
});
