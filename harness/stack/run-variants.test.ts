import { describe, expect, it } from 'vitest';
import { runVariants, variantsBudgetMs } from './run-variants.ts';
import type { VariantResult } from './types.ts';

const result = (service: string): VariantResult => ({ service, env: {}, exitCode: 1, output: '' });

describe('runVariants', () => {
  it('runs at most `concurrency` copies at once, and a slow one never holds the others back', async () => {
    let running = 0;
    let peak = 0;
    const finished: string[] = [];
    const delays: Record<string, number> = { slow: 300, a: 10, b: 10, c: 10, d: 10 };
    const stack = {
      runVariant: async (service: string, _env: Record<string, string>, opts?: { timeoutMs?: number }) => {
        expect(opts?.timeoutMs).toBe(1234);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, delays[service]));
        running--;
        finished.push(service);
        return result(service);
      },
    };
    const specs = ['slow', 'a', 'b', 'c', 'd'].map((service) => ({ service, env: {} }));
    const got = await runVariants(stack, specs, { concurrency: 2, timeoutMs: 1234 });
    expect(got.map((r) => r.service)).toEqual(['slow', 'a', 'b', 'c', 'd']);
    expect(peak).toBe(2);
    // With batches of two, "b" would have waited for "slow"; in a pool it finishes long before it.
    expect(finished.indexOf('d')).toBeLessThan(finished.indexOf('slow'));
  });

  it('lets every copy finish before it throws the first Docker error', async () => {
    const done: string[] = [];
    const stack = {
      runVariant: async (service: string) => {
        if (service === 'bad') throw new Error('docker create failed');
        await new Promise((r) => setTimeout(r, 20));
        done.push(service);
        return result(service);
      },
    };
    await expect(
      runVariants(
        stack,
        ['bad', 'x', 'y'].map((service) => ({ service, env: {} })),
      ),
    ).rejects.toThrow('docker create failed');
    expect(done.sort()).toEqual(['x', 'y']);
  });

  it('budgets rounds of copies, each its deadline plus overhead', () => {
    expect(variantsBudgetMs(15, { concurrency: 3, timeoutMs: 60_000, overheadMs: 30_000 })).toBe(450_000);
    expect(variantsBudgetMs(7)).toBe(3 * 90_000);
  });
});
