/**
 * A failed check: one Error with a code, a message naming the service, the expected and the
 * measured value. Suites use `check(...)` so messages read the same everywhere.
 */
export class CheckError extends Error {
  override readonly name = 'CheckError';
  readonly code = 'CHECK_FAILED';
  readonly service: string;
  constructor(service: string, message: string) {
    super(message);
    this.service = service;
  }
}

export interface Expectation {
  service: string;
  what: string;
  expected: unknown;
  measured: unknown;
  /** Extra lines (exact lists, hints). */
  detail?: string;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function describeExpectation(e: Expectation): string {
  return `${e.service}: ${e.what}: expected ${show(e.expected)}, measured ${show(e.measured)}${e.detail ? `\n${e.detail}` : ''}`;
}

/** Throw a CheckError unless `ok`. */
export function check(ok: boolean, e: Expectation): void {
  if (!ok) throw new CheckError(e.service, describeExpectation(e));
}

/** Collect every failed expectation, then throw one error listing them all (one line each). */
export function checkAll(results: { ok: boolean; e: Expectation }[], summary: string): void {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return;
  const lines = failed.map((r) => `  - ${describeExpectation(r.e)}`);
  throw new CheckError(
    [...new Set(failed.map((r) => r.e.service))].join(', '),
    `${summary}: ${failed.length} of ${results.length} failed\n${lines.join('\n')}`,
  );
}
