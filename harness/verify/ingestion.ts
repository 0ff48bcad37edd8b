/**
 * Drive the stack with a mock-HA scenario and collect the evidence every ingestion check needs,
 * from the outside: the ledger of fired events, the chain of custody of each (delivered, dropped,
 * stored, fate), when each became queryable, and, only when the profile maps them, the
 * ingestion's own counters as extra evidence.
 */
import type { RunReport, ScenarioSpec } from '../mock-ha/control-client.ts';
import { health } from '../probes/http.ts';
import { recordScenarioRun } from '../report/verdicts.ts';
import type { StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { type Custody, describeCustody } from './custody.ts';
import {
  assertIngestionSafe,
  collectCustody,
  fieldAt,
  firedEvents,
  influxReader,
  ingestionReady,
  mockHa,
  roles,
  storeTarget,
} from './evidence.ts';
import { trackArrivals } from './influx-events.ts';
import type { FiredEvent } from './ledger.ts';

const log = createLogger('drive');

/** The counters the reference ingestion's /health reports (fixture tests and the load probe use them). */
export interface IngestionCounterFields {
  received: number;
  written: number;
  failed: number;
  dropped: number;
  buffered: number;
  skipped: number;
}

/**
 * The ingestion's own counters through the profile's mapping (numbers only); undefined when the
 * profile maps none or its health is unreachable. Extra evidence, never a verdict.
 */
export async function ingestionCounters(stack: StartedStack): Promise<Record<string, number> | undefined> {
  const ing = roles().ingestion;
  const counters = ing.health?.counters;
  if (!counters || Object.keys(counters).length === 0) return undefined;
  const r = await health(stack.url(ing.service), ing.health?.path ?? '/health', 3_000).catch(() => undefined);
  if (!r?.json) return undefined;
  const out: Record<string, number> = {};
  for (const [name, path] of Object.entries(counters)) {
    const v = fieldAt(r.json, path as string);
    if (typeof v === 'number') out[name] = v;
  }
  return out;
}

/** Per-run counter deltas (`received +500 written +500 ...`), not process-lifetime totals. */
export function counterDeltas(
  before: Record<string, number> | undefined,
  after: Record<string, number> | undefined,
): string | undefined {
  if (!before || !after) return undefined;
  return Object.keys(after)
    .map((k) => `${k} +${(after[k] ?? 0) - (before[k] ?? 0)}`)
    .join(' ');
}

export interface DriveResult {
  report: RunReport;
  ledger: FiredEvent[];
  custody: Custody;
  /** End-to-end latency per event found (intended fire time -> first seen queryable), ms. */
  latenciesMs: number[];
  /**
   * The stack's share of it: mock's send -> first seen queryable, ms (events whose send time the
   * ledger has). latenciesMs minus the mock's own lateness: what the harness cannot be blamed for.
   */
  sentLatenciesMs: number[];
  /** Fired events stored at the end but never seen by the poller (arrived outside its window). */
  unseen: number;
  /** The ingestion's own counters during this run (deltas; profile mapping), when it maps them. */
  counters: string | undefined;
  polls: number;
  maxPollMs: number;
  wallMs: number;
  /** Run start, epoch ms. */
  t0: number;
}

/**
 * Waits until every fired event is queryable in the test bucket, or nothing new arrived for
 * `quietMs` (then the rest is judged missing by the chain of custody), within `timeoutMs`.
 */
async function settle(
  tracker: ReturnType<typeof trackArrivals>,
  fired: FiredEvent[],
  quietMs: number,
  timeoutMs: number,
): Promise<void> {
  const from = Date.now();
  await waitFor(
    async () => {
      const seen = fired.reduce((n, f) => n + (tracker.firstSeen.has(f.contextId) ? 1 : 0), 0);
      // Quiet only counts from now on, and only while InfluxDB answers the poller.
      const quiet = Date.now() - Math.max(tracker.lastGrowthMs(), from);
      const answering = Date.now() - tracker.lastPollOkMs() < 3_000;
      return {
        done: seen >= fired.length || (quiet >= quietMs && answering),
        seen: `${seen} of ${fired.length} fired events queryable, last arrival ${quiet} ms ago${answering ? '' : ', InfluxDB not answering the poller'}`,
      };
    },
    {
      what: `the fired events to be queryable in ${storeTarget().bucket} (or ${quietMs} ms without arrivals)`,
      timeoutMs,
      intervalMs: 250,
    },
  ).catch(() => undefined);
}

/**
 * Fires a scenario at the ready ingestion and collects the evidence. `quietMs`: how long without
 * new arrivals means the ingestion is done (default batch timeout + 5 s); `during`: runs while the
 * scenario runs (e.g. an InfluxDB outage).
 */
export async function driveScenario(
  stack: StartedStack,
  spec: ScenarioSpec,
  opts: {
    quietMs?: number;
    settleTimeoutMs?: number;
    during?: (runStartMs: number) => Promise<void>;
    /** Record the run's events and throughput plot for the report (default true). */
    record?: boolean;
  } = {},
): Promise<DriveResult> {
  const ha = mockHa(stack);
  const reader = influxReader(stack);
  await ingestionReady(stack);
  await assertIngestionSafe(stack);
  const countersBefore = await ingestionCounters(stack);
  const t0 = Date.now();
  const tracker = trackArrivals(reader, storeTarget(), { sinceMs: t0 });
  const run = await ha.startScenario(spec);
  log.info(`scenario ${run.run_id} started: ${JSON.stringify(spec)}`);
  const durationMs = ('durationS' in spec && typeof spec.durationS === 'number' ? spec.durationS : 60) * 1000;
  // Errors of `during` surface after the run ended (never as an unhandled rejection).
  const during = opts.during?.(t0).then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
  const report = await ha.waitForRun(run.run_id, durationMs + 60_000);
  const failed = await during;
  if (failed) throw failed.err;
  log.info(
    `scenario ${run.run_id} ${report.state}: ${report.count} events, achieved ${report.achieved_rate?.toFixed(1)} ev/s`,
  );
  const ledger = await firedEvents(stack, run.run_id);
  await settle(tracker, ledger, opts.quietMs ?? 8_000, opts.settleTimeoutMs ?? 90_000);
  const arrivals = await tracker.stop();
  const custody = await collectCustody(stack, ledger, t0);
  const latenciesMs: number[] = [];
  const sentLatenciesMs: number[] = [];
  let unseen = 0;
  const storedIds = new Set(custody.rows.filter((r) => r.storedCount > 0).map((r) => r.contextId));
  for (const e of ledger) {
    const seen = arrivals.firstSeen.get(e.contextId);
    if (seen !== undefined) {
      latenciesMs.push(seen - e.intendedMs);
      if (e.sentMs !== undefined) sentLatenciesMs.push(seen - e.sentMs);
    } else if (storedIds.has(e.contextId)) unseen++;
  }
  const counters = counterDeltas(countersBefore, await ingestionCounters(stack));
  const cs = custody.summary;
  if (opts.record !== false)
    recordScenarioRun({
      label: `${spec.kind} scenario, ${report.count} events`,
      targetPerSec:
        spec.kind === 'burst'
          ? spec.burstRate
          : spec.kind === 'steady'
            ? spec.rate
            : spec.kind === 'ramp'
              ? spec.toRate
              : 0,
      startMs: t0,
      firedAtMs: ledger.map((e) => e.sentMs ?? e.intendedMs),
      storedAtMs: [...arrivals.firstSeen.values()],
      events: {
        fired: cs.fired,
        stored: cs.stored,
        missing: cs.missingTotal,
        duplicated: cs.duplicated,
        misplaced: cs.missing['stored-elsewhere'] + cs.alsoElsewhere,
      },
    });
  log.info(describeCustody(custody, roles().ingestion.service));
  return {
    report,
    ledger,
    custody,
    latenciesMs,
    sentLatenciesMs,
    unseen,
    counters,
    polls: arrivals.polls,
    maxPollMs: arrivals.maxPollMs,
    wallMs: Date.now() - t0,
    t0,
  };
}
