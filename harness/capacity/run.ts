/**
 * The capacity finder on a booted stack (issue 15): an open-model search over the event rate
 * (search.ts), each step a short steady run on a home sized to the rate (verify/home-load.ts) with
 * a fresh ledger, judged from the outside (judge.ts): the mock HA's ledger and delivery records,
 * InfluxDB (chain of custody, end-to-end latency), Docker (per-service CPU and working set against
 * their limits) and this process's own cost. Returns the result and writes `reports/capacity.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessConfig } from '../config/load.ts';
import { CAPACITY_STEP_OVERHEAD_S } from '../config/validate.ts';
import type { RunReport } from '../mock-ha/control-client.ts';
import { activeProfile } from '../profile/index.ts';
import { reportsDir } from '../report/measurements.ts';
import { type ProcessCost, startProcessSampler } from '../sampling/process-cost.ts';
import {
  type ServiceWindow,
  type StartedResourceSampler,
  startResourceSampler,
} from '../sampling/resources.ts';
import type { StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { describeCustody } from '../verify/custody.ts';
import { mockHa, roles } from '../verify/evidence.ts';
import { useHomeForRate } from '../verify/home-load.ts';
import { driveScenario } from '../verify/ingestion.ts';
import { latencyStats } from '../verify/latency.ts';
import { type CostPoint, costCurve, type ServiceCost } from './fit.ts';
import { HARNESS_LIMITS, judgeStep, type Limit, type StepInput } from './judge.ts';
import { type SearchEnd, searchCapacity } from './search.ts';
import { containerStates, servicesDown } from './service-state.ts';

const log = createLogger('capacity');

export const CAPACITY_SCHEMA = 'homeiq-capacity/1';

export interface CapacityStep {
  rate: number;
  durationS: number;
  outcome: 'pass' | 'fail' | 'harness' | 'down';
  limits: Limit[];
  home: { entities: number; minGapMs: number; gapViolations: number };
  fired: number;
  stored: number;
  missing: number;
  missingByFate: Record<string, number>;
  /** Same-entity same-millisecond overwrites among the missing (0 on a sized home). */
  overwritten: number;
  duplicated: number;
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number };
  /** The stack's share of it: mock's send -> queryable (null: no send times in the ledger). */
  sentLatencyMs: { count: number; p50: number; p95: number; p99: number; max: number } | null;
  unseen: number;
  mock: StepInput['mock'];
  /** The mock's scheduler lateness percentiles over the step, ms (sent - intended). */
  mockLatenessMs: RunReport['lateness_ms'];
  /**
   * Median lateness of the step's last 5% of events, ms (ledger): a mock that cannot keep the rate
   * is furthest behind at the end; a stall mid-step has been caught up by then.
   */
  mockBehindAtEndMs: number | null;
  services: Omit<ServiceWindow, 'cpuFractions'>[];
  harness: ProcessCost[];
  wallMs: number;
}

export interface CapacityResult {
  schema: typeof CAPACITY_SCHEMA;
  seed: number;
  startedAt: string;
  finishedAt: string;
  stack: { target: string; profile: string };
  options: {
    startRate: number;
    maxRate: number;
    stepS: number;
    budgetS: number;
    minGapMs: number;
    sloMs: number;
    resolution: number;
    harnessLimits: typeof HARNESS_LIMITS;
  };
  /** Highest rate every stop condition passed at, ev/s (0: none). */
  maxSustainableRate: number;
  /** The peak the stack must take (the seed's burst rate, HOMEIQ_BURST_RATE). */
  peakRate: number;
  /** maxSustainableRate / peakRate. */
  headroomFactor: number;
  /** The first stop condition of the lowest failing step (null: none failed). */
  limit: (Limit & { rate: number; also: Limit[] }) | null;
  /** Rate of the step where the harness saturated before the stack (null: never). */
  harnessLimitedAt: number | null;
  harnessLimit: Limit[] | null;
  end: SearchEnd;
  /** One line for people. */
  summary: string;
  /** Resource evidence available: per-service CPU/memory needs containers. */
  resourceEvidence: string;
  steps: CapacityStep[];
  costCurve: ServiceCost[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The one line that says what the search found. */
export function summaryLine(
  r: Pick<
    CapacityResult,
    | 'maxSustainableRate'
    | 'peakRate'
    | 'headroomFactor'
    | 'limit'
    | 'harnessLimitedAt'
    | 'harnessLimit'
    | 'end'
  >,
): string {
  const sustained =
    r.maxSustainableRate > 0
      ? `maximum sustainable rate ${fmt(r.maxSustainableRate)} ev/s (headroom ${r.headroomFactor.toFixed(2)}x the ${fmt(r.peakRate)} ev/s peak)`
      : 'no rate tried was sustainable';
  if (r.harnessLimitedAt !== null)
    return `harness-limited at ${fmt(r.harnessLimitedAt)} ev/s (${r.harnessLimit?.map((l) => `${l.service}: ${l.detail}`).join('; ')}): the stack is not blamed; ${sustained} is a lower bound`;
  if (r.limit)
    return `${sustained}; limit at ${fmt(r.limit.rate)} ev/s: ${r.limit.service} ${r.limit.constraint} (${r.limit.detail})`;
  return `${sustained}; no stop condition fired (${r.end === 'budget' ? 'time budget reached' : 'highest rate tried'}): a lower bound`;
}

/**
 * Runs the search on `stack`. Bounded by `cfg.capacity.budgetS` (steps that would end later are
 * not started). Never throws for a stop condition: that is the result; throws when a step could
 * not be run at all (the stack or the mock is unreachable).
 */
export async function runCapacity(stack: StartedStack, cfg: HarnessConfig): Promise<CapacityResult> {
  const started = Date.now();
  const { stepS, budgetS, startRate, maxRate } = cfg.capacity;
  const { batchTimeoutMs, minGapMs, burstPerSec } = cfg.load;
  const sloMs = batchTimeoutMs + 2_000;
  const ingestion = roles().ingestion.service;
  const mockService = roles().mockHa.service;
  const containers = stack
    .services()
    .map((service) => ({ service, containerId: stack.containerId(service) }))
    .filter((c): c is { service: string; containerId: string } => c.containerId !== undefined);
  const sampler: StartedResourceSampler | undefined = containers.length
    ? await startResourceSampler({ containers })
    : undefined;
  const resourceEvidence = sampler
    ? `Docker stats of ${containers.length} containers (CPU: cgroup usage; limits from nanoCPUs/quota, else the host's cores)`
    : `none: the ${stack.target} target gives no containers, so the memory and CPU stop conditions cannot fire`;
  const proc = startProcessSampler();
  const ha = mockHa(stack);
  const steps: CapacityStep[] = [];
  // Docker's view of every container before the search: a service that crashes, is OOM-killed or
  // restarts during a step is the stack's limit at that rate (the search ends there).
  const statesBefore = await containerStates(containers);
  try {
    const search = await searchCapacity(
      {
        startRate,
        maxRate,
        budgetMs: budgetS * 1000 - (Date.now() - started),
        firstStepEstimateMs: (stepS + CAPACITY_STEP_OVERHEAD_S) * 1000,
        resolution: 0.1,
      },
      async (rate) => {
        const home = await useHomeForRate(stack, {
          seed: cfg.seed,
          ratePerSec: rate,
          minGapMs,
          loadForRate: rate * 2,
        });
        const violationsBefore = home.gap_violations;
        const t0Wall = Date.now();
        let run: Awaited<ReturnType<typeof driveScenario>>;
        try {
          run = await driveScenario(
            stack,
            { kind: 'steady', rate, durationS: stepS },
            { quietMs: batchTimeoutMs + 5_000, settleTimeoutMs: 30_000, record: false },
          );
        } catch (err) {
          // The step could not be judged: was it because a service went down under the load?
          const down = servicesDown(statesBefore, await containerStates(containers));
          if (down.length === 0) throw err;
          const windows = sampler?.window(t0Wall, Date.now(), { pinnedAt: HARNESS_LIMITS.pinnedAt }) ?? [];
          const limits: Limit[] = down.map((d) => ({
            constraint: d.oomKilled ? 'memory' : 'down',
            service: d.service,
            detail: `went down during the ${rate} ev/s step: ${d.detail}${memoryPeak(windows, d.service)}; the step could not be finished (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
          }));
          steps.push(
            downStep(rate, stepS, limits, windows, proc.window(t0Wall, Date.now()), Date.now() - t0Wall),
          );
          log.info(
            `step ${rate} ev/s x ${stepS} s: down (${limits.map((l) => `${l.service} ${l.constraint}: ${l.detail}`).join('; ')})`,
          );
          return { outcome: 'down' as const };
        }
        const fireEnd = run.t0 + stepS * 1000;
        const windows = sampler?.window(run.t0, fireEnd, { pinnedAt: HARNESS_LIMITS.pinnedAt }) ?? [];
        const harness = proc.window(run.t0, fireEnd + 500);
        const after = await ha.home();
        const latency = latencyStats(run.latenciesMs);
        const sentLatency = run.sentLatenciesMs.length ? latencyStats(run.sentLatenciesMs) : null;
        const mock: StepInput['mock'] = {
          achievedRate: run.report.achieved_rate,
          rateError: run.report.rate_error,
          latenessP99Ms: run.report.lateness_ms?.p99 ?? null,
          behindAtEndMs: behindAtEnd(run.ledger),
        };
        const cs = run.custody.summary;
        const limits = judgeStep({
          rate,
          durationS: stepS,
          sloMs,
          ingestion,
          mockHa: mockService,
          custody: cs,
          custodyLine: describeCustody(run.custody, ingestion),
          latency,
          sentLatency,
          unseen: run.unseen,
          mock,
          services: windows,
          harness,
        });
        const down = servicesDown(statesBefore, await containerStates(containers));
        for (const d of down)
          limits.unshift({
            constraint: d.oomKilled ? 'memory' : 'down',
            service: d.service,
            detail: `went down during the ${rate} ev/s step: ${d.detail}${memoryPeak(windows, d.service)}`,
          });
        const outcome = down.length
          ? ('down' as const)
          : limits.some((l) => l.constraint === 'harness')
            ? 'harness'
            : limits.length
              ? 'fail'
              : 'pass';
        const step: CapacityStep = {
          rate,
          durationS: stepS,
          outcome,
          limits,
          home: {
            entities: after.entities,
            minGapMs: after.min_gap_ms,
            gapViolations: after.gap_violations - violationsBefore,
          },
          fired: cs.fired,
          stored: cs.stored,
          missing: cs.missingTotal,
          missingByFate: { ...cs.missing },
          overwritten: cs.missing.overwritten,
          duplicated: cs.duplicated,
          latencyMs: latency,
          sentLatencyMs: sentLatency,
          unseen: run.unseen,
          mock,
          mockLatenessMs: run.report.lateness_ms,
          mockBehindAtEndMs: mock.behindAtEndMs,
          services: windows.map(({ cpuFractions: _f, ...w }) => w),
          harness,
          wallMs: Date.now() - t0Wall,
        };
        steps.push(step);
        log.info(
          `step ${rate} ev/s x ${stepS} s: ${outcome}${limits.length ? ` (${limits.map((l) => `${l.service} ${l.constraint}: ${l.detail}`).join('; ')})` : ''}; p99 ${Math.round(latency.p99)} ms; missing ${cs.missingTotal}/${cs.fired}; mock lateness p99 ${run.report.lateness_ms?.p99} ms, behind at the end ${mock.behindAtEndMs?.toFixed(1)} ms; stack-only p99 ${sentLatency ? Math.round(sentLatency.p99) : '?'} ms; throttled ${windows.map((w) => `${w.service} ${w.throttledFraction === null ? '-' : `${Math.round(w.throttledFraction * 100)}%`}`).join(', ')}`,
        );
        return { outcome };
      },
    );
    const failing =
      search.lowestFailing === null
        ? undefined
        : steps.find(
            (s) => s.rate === search.lowestFailing && (s.outcome === 'fail' || s.outcome === 'down'),
          );
    const first = failing?.limits[0];
    const harnessStep =
      search.harnessLimitedAt === null
        ? undefined
        : steps.find((s) => s.rate === search.harnessLimitedAt && s.outcome === 'harness');
    const costPoints: CostPoint[] = steps
      .filter((s) => s.outcome !== 'harness' && s.outcome !== 'down')
      .map((s) => ({ rate: s.rate, services: s.services }));
    const base = {
      maxSustainableRate: search.maxSustainable,
      peakRate: burstPerSec,
      headroomFactor: search.maxSustainable / burstPerSec,
      limit: first && failing ? { ...first, rate: failing.rate, also: failing.limits.slice(1) } : null,
      harnessLimitedAt: search.harnessLimitedAt,
      harnessLimit: harnessStep ? harnessStep.limits.filter((l) => l.constraint === 'harness') : null,
      end: search.end,
    };
    const result: CapacityResult = {
      schema: CAPACITY_SCHEMA,
      seed: cfg.seed,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      stack: { target: stack.target, profile: activeProfile().name },
      options: {
        startRate,
        maxRate,
        stepS,
        budgetS,
        minGapMs,
        sloMs,
        resolution: 0.1,
        harnessLimits: HARNESS_LIMITS,
      },
      ...base,
      summary: summaryLine(base),
      resourceEvidence,
      steps,
      costCurve: costCurve(costPoints),
    };
    writeCapacityJson(result);
    return result;
  } finally {
    proc.stop();
    await sampler?.stop();
  }
}

/** ", working set peaked at X MiB of Y MiB" for `service` in `windows`, or ''. */
function memoryPeak(windows: ServiceWindow[], service: string): string {
  const w = windows.find((x) => x.service === service);
  if (!w || w.peakWorkingSetBytes === 0) return '';
  return `, working set peaked at ${(w.peakWorkingSetBytes / 1048576).toFixed(1)} MiB${w.memLimitBytes ? ` of its ${(w.memLimitBytes / 1048576).toFixed(0)} MiB limit` : ''}`;
}

/** A step that ended with a service down: no custody or latency figures, only the resources. */
function downStep(
  rate: number,
  durationS: number,
  limits: Limit[],
  windows: ServiceWindow[],
  harness: ProcessCost[],
  wallMs: number,
): CapacityStep {
  const none = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    rate,
    durationS,
    outcome: 'down',
    limits,
    home: { entities: 0, minGapMs: 0, gapViolations: 0 },
    fired: 0,
    stored: 0,
    missing: 0,
    missingByFate: {},
    overwritten: 0,
    duplicated: 0,
    latencyMs: none,
    sentLatencyMs: null,
    unseen: 0,
    mock: { achievedRate: null, rateError: null, latenessP99Ms: null, behindAtEndMs: null },
    mockLatenessMs: null,
    mockBehindAtEndMs: null,
    services: windows.map(({ cpuFractions: _f, ...w }) => w),
    harness,
    wallMs,
  };
}

/**
 * Median (sent - intended) of the last 5% of `ledger` by intended time (at least one event), ms;
 * null when the ledger has no send times.
 */
export function behindAtEnd(ledger: readonly { intendedMs: number; sentMs?: number }[]): number | null {
  const timed = ledger
    .filter((e): e is { intendedMs: number; sentMs: number } => e.sentMs !== undefined)
    .sort((a, b) => a.intendedMs - b.intendedMs);
  if (timed.length === 0) return null;
  const tail = timed.slice(-Math.max(1, Math.ceil(timed.length * 0.05))).map((e) => e.sentMs - e.intendedMs);
  tail.sort((a, b) => a - b);
  return tail[Math.floor((tail.length - 1) / 2)] as number;
}

/** Writes `reports/capacity.json` (HOMEIQ_REPORTS_DIR respected). Returns its path. */
export function writeCapacityJson(result: CapacityResult): string {
  const dir = reportsDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'capacity.json');
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
