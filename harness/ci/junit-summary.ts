/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") from reports/junit.xml,
 * and exits non-zero when the file is missing or no test ran (a run that tested nothing is not green).
 * A <failure> or an <error> counts failed: a check whose setup (stack boot, shared hook) failed, or
 * that an interruption cut short, did not pass. An interrupted run says so on the line before.
 */
import { readFileSync } from 'node:fs';
import { parseCli } from '../cli/args.ts';

export interface JunitCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** the signal named by an `interrupted` property, when the run was cut short */
  interrupted?: string;
}

/** Counts of a JUnit document: each <testcase> once, by its first child element. */
export function countJunit(xml: string): JunitCounts {
  const cases = xml.split(/<testcase\b/).slice(1);
  let failed = 0;
  let skipped = 0;
  for (const c of cases) {
    const body = c.split(/<\/testsuite>|<testsuite\b/)[0] ?? '';
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
  }
  const out: JunitCounts = { passed: cases.length - failed - skipped, failed, skipped };
  const signal = /<property name="interrupted" value="([^"]*)"/.exec(xml)?.[1];
  if (signal) out.interrupted = signal;
  return out;
}

if (import.meta.main) {
  const { positionals } = parseCli(
    'junit',
    `usage: node harness/ci/junit-summary.ts [reports/junit.xml]

Prints "N passed, N failed, N skipped" from a JUnit file; exit 1 when it is missing or no test ran.`,
    {},
    { allowPositionals: true },
  );
  const file = positionals[0] ?? 'reports/junit.xml';
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    process.stdout.write(`junit: ${file} is missing: the test command wrote no JUnit report\n`);
    process.exit(1);
  }
  const c = countJunit(xml);
  if (c.interrupted)
    process.stdout.write(`junit: the run was interrupted (${c.interrupted}); counts hold what finished\n`);
  process.stdout.write(`${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`);
  if (c.passed + c.failed + c.skipped === 0) {
    process.stdout.write(`junit: ${file} holds no testcase: no test ran\n`);
    process.exit(1);
  }
}
