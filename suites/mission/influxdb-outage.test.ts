/**
 * No silent loss when InfluxDB fails (seed 002: batches retried; seed 004: health tells the truth):
 * InfluxDB is stopped for 15 s in the middle of a steady 100 ev/s run. After it recovers, every
 * event fired during the run is stored in the test bucket exactly once; and when the profile maps
 * the ingestion's health, it does not claim healthy throughout the window in which its writes
 * could not succeed.
 *
 * Evidence: the mock HA's ledger and deliveries, InfluxDB by context_id, Docker (stop/start),
 * and the ingestion's mapped health sampled every 500 ms during the outage.
 */
import { beforeAll, describe, it } from 'vitest';
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordMeasurement } from '../../harness/report/measurements.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { describeCustody, describeCustodyDetail } from '../../harness/verify/custody.ts';
import { recordCustody } from '../../harness/verify/custody-report.ts';
import { ingestionConnections, roles } from '../../harness/verify/evidence.ts';
import { type DriveResult, driveScenario } from '../../harness/verify/ingestion.ts';
import { influxOutage, type Outage } from '../../harness/verify/outage.ts';

const log = createLogger('outage');
const RATE = 100;
const BEFORE_S = 10;
const OUTAGE_MS = 15_000;
const DURATION_S = 45;
const ingestion = () => roles().ingestion.service;
const influx = () => roles().influxdb;

describe(`InfluxDB outage: ${OUTAGE_MS / 1000} s stopped during a steady ${RATE} ev/s run`, () => {
  const stack = useStack({ changes: `stops ${influx().service} for ${OUTAGE_MS / 1000} s` });
  let run: DriveResult;
  let outage: Outage | undefined;

  beforeAll(async () => {
    run = await driveScenario(
      stack(),
      { kind: 'steady', rate: RATE, durationS: DURATION_S },
      {
        // Retries back off (often up to 10 s): 20 s without a new arrival means it is done.
        quietMs: 20_000,
        settleTimeoutMs: 120_000,
        during: async (t0) => {
          // The outage starts once the ingestion has been given BEFORE_S seconds of events.
          const { mine } = await ingestionConnections(stack());
          const base = mine.reduce((n, c) => n + c.events_delivered, 0);
          await waitFor(
            async () => {
              const now = (await ingestionConnections(stack())).mine.reduce(
                (n, c) => n + c.events_delivered,
                0,
              );
              return {
                done: now - base >= RATE * BEFORE_S,
                seen: `${now - base} events delivered since the start`,
              };
            },
            {
              what: `${RATE * BEFORE_S} events delivered to ${ingestion()} before the outage`,
              timeoutMs: 60_000,
            },
          );
          outage = await influxOutage(stack(), influx().service, {
            durationMs: OUTAGE_MS,
            extraSampleMs: 10_000,
          });
          log.info(
            `outage from +${outage.stoppedAt - t0} ms to +${outage.restartedAt - t0} ms; ${outage.samples.length} health samples`,
          );
        },
      },
    );
    recordCustody('influxdb-outage', ingestion(), run.custody);
    const o = outage;
    recordMeasurement('influxdb-outage', {
      rate: RATE,
      outageMs: o ? o.restartedAt - o.stoppedAt : null,
      custody: run.custody.summary,
      health: o?.samples.map((s) => ({
        tMs: s.t - o.stoppedAt,
        healthy: s.health.healthy,
        seen: s.health.seen,
      })),
    });
  });

  it('stores every event exactly once after InfluxDB recovers', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion(), influx().service]);
    const s = run.custody.summary;
    check(outage !== undefined && s.fired > 0 && s.missingTotal === 0 && s.duplicated === 0, {
      service: ingestion(),
      what: `events fired around a ${OUTAGE_MS / 1000} s InfluxDB outage, stored in ${influx().test.org}/${influx().test.bucket}`,
      expected: 'each exactly once',
      measured: `${s.missingTotal} missing, ${s.duplicated} duplicated: ${describeCustody(run.custody, ingestion())}${run.counters ? ` (its own counters: ${run.counters})` : ''}`,
      detail: describeCustodyDetail(run.custody),
    });
  });

  it('does not claim healthy throughout the outage (when the profile maps its health)', (ctx) => {
    const mapping = roles().ingestion.health;
    if (!mapping) {
      ctx.skip(`the stack profile maps no health for ${ingestion()}: judged by storage only`);
      return;
    }
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const o = outage as Outage;
    const unhealthy = o.samples.filter((s) => !s.health.healthy);
    const first = unhealthy[0];
    check(o.samples.length > 0 && unhealthy.length > 0, {
      service: ingestion(),
      what: `its health (${mapping.path}${mapping.healthy ? ` ${mapping.healthy.field} in ${JSON.stringify(mapping.healthy.values)}` : ' 200'}) sampled every 500 ms from the stop of ${influx().service} to 10 s after its ${OUTAGE_MS / 1000} s outage`,
      expected: 'not healthy at least once (its writes were failing)',
      measured: `${o.samples.length} samples, ${unhealthy.length} not healthy${first ? ` (first at +${first.t - o.stoppedAt} ms: ${first.health.seen})` : `; last: ${o.samples.at(-1)?.health.seen ?? 'none'}`}`,
    });
  });
});
