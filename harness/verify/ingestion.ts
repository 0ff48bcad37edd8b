/**
 * Drive the stack with a mock-HA scenario and collect the evidence every ingestion check needs:
 * the ledger of fired events, where each landed in InfluxDB, when each became queryable, and
 * the ingestion's own counters.
 */
import { health } from '../probes/http.ts';
import { MockHaControl, type RunReport, type ScenarioSpec } from '../probes/mock-ha-control.ts';
import { activeProfile } from '../profile/index.ts';
import { recordScenarioRun } from '../report/verdicts.ts';
import { assertSafeToFire } from '../safety/interlock.ts';
import { serviceStopped } from '../stack/service-stopped.ts';
import type { StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { storedEvents, trackArrivals } from './influx-events.ts';
import { type FiredEvent, type LedgerMatch, matchLedger } from './ledger.ts';

export const INGESTION = 'websocket-ingestion-test';
const log = createLogger('drive');

/** The counters an ingestion's /health reports: every received event ends in exactly one of the others. */
export interface IngestionCounterFields {
  received: number;
  written: number;
  failed: number;
  dropped: number;
  buffered: number;
  skipped: number;
}

export interface IngestionCounters extends IngestionCounterFields {
  status: string;
  bucket?: string;
  org?: string;
}

export async function ingestionCounters(stack: StartedStack): Promise<IngestionCounters> {
  const r = await health(stack.url(INGESTION), '/health', 5_000);
  const j = (r.json ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : Number.NaN);
  return {
    status: String(j.status ?? r.status),
    received: n('received'),
    written: n('written'),
    failed: n('failed'),
    dropped: n('dropped'),
    buffered: n('buffered'),
    skipped: n('skipped'),
    bucket: typeof j.bucket === 'string' ? j.bucket : undefined,
    org: typeof j.org === 'string' ? j.org : undefined,
  };
}

export const describeCounters = (c: IngestionCounters) =>
  `received=${c.received} written=${c.written} failed=${c.failed} dropped=${c.dropped} buffered=${c.buffered} skipped=${c.skipped}`;

export function mockHa(stack: StartedStack): MockHaControl {
  const token = stack.tokens.mockHaControl;
  if (!token) throw new Error('home-assistant-test: no MOCK_HA_CONTROL_TOKEN known to the harness');
  return new MockHaControl(stack.url('home-assistant-test'), token);
}

export function influxReader(stack: StartedStack) {
  const adminToken = stack.tokens.influxAdmin;
  if (!adminToken) throw new Error('influxdb: no INFLUXDB_ADMIN_TOKEN known to the harness');
  return { url: stack.url('influxdb'), adminToken };
}

/** Wait until the ingestion is connected to the mock HA and subscribed. */
export async function ingestionReady(stack: StartedStack, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const r = await health(stack.url(INGESTION));
      const j = (r.json ?? {}) as { status?: string; home_assistant?: { subscribed?: boolean } };
      return {
        done: r.status === 200 && j.status === 'healthy' && j.home_assistant?.subscribed === true,
        seen: `${r.status} ${r.text.slice(0, 160)}`,
      };
    },
    {
      what: `${INGESTION} to be connected and subscribed to the mock HA`,
      timeoutMs,
      abandonWhen: serviceStopped(stack, INGESTION),
    },
  );
}

/** Wait until the ingestion has accounted for at least `fired` events and holds nothing in memory. */
export async function ingestionDrained(
  stack: StartedStack,
  fired: number,
  timeoutMs = 60_000,
): Promise<IngestionCounters> {
  return waitFor(
    async () => {
      const c = await ingestionCounters(stack);
      const settled = c.written + c.failed + c.dropped + c.skipped;
      return {
        done: c.received >= fired && c.buffered === 0 && settled >= c.received,
        value: c,
        seen: `${describeCounters(c)} (fired ${fired})`,
      };
    },
    {
      what: `${INGESTION} to receive all ${fired} fired events and flush its buffer`,
      timeoutMs,
      intervalMs: 250,
      abandonWhen: serviceStopped(stack, INGESTION),
    },
  );
}

export interface DriveResult {
  report: RunReport;
  ledger: FiredEvent[];
  match: LedgerMatch;
  /** End-to-end latency per event found (intended fire time -> first seen queryable), ms. */
  latenciesMs: number[];
  /** Fired events present at the end but never seen by the poller (arrived outside its window). */
  unseen: number;
  counters: IngestionCounters;
  polls: number;
  maxPollMs: number;
  wallMs: number;
}

export async function driveScenario(
  stack: StartedStack,
  spec: ScenarioSpec,
  opts: { drainTimeoutMs?: number } = {},
): Promise<DriveResult> {
  const ha = mockHa(stack);
  const reader = influxReader(stack);
  await ingestionReady(stack);
  // The interlock: never fire synthetic events without proof they can only land in the test bucket.
  log.info(`interlock: ${(await assertSafeToFire(stack, activeProfile())).join('; ')}`);
  const t0 = Date.now();
  const tracker = trackArrivals(reader, { sinceMs: t0 });
  const run = await ha.startScenario(spec);
  log.info(`scenario ${run.run_id} started: ${JSON.stringify(spec)}`);
  const durationMs = ('durationS' in spec ? spec.durationS : 60) * 1000;
  const report = await ha.waitForRun(run.run_id, durationMs + 60_000);
  log.info(
    `scenario ${run.run_id} ${report.state}: ${report.count} events, achieved ${report.achieved_rate?.toFixed(1)} ev/s`,
  );
  const counters = await ingestionDrained(stack, report.count, opts.drainTimeoutMs ?? 60_000).catch(
    async () => ingestionCounters(stack),
  );
  const ledger = await ha.ledger(run.run_id);
  // Give the poller one more round after the flush, then stop it.
  await new Promise((r) => setTimeout(r, 600));
  const arrivals = await tracker.stop();
  const stored = await storedEvents(
    reader,
    ledger.map((e) => e.contextId),
    new Date(t0 - 60_000).toISOString(),
  );
  const match = matchLedger(ledger, stored);
  const latenciesMs: number[] = [];
  let unseen = 0;
  const missing = new Set(match.missing.map((m) => m.contextId));
  for (const e of ledger) {
    const seen = arrivals.firstSeen.get(e.contextId);
    if (seen !== undefined) latenciesMs.push(seen - e.intendedMs);
    else if (!missing.has(e.contextId)) unseen++;
  }
  recordScenarioRun({
    label: `${spec.kind} scenario, ${report.count} events`,
    targetPerSec: spec.kind === 'burst' ? spec.burstRate : spec.kind === 'steady' ? spec.rate : spec.toRate,
    startMs: t0,
    firedAtMs: ledger.map((e) => e.sentMs ?? e.intendedMs),
    storedAtMs: [...arrivals.firstSeen.values()],
    events: {
      fired: match.fired,
      stored: match.fired - match.missing.length,
      missing: match.missing.length,
      duplicated: match.duplicated.length,
      misplaced: match.misplaced.length,
    },
  });
  return {
    report,
    ledger,
    match,
    latenciesMs,
    unseen,
    counters,
    polls: arrivals.polls,
    maxPollMs: arrivals.maxPollMs,
    wallMs: Date.now() - t0,
  };
}
