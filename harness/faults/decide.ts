/**
 * The matrix's decision, without Docker: read the JUnit of one boot (the project's reporter,
 * harness/report/junit.ts) and decide per (fault x test).
 *
 * - A test an expectation of a fault of the boot matches (same suite file, `test` a substring of
 *   its name) must FAIL as a check (`<failure type="CheckError">`) with a message that names the
 *   expectation's service and contains "expected" and "measured" (harness/failure/check.ts):
 *   then the fault is caught by it. It passing is `undetected`; failing without naming the
 *   service, "expected" and "measured" is `vague`.
 * - Every other test of the boot's suite files must pass; failing is `collateral`.
 * - A test that did not run (a setup failure `<error type="SetupFailed">`, an interruption, a
 *   skip), a suite file with no result, or an expectation that matches no test: `not-run`, red.
 *   Except an expectation marked `refusal`: the harness must refuse to run that test (the safety
 *   interlock), so it is caught when the test is red (not run, or failed) with a message saying "refused" and
 *   naming the service, `vague` when the message lacks either, and `undetected` when it passed.
 * With several faults in one boot (HOMEIQ_FAULT=a,b), each fault's expected failures are told
 * apart by the service their message names; a red test no fault of the boot expects is collateral.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Expectation } from './schema.ts';

export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface JunitCase {
  /** Suite file (the testsuite's `file` property), relative to the repository root. */
  file: string;
  name: string;
  outcome: Outcome;
  /** JUnit failure/error type: CheckError, SetupFailed, Interrupted. */
  type?: string;
  /** The failure's whole text without stack frames ('' when it passed). */
  message: string;
  timeS: number;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

type XmlNode = Record<string, unknown>;
const attr = (n: XmlNode | undefined, k: string): string | undefined => {
  const v = n?.[`@_${k}`];
  return v === undefined ? undefined : String(v);
};
const text = (n: unknown): string =>
  typeof n === 'string' || typeof n === 'number'
    ? String(n)
    : n && typeof n === 'object'
      ? String((n as XmlNode)['#text'] ?? '')
      : '';

/** The failure text without its stack frames (lines starting with "at "). */
export const withoutStack = (s: string): string =>
  s
    .split('\n')
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .trim();

/**
 * Parse a JUnit document written by harness/report/junit.ts (any JUnit with a `file` property per
 * testsuite works). Throws with one line when it is not JUnit.
 */
export function parseJunit(xml: string): JunitCase[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  const doc = parser.parse(xml) as XmlNode;
  const root = (doc.testsuites ?? (doc.testsuite ? { testsuite: doc.testsuite } : undefined)) as
    | XmlNode
    | undefined;
  if (!root) throw new Error('not a JUnit document: no <testsuites> or <testsuite>');
  const out: JunitCase[] = [];
  for (const suite of asArray(root.testsuite as XmlNode[] | undefined)) {
    const props = asArray(((suite.properties as XmlNode | undefined)?.property ?? []) as XmlNode[]);
    const file =
      attr(
        props.find((p) => attr(p, 'name') === 'file'),
        'value',
      ) ??
      attr(suite, 'file') ??
      attr(suite, 'name') ??
      '';
    for (const c of asArray(suite.testcase as XmlNode[] | undefined)) {
      const failure = asArray(c.failure as XmlNode[] | undefined)[0];
      const error = asArray(c.error as XmlNode[] | undefined)[0];
      const skipped = c.skipped !== undefined;
      const bad = failure ?? error;
      const outcome: Outcome =
        failure !== undefined ? 'failed' : error !== undefined ? 'error' : skipped ? 'skipped' : 'passed';
      const body =
        bad === undefined ? '' : withoutStack(text(bad) || (attr(bad as XmlNode, 'message') ?? ''));
      const type = bad === undefined ? undefined : attr(bad as XmlNode, 'type');
      out.push({
        file,
        name: attr(c, 'name') ?? '',
        outcome,
        ...(type ? { type } : {}),
        message: body,
        timeS: Number(attr(c, 'time') ?? 0),
      });
    }
  }
  return out;
}

export type Verdict = 'caught' | 'passed' | 'undetected' | 'vague' | 'collateral' | 'not-run';

/** One row of the matrix: a test of a boot, or an expectation that matched no test. */
export interface MatrixRow {
  suite: string;
  test: string;
  /** The faults of the boot that expect this test to fail (empty: it must pass). */
  expectedBy: { fault: string; service: string }[];
  expected: 'fail' | 'pass';
  actual: Outcome | 'missing';
  verdict: Verdict;
  /** Why the verdict is red, or what caught it (one line). */
  why: string;
  /** The failure message head: the line naming the expected service when there is one, else the first. */
  head: string;
  /** The whole failure text without stack frames. */
  message: string;
  timeS?: number;
}

export interface BootFault {
  name: string;
  suites: string[];
  expect: Expectation[];
}

export interface FaultVerdict {
  fault: string;
  caught: boolean;
  /** Red rows that are this fault's (its expectations) plus the boot's collateral and not-run rows. */
  problems: string[];
}

export interface BootDecision {
  rows: MatrixRow[];
  faults: FaultVerdict[];
  /** Every red finding of the boot, one line each. */
  problems: string[];
}

const headOf = (message: string, service?: string): string => {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const named = service ? lines.find((l) => l.includes(`${service}:`) || l.includes(service)) : undefined;
  // A checkAll summary ("memory limits: 1 of 19 failed") says little alone: add its first finding.
  const first =
    lines[1]?.startsWith('- ') && /\d+ of \d+ failed$/.test(lines[0] ?? '')
      ? `${lines[0]}: ${lines[1].slice(2)}`
      : lines[0];
  return (named ?? first ?? '').slice(0, 200);
};

/** Does a failure message name `service` and carry the expected and the measured value? */
export function messageNames(message: string, service: string): { ok: boolean; missing: string[] } {
  const missing: string[] = [];
  if (
    !new RegExp(`(^|[^a-z0-9-])${service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9-]|$)`).test(message)
  )
    missing.push(`the service "${service}"`);
  if (!/\bexpected\b/.test(message)) missing.push('"expected"');
  if (!/\bmeasured\b/.test(message)) missing.push('"measured"');
  return { ok: missing.length === 0, missing };
}

const matches = (e: Expectation, c: JunitCase) => c.file === e.suite && c.name.includes(e.test);

/**
 * Decide one boot: `faults` ran together, their suite files (the union) in one run whose JUnit
 * parsed to `cases`.
 */
export function decideBoot(faults: BootFault[], cases: JunitCase[]): BootDecision {
  const suites = [...new Set(faults.flatMap((f) => f.suites))];
  const rows: MatrixRow[] = [];
  const perFault = new Map<string, string[]>(faults.map((f) => [f.name, []]));
  const shared: string[] = [];
  const note = (fault: string | undefined, line: string) => {
    if (fault) perFault.get(fault)?.push(line);
    else shared.push(line);
  };
  for (const suite of suites) {
    const inSuite = cases.filter((c) => c.file === suite);
    if (inSuite.length === 0) {
      const expectedBy = faults.flatMap((f) =>
        f.expect.filter((e) => e.suite === suite).map((e) => ({ fault: f.name, service: e.service })),
      );
      rows.push({
        suite,
        test: '(every test of the file)',
        expectedBy,
        expected: expectedBy.length ? 'fail' : 'pass',
        actual: 'missing',
        verdict: 'not-run',
        why: `${suite}: no result in the JUnit (the file did not run)`,
        head: '',
        message: '',
      });
      note(undefined, `${suite}: did not run (no result in the JUnit)`);
      continue;
    }
    for (const c of inSuite) {
      const expectedBy = faults.flatMap((f) =>
        f.expect
          .filter((e) => matches(e, c))
          .map((e) => ({ fault: f.name, service: e.service, refusal: e.refusal === true })),
      );
      const base = {
        suite,
        test: c.name,
        expectedBy,
        expected: expectedBy.length ? ('fail' as const) : ('pass' as const),
        actual: c.outcome,
        message: c.message,
        timeS: c.timeS,
      };
      const where = `${suite} > ${c.name}`;
      const refusals = expectedBy.filter((e) => e.refusal);
      if (
        (c.outcome === 'error' || c.outcome === 'failed') &&
        refusals.length > 0 &&
        refusals.length === expectedBy.length
      ) {
        // Expected to be refused (never run): the refusal must say so and name the service.
        for (const e of refusals) {
          const head = headOf(c.message, e.service);
          const row = { ...base, expectedBy: [{ fault: e.fault, service: e.service }] };
          const missing = [
            ...(/\brefused\b/.test(c.message) ? [] : ['"refused"']),
            ...messageNames(c.message, e.service).missing.filter((m) => m.startsWith('the service')),
          ];
          if (missing.length) {
            const why = `${e.fault}: ${where} was not run, but its refusal lacks ${missing.join(', ')}: ${head}`;
            rows.push({ ...row, verdict: 'vague', why, head });
            note(e.fault, why);
          } else rows.push({ ...row, verdict: 'caught', why: `caught by a refusal of ${where}`, head });
        }
        continue;
      }
      if (c.outcome === 'error' || c.outcome === 'skipped') {
        const why = `${where}: did not run (${c.outcome === 'skipped' ? 'skipped' : (c.type ?? 'error')}): ${headOf(c.message) || 'no message'}`;
        rows.push({ ...base, verdict: 'not-run', why, head: headOf(c.message) });
        if (expectedBy.length) for (const e of expectedBy) note(e.fault, why);
        else note(undefined, why);
        continue;
      }
      if (expectedBy.length === 0) {
        if (c.outcome === 'passed') rows.push({ ...base, verdict: 'passed', why: '', head: '' });
        else {
          const why = `${where}: collateral: failed though no fault of this boot expects it: ${headOf(c.message)}`;
          rows.push({ ...base, verdict: 'collateral', why, head: headOf(c.message) });
          note(undefined, why);
        }
        continue;
      }
      // Expected to fail: judged per expectation (a row per fault when several expect it).
      for (const e of expectedBy) {
        const head = headOf(c.message, e.service);
        const row = { ...base, expectedBy: [e] };
        if (c.outcome === 'passed') {
          const why = `${e.fault}: undetected: ${where} passed (expected it to fail naming ${e.service})`;
          rows.push({ ...row, verdict: 'undetected', why, head: '' });
          note(e.fault, why);
          continue;
        }
        const named = messageNames(c.message, e.service);
        if (!named.ok) {
          const why = `${e.fault}: ${where} failed, but its message lacks ${named.missing.join(', ')}: ${head}`;
          rows.push({ ...row, verdict: 'vague', why, head });
          note(e.fault, why);
          continue;
        }
        rows.push({ ...row, verdict: 'caught', why: `caught by ${where}`, head });
      }
    }
  }
  // Expectations that match no test at all.
  for (const f of faults)
    for (const e of f.expect) {
      if (!suites.includes(e.suite)) continue;
      const inSuite = cases.filter((c) => c.file === e.suite);
      if (inSuite.length === 0 || inSuite.some((c) => matches(e, c))) continue;
      const why = `${f.name}: no test of ${e.suite} has "${e.test}" in its name (tests: ${inSuite.map((c) => `"${c.name}"`).join(', ')})`;
      rows.push({
        suite: e.suite,
        test: e.test,
        expectedBy: [{ fault: f.name, service: e.service }],
        expected: 'fail',
        actual: 'missing',
        verdict: 'not-run',
        why,
        head: '',
        message: '',
      });
      note(f.name, why);
    }
  const verdicts: FaultVerdict[] = faults.map((f) => {
    const own = perFault.get(f.name) ?? [];
    const caught =
      own.length === 0 &&
      f.expect.every((e) =>
        rows.some(
          (r) =>
            r.verdict === 'caught' &&
            r.suite === e.suite &&
            r.expectedBy.some((x) => x.fault === f.name && x.service === e.service) &&
            r.test.includes(e.test),
        ),
      );
    return { fault: f.name, caught, problems: [...own, ...shared] };
  });
  return { rows, faults: verdicts, problems: [...[...perFault.values()].flat(), ...shared] };
}
