/**
 * The promises a deployment keeps (seed 000, Epic 40) and which test files prove which. The
 * report's verdict has one row per promise; every other file is one of the harness's own
 * self-tests and never counts in the deployment's verdict.
 *
 * A file proves a promise when it records a verdict for it (`recordVerdict('throughput', ...)`,
 * harness/report/verdicts.ts) or, without one, when it is named after it:
 * `suites/<dir>/<promise-id>[.smoke].test.ts` (an alias below counts too).
 */
export const PROMISES = [
  { id: 'bucket-separation', title: 'Bucket separation', aliases: [] },
  { id: 'external-apis-disabled', title: 'External APIs disabled', aliases: [] },
  { id: 'ai-reachability', title: 'AI reachability', aliases: [] },
  { id: 'memory-ceilings', title: 'Memory ceilings', aliases: [] },
  { id: 'throughput', title: 'Throughput without loss', aliases: [] },
  { id: 'production-safeguards', title: 'Production safeguards', aliases: [] },
  { id: 'graceful-shutdown', title: 'Graceful shutdown', aliases: [] },
  { id: 'upgrade', title: 'InfluxDB upgrade', aliases: ['influxdb-upgrade', 'safe-upgrade'], whenRun: true },
] as const satisfies readonly { id: string; title: string; aliases: readonly string[]; whenRun?: boolean }[];

export type PromiseId = (typeof PROMISES)[number]['id'];

export const PROMISE_IDS: readonly PromiseId[] = PROMISES.map((p) => p.id);

export function isPromiseId(v: unknown): v is PromiseId {
  return typeof v === 'string' && (PROMISE_IDS as readonly string[]).includes(v);
}

/** The promise a file proves by its name (see above), or undefined for a self-test. */
export function promiseOfPath(file: string): PromiseId | undefined {
  if (!file.startsWith('suites/')) return undefined;
  const base = (file.split('/').pop() ?? '').replace(/(\.smoke)?\.test\.[cm]?[jt]s$/, '');
  for (const p of PROMISES) if (p.id === base || (p.aliases as readonly string[]).includes(base)) return p.id;
  return undefined;
}

export function promiseTitle(id: PromiseId): string {
  return PROMISES.find((p) => p.id === id)?.title ?? id;
}
