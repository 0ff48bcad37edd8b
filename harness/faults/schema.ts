/**
 * The planted-fault matrix data: fixtures/faults/faults.json, one entry per fault of
 * fixtures/faults (files found by name: `<name>.compose.yml`, `<name>.env`, `<name>.Dockerfile`).
 * `npm run test:faults` (harness/faults/cli.ts) boots the stack with each fault, runs its suite
 * files and decides per (fault x test) from the JUnit (harness/faults/decide.ts); the faults table
 * of fixtures/faults/README.md is generated from the same file (harness/faults/readme.ts).
 */
import { z } from 'zod';

const oneLine = (what: string) =>
  z
    .string()
    .min(1, { message: `${what} (one line, not empty)` })
    .refine((s) => !/[\r\n]/.test(s), { message: `${what} on one line` });

/** A suite file of the suites project, relative to the repository root. */
const suiteFile = z.string().regex(/^suites\/[a-z0-9/._-]+\.test\.ts$/, {
  message: 'a suite file such as suites/mission/throughput.test.ts',
});

/** A test the fault must make fail, and the service its failure message must name. */
export const expectationSchema = z
  .object({
    suite: suiteFile,
    test: oneLine("a substring of the failing test's name"),
    service: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, {
      message: 'a compose service name, e.g. websocket-ingestion-test',
    }),
    /**
     * Caught by a refusal, not a check: the harness refuses to run the test (the safety interlock
     * refuses to fire, harness/safety/interlock.ts), so the test is red as not run with a message
     * that says "refused" and names the service. Without it a test that did not run is red.
     */
    refusal: z.literal(true, { message: 'true, or leave it out' }).optional(),
  })
  .strict();

export const runners = ['suites', 'upgrade'] as const;
export const scenarios = ['short', 'burst'] as const;

export const faultEntrySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
      message: 'the file name stem in fixtures/faults (lowercase, digits, "-")',
    }),
    breaks: oneLine('what the fault breaks'),
    kind: oneLine('the kind of fault it samples'),
    runner: z.enum(runners, { message: `one of ${runners.join(', ')}` }),
    scenario: z.enum(scenarios, { message: `one of ${scenarios.join(', ')}` }),
    /** The files run with the fault: those that must fail plus every other check that can share its boot. */
    suites: z.array(suiteFile).min(1),
    expect: z.array(expectationSchema).min(1),
    /**
     * Optional: faults with the same `boot` share one stack boot (HOMEIQ_FAULT=a,b). Allowed only
     * for faults of one runner that break different services and whose checks name different
     * services (checked by loadFaults).
     */
    boot: z
      .string()
      .regex(/^[a-z0-9-]+$/, { message: 'a group name (lowercase, digits, "-")' })
      .optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (new Set(f.suites).size !== f.suites.length)
      ctx.addIssue({ code: 'custom', path: ['suites'], message: 'each suite file once' });
    f.expect.forEach((e, i) => {
      if (!f.suites.includes(e.suite))
        ctx.addIssue({
          code: 'custom',
          path: ['expect', i, 'suite'],
          message: `one of the entry's suites (${f.suites.join(', ')})`,
        });
    });
  });

export const faultsFileSchema = z.array(faultEntrySchema).min(1);

export type FaultEntry = z.output<typeof faultEntrySchema>;
export type Expectation = z.output<typeof expectationSchema>;
