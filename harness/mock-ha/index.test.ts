import { describe, expect, it } from 'vitest';
import { MockHaError, startMockHa } from './index.ts';

describe('startMockHa lifecycle', () => {
  it('stop() is idempotent, also through Symbol.asyncDispose, and frees the port', async () => {
    const ha = await startMockHa();
    expect((await fetch(`${ha.url}/_mock/health`)).status).toBe(200);
    await Promise.all([ha.stop(), ha.stop()]);
    await ha[Symbol.asyncDispose]();
    await expect(fetch(`${ha.url}/_mock/health`)).rejects.toThrow();
  });

  it('refuses a malformed token with a MockHaError naming the rule', async () => {
    const err = await startMockHa({ token: 'short' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MockHaError);
    expect(err).toMatchObject({ code: 'invalid_token' });
    expect((err as Error).message).toBe(
      'mock-ha: access token must be 32-300 characters of [A-Za-z0-9._-], got 5 characters',
    );
  });
});
