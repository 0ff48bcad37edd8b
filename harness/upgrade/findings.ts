/**
 * A finding of the pre-upgrade check: one verdict with the service, what was compared, the
 * expected and the measured value, and what to do about it. `fail` findings fail their test;
 * `warn` and `info` are reported (JUnit property, human report, log) without failing the run.
 */
import { check } from '../failure/check.ts';
import { recordMeasurement } from '../report/measurements.ts';

export type Severity = 'fail' | 'warn' | 'info';

export interface Finding {
  /** Stable key, e.g. `counts`, `tokens-hashed`. */
  id: string;
  ok: boolean;
  /** What a not-ok finding means: fail the test, or report only (rollback probe, advice). */
  severity: Severity;
  service: string;
  what: string;
  expected: string;
  measured: string;
  /** What the home should do about it (shown with the finding). */
  action?: string;
  /** Exact lists, diffs. */
  detail?: string;
}

export const describeFinding = (f: Finding): string =>
  `${f.ok ? 'OK' : f.severity.toUpperCase()} ${f.service}: ${f.what}: expected ${f.expected}, measured ${f.measured}${f.action ? `; to do: ${f.action}` : ''}`;

/** Fail (CheckError) when a `fail` finding is not ok; report every finding either way. */
export function assertFinding(f: Finding, annotate?: (message: string, type?: string) => unknown): void {
  recordMeasurement('upgrade-finding', f);
  void annotate?.(describeFinding(f), f.ok ? 'finding' : `finding-${f.severity}`);
  if (f.severity === 'fail')
    check(f.ok, {
      service: f.service,
      what: f.what,
      expected: f.expected,
      measured: f.measured,
      detail: [f.action ? `to do: ${f.action}` : '', f.detail ?? ''].filter(Boolean).join('\n') || undefined,
    });
}

/** At most `n` items, then "(+k more)". */
export function listed<T>(items: readonly T[], fmt: (t: T) => string, n = 10): string {
  const shown = items.slice(0, n).map(fmt).join('; ');
  return items.length > n ? `${shown}; ... (+${items.length - n} more)` : shown;
}
