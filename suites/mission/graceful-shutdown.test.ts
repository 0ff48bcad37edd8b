/**
 * Graceful shutdown (seed 004, story 4.3): SIGTERM to the ingestion in the middle of a 500 ev/s
 * burst loses nothing it was given: every event the mock HA had handed to the ingestion's socket
 * before the signal is stored in the test bucket once the ingestion has exited; and it exits
 * within its stop timeout (after which `docker stop` would SIGKILL it).
 *
 * No help from the service: the signal goes through Docker, the exit time is Docker's, "given" is
 * the mock's per-connection delivery record, "stored" is InfluxDB looked up by context_id.
 */
import { beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.ts';
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordMeasurement } from '../../harness/report/measurements.ts';
import { requireCapability } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { type Custody, describeCustody, describeCustodyDetail } from '../../harness/verify/custody.ts';
import { recordCustody } from '../../harness/verify/custody-report.ts';
import {
  assertIngestionSafe,
  collectCustody,
  firedEvents,
  ingestionConnections,
  ingestionDeliveries,
  ingestionReady,
  mockHa,
  roles,
} from '../../harness/verify/evidence.ts';
import { type Exit, sigtermAndWaitExit } from '../../harness/verify/shutdown.ts';

const cfg = loadConfig();
const log = createLogger('shutdown');
const ingestion = () => roles().ingestion.service;

describe('graceful shutdown: SIGTERM to the ingestion mid-burst', () => {
  const stack = useStack({ changes: 'SIGTERM to the ingestion mid-burst' });
  let exit: Exit;
  let custody: Custody;
  let firedTotal = 0;

  beforeAll(async () => {
    requireCapability(stack(), 'signal', 'sending SIGTERM to the ingestion');
    const conn = await ingestionReady(stack());
    await assertIngestionSafe(stack());
    const ha = mockHa(stack());
    const t0 = Date.now();
    const run = await ha.startScenario({
      kind: 'steady',
      rate: cfg.load.burstPerSec,
      durationS: cfg.load.burstSeconds,
    });
    // Mid-burst: once the mock has handed the ingestion about half of the burst.
    const half = Math.floor((cfg.load.burstPerSec * cfg.load.burstSeconds) / 2);
    await waitFor(
      async () => {
        const c = (await ingestionConnections(stack())).mine.find((x) => x.id === conn.id);
        const n = (c?.events_delivered ?? 0) - conn.events_delivered;
        return {
          done: n >= half,
          seen: `${n} events delivered to connection #${conn.id}${c?.closed ? ` (closed: ${c.close_reason})` : ''}`,
          ...(c?.closed
            ? { fatal: `connection #${conn.id} of ${ingestion()} closed: ${c.close_reason}` }
            : {}),
        };
      },
      { what: `the mock HA to deliver ${half} events to ${ingestion()}`, timeoutMs: 60_000, intervalMs: 50 },
    );
    // Its connections now: a restarted container may come back with another address.
    const connIds = (await ingestionConnections(stack())).mine.map((c) => c.id);
    exit = await sigtermAndWaitExit(stack(), ingestion());
    await ha.stopScenario().catch(() => undefined);
    await ha.waitForRun(run.run_id, 30_000).catch(() => undefined);
    const ledger = await firedEvents(stack(), run.run_id);
    firedTotal = ledger.length;
    // What the ingestion was given before the signal: delivered to its sockets before exit.signalledAt.
    const given = new Set<string>();
    for (const d of await ingestionDeliveries(stack(), connIds))
      for (const e of d.entries)
        if (e.delivered_ts !== null && e.delivered_ts < exit.signalledAt) given.add(e.context_id);
    const owed = ledger.filter((e) => given.has(e.contextId));
    custody = await collectCustody(stack(), owed, t0, {
      deliveredBefore: exit.signalledAt,
      connectionIds: connIds,
    });
    recordCustody('graceful-shutdown', ingestion(), custody);
    recordMeasurement('graceful-shutdown', {
      fired: firedTotal,
      deliveredBeforeSignal: owed.length,
      timeToExitMs: exit.exitedAt - exit.signalledAt,
      exitCode: exit.exitCode,
      stopTimeoutS: exit.stopTimeoutS,
      custody: custody.summary,
    });
    log.info(
      `SIGTERM after ${owed.length} delivered (of ${firedTotal} fired); exited in ${exit.exitedAt - exit.signalledAt} ms with ${exit.exitCode}; ${describeCustody(custody, ingestion())}`,
    );
  });

  it('stores every event it was given before SIGTERM, once, before it exits', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const s = custody.summary;
    check(s.fired > 0 && s.missingTotal === 0 && s.duplicated === 0, {
      service: ingestion(),
      what: `events delivered to it before SIGTERM (${s.fired} of ${firedTotal} fired) stored in ${custody.target.org}/${custody.target.bucket} after it exited`,
      expected: 'all, exactly once',
      measured: `${s.missingTotal} lost, ${s.duplicated} duplicated: ${describeCustody(custody, ingestion())}`,
      detail: describeCustodyDetail(custody),
    });
  });

  it('exits within its stop timeout after SIGTERM', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const ms = exit.exitedAt - exit.signalledAt;
    check(Number.isFinite(ms) && ms <= exit.stopTimeoutS * 1000, {
      service: ingestion(),
      what: 'time from SIGTERM to exit',
      expected: `<= ${exit.stopTimeoutS} s (its stop timeout: docker stop would SIGKILL after it)`,
      measured: Number.isFinite(ms)
        ? `${ms} ms (exit code ${exit.exitCode})`
        : `still running ${exit.stopTimeoutS} s + 5 s after SIGTERM (then SIGKILLed)`,
    });
  });
});
