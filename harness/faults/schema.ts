/**
 * The planted-fault matrix data: fixtures/faults/faults.json, one entry per fault of
 * fixtures/faults (files found by name: `<name>.compose.yml`, `<name>.env`, `<name>.Dockerfile`).
 * `npm run test:faults` (harness/faults/cli.ts) boots the stack with each fault, runs its suite
 * files and decides per (fault x test) from the JUnit (harness/faults/decide.ts); the faults table
 * of fixtures/faults/README.md is generated from the same file (harness/faults/readme.ts).
 */
import { z } from 'zod';
import { escapeForLine } from '../util/quote.ts';
import { FAULT_NAME, FAULT_NAME_TEXT } from './name.ts';

const oneLine = (what: string) =>
  z
    .string({ message: `${what} (text on one line)` })
    .min(1, { message: `${what} (one line, not empty)` })
    .max(300, { message: `${what} (one line of at most 300 characters)` })
    // It reaches the generated README table and the reports: no control, line-separator or bidi
    // character (they break the line or reorder the text around it).
    .refine((s) => escapeForLine(s) === s, {
      message: `${what} on one line, without control, line-separator or bidi characters`,
    });

/** A suite file of the suites project, relative to the repository root (no ".." segment). */
const SUITE_TEXT = 'a suite file such as suites/mission/throughput.test.ts';
const suiteFile = z
  .string({ message: SUITE_TEXT })
  .regex(/^suites\/[a-z0-9/._-]+\.test\.ts$/, { message: SUITE_TEXT })
  .refine((s) => !s.split('/').some((seg) => seg === '..' || seg === '.' || seg === ''), {
    message: `${SUITE_TEXT} (no "..", "." or empty path segment)`,
  });

/** Suite files of runner "upgrade" (test:upgrade runs them); runner "suites" must not name them. */
export const UPGRADE_SUITES_DIR = 'suites/upgrade/';

/** A test the fault must make fail, and the service its failure message must name. */
export const expectationSchema = z
  .object(
    {
      suite: suiteFile,
      test: oneLine("a substring of the failing test's name").refine(
        (s) => s.replace(/\s/g, '').length >= 3,
        {
          message: "a substring of the failing test's name with at least 3 non-space characters",
        },
      ),
      service: z
        .string({ message: 'a compose service name, e.g. websocket-ingestion-test' })
        .regex(/^[a-z0-9][a-z0-9_.-]*$/, {
          message: 'a compose service name, e.g. websocket-ingestion-test',
        }),
      /**
       * Caught by a refusal, not a check: the harness refuses to run the test (the safety interlock
       * refuses to fire, harness/safety/interlock.ts), so the test is red as not run with a message
       * that says "refused" and names the service. Without it a test that did not run is red.
       */
      refusal: z.literal(true, { message: 'true, or leave it out' }).optional(),
    },
    { message: 'an expectation {suite, test, service}' },
  )
  .strict();

export const runners = ['suites', 'upgrade', 'capacity'] as const;
/** The suite file of runner "capacity" (`npm run capacity`; not part of the suites project). */
export const CAPACITY_SUITE = 'suites/capacity/capacity.test.ts';
export const scenarios = ['short', 'burst'] as const;

export const faultEntrySchema = z
  .object(
    {
      name: z
        .string({ message: `the file name stem in fixtures/faults (${FAULT_NAME_TEXT})` })
        .regex(FAULT_NAME, {
          message: `the file name stem in fixtures/faults (${FAULT_NAME_TEXT})`,
        }),
      breaks: oneLine('what the fault breaks'),
      kind: oneLine('the kind of fault it samples'),
      runner: z.enum(runners, { message: `one of ${runners.join(', ')}` }),
      scenario: z.enum(scenarios, { message: `one of ${scenarios.join(', ')}` }),
      /** The files run with the fault: those that must fail plus every other check that can share its boot. */
      suites: z
        .array(suiteFile, { message: 'a list of suite files (at least one)' })
        .min(1, { message: 'a list of suite files (at least one)' }),
      expect: z
        .array(expectationSchema, { message: 'a list of {suite, test, service[, refusal]} (at least one)' })
        .min(1, { message: 'a list of {suite, test, service[, refusal]} (at least one)' }),
      /**
       * Optional: faults with the same `boot` share one stack boot (HOMEIQ_FAULT=a,b). Allowed only
       * for faults of one runner that break different services and whose checks name different
       * services (checked by loadFaults).
       */
      boot: z
        .string({ message: `a group name (${FAULT_NAME_TEXT})` })
        .regex(FAULT_NAME, { message: `a group name (${FAULT_NAME_TEXT})` })
        .optional(),
    },
    { message: 'a fault entry (a JSON object)' },
  )
  .strict()
  .superRefine((f, ctx) => {
    f.suites.forEach((s, i) => {
      if ((f.runner === 'capacity') !== (s === CAPACITY_SUITE))
        ctx.addIssue({
          code: 'custom',
          path: ['suites', i],
          message:
            f.runner === 'capacity'
              ? `${CAPACITY_SUITE} (runner "capacity" runs npm run capacity)`
              : `a suite file other than ${CAPACITY_SUITE} (it runs with runner "capacity")`,
        });
      const upgrade = s.startsWith(UPGRADE_SUITES_DIR);
      if (f.runner === 'upgrade' && !upgrade)
        ctx.addIssue({
          code: 'custom',
          path: ['suites', i],
          message: `a suite file under ${UPGRADE_SUITES_DIR} (runner "upgrade" runs npm run test:upgrade)`,
        });
      if (f.runner !== 'upgrade' && upgrade)
        ctx.addIssue({
          code: 'custom',
          path: ['suites', i],
          message: `a suite file outside ${UPGRADE_SUITES_DIR} (runner "suites"; the upgrade suite runs with runner "upgrade")`,
        });
    });
    if (new Set(f.suites).size !== f.suites.length)
      ctx.addIssue({ code: 'custom', path: ['suites'], message: 'each suite file once' });
    f.expect.forEach((e, i) => {
      if (f.suites.length && !f.suites.includes(e.suite))
        ctx.addIssue({
          code: 'custom',
          path: ['expect', i, 'suite'],
          message: `one of the entry's suites (${f.suites.join(', ')})`,
        });
    });
  });

export const faultsFileSchema = z
  .array(faultEntrySchema, { message: 'a JSON array of fault entries' })
  .min(1, { message: 'a JSON array of fault entries (at least one)' });

/** The fields of an entry and of an expectation (for "not a field of …" messages). */
export const entryFields = Object.keys(faultEntrySchema.shape);
export const expectationFields = Object.keys(expectationSchema.shape);

export type FaultEntry = z.output<typeof faultEntrySchema>;
export type Expectation = z.output<typeof expectationSchema>;
