/**
 * Several one-off copies of services (StartedStack.runVariant), at most `concurrency` at once, each
 * with its own deadline counted from its own start: a slow copy holds one slot, never the others'
 * time (a batch of three would wait for its slowest member before the next batch starts).
 */
import type { StartedStack, VariantOptions, VariantResult } from './types.ts';

export interface VariantSpec {
  service: string;
  env: Record<string, string>;
}

export interface RunVariantsOptions extends Pick<VariantOptions, 'timeoutMs'> {
  /** Copies running at once (default 3: on a 2-core home server more only slow each other down). */
  concurrency?: number;
}

/** Default per-copy deadline (ms) and copies at once. */
export const VARIANT_DEADLINE_MS = 60_000;
export const VARIANT_CONCURRENCY = 3;

/**
 * Run every spec's copy; results in the order of `specs`. Every copy runs to its own end (exit,
 * health or deadline) even when another one fails; then the first Docker error, if any, is thrown.
 */
export async function runVariants(
  stack: Pick<StartedStack, 'runVariant'>,
  specs: VariantSpec[],
  opts: RunVariantsOptions = {},
): Promise<VariantResult[]> {
  const concurrency = Math.max(1, opts.concurrency ?? VARIANT_CONCURRENCY);
  const timeoutMs = opts.timeoutMs ?? VARIANT_DEADLINE_MS;
  const out: PromiseSettledResult<VariantResult>[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      const s = specs[i] as VariantSpec;
      out[i] = await stack.runVariant(s.service, s.env, { timeoutMs }).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  const failed = out.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return out.map((r) => (r as PromiseFulfilledResult<VariantResult>).value);
}

/**
 * The time a check must allow for `n` copies so that each gets its full deadline and its own
 * verdict (never a test timeout with no service named): rounds of `concurrency` copies, each round
 * at most the deadline plus `overheadMs` for creating, inspecting, reading and removing a copy.
 */
export function variantsBudgetMs(n: number, opts: RunVariantsOptions & { overheadMs?: number } = {}): number {
  const concurrency = Math.max(1, opts.concurrency ?? VARIANT_CONCURRENCY);
  const per = (opts.timeoutMs ?? VARIANT_DEADLINE_MS) + (opts.overheadMs ?? 30_000);
  return Math.ceil(Math.max(1, n) / concurrency) * per;
}
