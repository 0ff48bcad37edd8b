/**
 * Capacity (issue 15): how far is the stack from falling over? An open-model search over the
 * event rate on the booted stack (harness/capacity): step up x2, then bisect, each step a short
 * steady run on a home sized to the rate with a fresh ledger, stopping at the first loss (with its
 * chain-of-custody cause), p99 end-to-end latency over batch timeout + 2 s, a working set over 90%
 * of its limit, or a CPU pinned at its limit for the whole step. Writes reports/capacity.json and
 * the report's capacity section (cost curve plot).
 *
 * Not part of the default `npm test` (it takes up to its 5-minute budget plus a boot, and npm
 * test's own time is a performance figure): run it with `npm run capacity`.
 */
import { beforeAll, describe, it } from 'vitest';
import { type CapacityResult, runCapacity } from '../../harness/capacity/run.ts';
import { loadConfig } from '../../harness/config/load.ts';
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordMeasurement, recordSeed } from '../../harness/report/measurements.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { roles } from '../../harness/verify/evidence.ts';

const cfg = loadConfig();
const log = createLogger('capacity');
const { budgetS, stepS, startRate, maxRate } = cfg.capacity;

describe(`capacity: open-model search ${startRate}..${maxRate} ev/s, ${stepS} s steps, within ${budgetS} s`, () => {
  const stack = useStack({
    changes:
      'drives the stack to its limit (loss, a working set near its limit) and loads homes sized to each rate into the mock HA',
  });
  let result: CapacityResult;
  let wallMs = 0;

  beforeAll(
    async () => {
      const t0 = Date.now();
      result = await runCapacity(stack(), cfg);
      wallMs = Date.now() - t0;
      recordSeed('capacity search (home and events)', cfg.seed);
      recordMeasurement('capacity', result);
      log.info(result.summary);
    },
    (budgetS + 120) * 1000,
  );

  it('ran at least one step within its time budget', () => {
    check(result.steps.length > 0 && wallMs <= (budgetS + 60) * 1000, {
      service: roles().mockHa.service,
      what: 'capacity search steps and wall time',
      expected: `>= 1 step, wall time <= budget ${budgetS} s (+ 60 s for the step that was running)`,
      measured: `${result.steps.length} steps in ${(wallMs / 1000).toFixed(0)} s (${result.end})`,
    });
  });

  it('fired load a real home could produce: no entity updated twice within the minimum gap', () => {
    const violations = result.steps.reduce((n, s) => n + s.home.gapViolations, 0);
    check(violations === 0, {
      service: roles().mockHa.service,
      what: `updates of one entity closer than ${cfg.load.minGapMs} ms (home sized to each step's rate)`,
      expected: 0,
      measured: result.steps
        .map((s) => `${s.rate} ev/s on ${s.home.entities} entities: ${s.home.gapViolations}`)
        .join('; '),
    });
  });

  it('measured the stack, not the harness (the mock kept its schedule, the test process had CPU to spare)', () => {
    check(result.harnessLimitedAt === null, {
      service: result.harnessLimit?.[0]?.service ?? roles().mockHa.service,
      what: 'harness saturation before the stack',
      expected: 'none',
      measured: result.summary,
    });
  });

  it(`sustains the seed's ${cfg.load.burstPerSec} ev/s peak (headroom factor >= 1)`, (ctx) => {
    withFailureContext(ctx, stack(), () => (result.limit ? [result.limit.service] : []));
    check(result.headroomFactor >= 1, {
      // Harness-limited: the harness's service is named, never the stack's.
      service: result.harnessLimit?.[0]?.service ?? result.limit?.service ?? roles().ingestion.service,
      what: `maximum sustainable event rate vs the ${cfg.load.burstPerSec} ev/s peak`,
      expected: `>= ${cfg.load.burstPerSec} ev/s`,
      measured: result.summary,
    });
  });
});
