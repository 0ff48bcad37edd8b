/**
 * Throughput (seed 002): bursts of 500 ev/s (10 s each) over a 50 ev/s baseline reach the test
 * bucket with zero loss and zero duplicates, and every event is queryable in InfluxDB within the
 * batch timeout plus 2 s (p99; seed 002: batches of 500 points or 3 s).
 *
 * Evidence from the outside only: the mock HA's ledger and per-connection delivery record, and
 * InfluxDB looked up by context_id across every bucket. Every loss message carries the chain of
 * custody's counts; the per-event table goes to the report.
 */
import { beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.ts';
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordLatency, recordMeasurement } from '../../harness/report/measurements.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { describeCustody, describeCustodyDetail } from '../../harness/verify/custody.ts';
import { recordCustody } from '../../harness/verify/custody-report.ts';
import { roles } from '../../harness/verify/evidence.ts';
import { describeGrowth, type SeriesGrowth } from '../../harness/verify/influx-evidence.ts';
import { type DriveResult, driveScenario } from '../../harness/verify/ingestion.ts';
import { formatLatency, latencyStats } from '../../harness/verify/latency.ts';
import {
  describeSnapshot,
  type ProductionSnapshot,
  productionGrowth,
  snapshotProduction,
} from '../../harness/verify/production.ts';

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
const ingestion = () => roles().ingestion.service;
const mockHaService = () => roles().mockHa.service;
const influx = () => roles().influxdb;

describe(`throughput: two bursts of ${burstPerSec} ev/s for ${burstSeconds} s over ${baselinePerSec} ev/s`, () => {
  const stack = useStack({ shares: true });
  let run: DriveResult;
  let before: ProductionSnapshot;
  let growth: SeriesGrowth[];

  beforeAll(async () => {
    before = await snapshotProduction(stack());
    run = await driveScenario(stack(), spec, { quietMs: batchTimeoutMs + 5_000 });
    growth = await productionGrowth(stack(), before);
    const l = latencyStats(run.latenciesMs);
    log.info(
      `fired ${run.report.count} at ${run.report.achieved_rate?.toFixed(1)} ev/s (mock lateness ${JSON.stringify(run.report.lateness_ms)}); latency ${formatLatency(l)}; unseen ${run.unseen}; ${run.polls} polls (max ${run.maxPollMs} ms)`,
    );
    recordLatency('mock HA intended fire time -> queryable in InfluxDB', run.latenciesMs, {
      percentile: 'p99',
      maxMs: batchTimeoutMs + 2_000,
    });
    const custody = recordCustody('throughput', ingestion(), run.custody);
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
      custody: custody.summary,
      custodyTable: custody.table,
      otherBuckets: { before: describeSnapshot(before), grown: growth.map(describeGrowth) },
    });
  });

  it('the mock HA fired the bursts at the intended rate (the load really happened)', () => {
    const err = run.report.rate_error ?? Number.NaN;
    check(Math.abs(err) <= 0.05 && run.report.count > 0, {
      service: mockHaService(),
      what: `achieved event rate vs the ${JSON.stringify(spec)} schedule`,
      expected: 'within 5% of the intended rate',
      measured: `${run.report.achieved_rate?.toFixed(1)} ev/s vs ${run.report.intended_rate?.toFixed(1)} ev/s intended (${(err * 100).toFixed(1)}%), ${run.report.count} events`,
    });
  });

  it('loses no event: every fired event is stored in the test bucket', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion(), influx().service]);
    const s = run.custody.summary;
    check(s.fired > 0 && s.missingTotal === 0, {
      service: ingestion(),
      what: `fired events missing from ${influx().test.org}/${influx().test.bucket}`,
      expected: 0,
      measured: `${s.missingTotal} of ${s.fired}: ${describeCustody(run.custody, ingestion())}${run.counters ? ` (its own counters: ${run.counters})` : ''}`,
      detail: describeCustodyDetail(run.custody),
    });
  });

  it('stores no event twice', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const s = run.custody.summary;
    check(s.duplicated === 0, {
      service: ingestion(),
      what: `fired events stored more than once in ${influx().test.org}/${influx().test.bucket}`,
      expected: 0,
      measured: `${s.duplicated}: ${describeCustody(run.custody, ingestion())}`,
      detail: describeCustodyDetail(run.custody),
    });
  });

  it(`makes events queryable within batch timeout + 2 s (p99 <= ${batchTimeoutMs + 2000} ms)`, (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion(), influx().service]);
    const l = latencyStats(run.latenciesMs);
    const limit = batchTimeoutMs + 2_000;
    // Events the poller never saw arrived later than its window: they count as too late.
    const tooLate = run.unseen;
    check(l.count > 0 && l.p99 <= limit && tooLate === 0, {
      service: ingestion(),
      what: 'end-to-end latency (intended fire time -> queryable in InfluxDB)',
      expected: `p99 <= ${limit} ms and every event seen by the poller`,
      measured: `${formatLatency(l)}; ${tooLate} events seen only after the poll window`,
    });
  });

  // Faults that only happen under load (a misroute above some rate, a sidecar that writes while
  // the ingestion is busy) are invisible to the quiet bucket-separation run: watched here too.
  it('grows no bucket but the test bucket during the bursts (every org the admin token sees)', (ctx) => {
    withFailureContext(ctx, stack(), () => stack().services());
    check(growth.length === 0, {
      service: influx().service,
      what: `series outside ${influx().test.org}/${influx().test.bucket} that gained points during the bursts (${before.buckets.map((b) => `${b.org}/${b.bucket}`).join(', ')})`,
      expected: 'none',
      measured: `${growth.length} series grew`,
      detail: growth.map((g) => `  ${describeGrowth(g)}`).join('\n'),
    });
  });
});
