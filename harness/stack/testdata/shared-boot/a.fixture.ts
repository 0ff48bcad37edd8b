/** First file of the shared-boot fixture run (./vitest.config.ts): boots or adopts the mini stack. */
import { describe, expect, it } from 'vitest';
import type { StackError } from '../../types.ts';
import { useStack } from '../../use-stack.ts';

describe('shared boot fixture: first file', () => {
  const stack = useStack({ shares: true });

  it('sees the mini stack', () => {
    expect(stack().services()).toEqual(['generator', 'sleeper']);
    console.log(`SHARED-FIXTURE sleeper ${stack().containerId('sleeper')}`);
  });

  it('refuses to signal, stop or replace a service of the shared boot', async () => {
    for (const attempt of [
      () => stack().signal('sleeper', 'SIGTERM'),
      () => stack().stopService('sleeper'),
      () => stack().restartWithEnv('sleeper', { DEPLOYMENT_MODE: 'production' }),
    ])
      await expect(attempt()).rejects.toMatchObject({ code: 'STACK_SHARED' } satisfies Partial<StackError>);
  });
});
