/**
 * Throughput: bursts of 500 ev/s (10 s each) over a 50 ev/s baseline reach the test bucket with
 * zero loss and zero duplicates, and every event is queryable in InfluxDB within the batch
 * timeout plus 2 s (p99; seed 002: batches of 500 points or 3 s).
 */
import { beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.ts';
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordLatency, recordMeasurement } from '../../harness/report/measurements.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import {
  type DriveResult,
  describeCounters,
  driveScenario,
  INGESTION,
} from '../../harness/verify/ingestion.ts';
import { formatLatency, latencyStats } from '../../harness/verify/latency.ts';
import { describeLedger } from '../../harness/verify/ledger.ts';

const cfg = loadConfig();
const log = createLogger('throughput');
const { baselinePerSec, burstPerSec, burstSeconds, batchTimeoutMs } = cfg.load;
const periodS = burstSeconds * 2;
const spec = {
  kind: 'burst' as const,
  baseRate: baselinePerSec,
  burstRate: burstPerSec,
  burstS: burstSeconds,
  periodS,
  durationS: periodS * 2,
};

describe(`throughput: two bursts of ${burstPerSec} ev/s for ${burstSeconds} s over ${baselinePerSec} ev/s`, () => {
  const stack = useStack();
  let run: DriveResult;

  beforeAll(async () => {
    run = await driveScenario(stack(), spec);
    const l = latencyStats(run.latenciesMs);
    log.info(
      `fired ${run.report.count} at ${run.report.achieved_rate?.toFixed(1)} ev/s (mock lateness ${JSON.stringify(run.report.lateness_ms)}); latency ${formatLatency(l)}; unseen ${run.unseen}; ${run.polls} polls (max ${run.maxPollMs} ms); ${describeCounters(run.counters)}`,
    );
    recordLatency('mock HA intended fire time -> queryable in InfluxDB', run.latenciesMs, {
      percentile: 'p99',
      maxMs: batchTimeoutMs + 2_000,
    });
    recordMeasurement('throughput-run', {
      spec,
      fired: run.report.count,
      achievedRate: run.report.achieved_rate,
      schedulerLatenessMs: run.report.lateness_ms,
      latency: l,
      unseen: run.unseen,
      counters: run.counters,
      polls: run.polls,
      maxPollMs: run.maxPollMs,
      seed: cfg.seed,
    });
  });

  it('the mock HA fired the bursts at the intended rate (the load really happened)', () => {
    const err = run.report.rate_error ?? Number.NaN;
    check(Math.abs(err) <= 0.05 && run.report.count > 0, {
      service: 'home-assistant-test',
      what: `achieved event rate vs the ${JSON.stringify(spec)} schedule`,
      expected: 'within 5% of the intended rate',
      measured: `${run.report.achieved_rate?.toFixed(1)} ev/s vs ${run.report.intended_rate?.toFixed(1)} ev/s intended (${(err * 100).toFixed(1)}%), ${run.report.count} events`,
    });
  });

  it('loses no event: every fired event is in home_assistant_events_test', (ctx) => {
    withFailureContext(ctx, stack(), [INGESTION, 'influxdb']);
    check(run.match.missing.length === 0, {
      service: INGESTION,
      what: 'fired events missing from home_assistant_events_test',
      expected: 0,
      measured: `${run.match.missing.length} of ${run.match.fired} (${describeCounters(run.counters)})`,
      detail: describeLedger(run.match, INGESTION),
    });
  });

  it('stores no event twice', (ctx) => {
    withFailureContext(ctx, stack(), [INGESTION]);
    check(run.match.duplicated.length === 0, {
      service: INGESTION,
      what: 'fired events stored more than once in home_assistant_events_test',
      expected: 0,
      measured: run.match.duplicated.length,
      detail: describeLedger(run.match, INGESTION),
    });
  });

  it(`makes events queryable within batch timeout + 2 s (p99 <= ${batchTimeoutMs + 2000} ms)`, (ctx) => {
    withFailureContext(ctx, stack(), [INGESTION, 'influxdb']);
    const l = latencyStats(run.latenciesMs);
    const limit = batchTimeoutMs + 2_000;
    // Events the poller never saw arrived later than its window: they count as too late.
    const tooLate = run.unseen;
    check(l.count > 0 && l.p99 <= limit && tooLate === 0, {
      service: INGESTION,
      what: 'end-to-end latency (intended fire time -> queryable in InfluxDB)',
      expected: `p99 <= ${limit} ms and every event seen by the poller`,
      measured: `${formatLatency(l)}; ${tooLate} events seen only after the poll window`,
    });
  });
});
