import { describe, expect, it } from 'vitest';
import { summariseWindow } from '../sampling/resources.ts';
import type { CustodySummary } from '../verify/custody.ts';
import { costCurve, fitLine } from './fit.ts';
import { judgeStep, type StepInput } from './judge.ts';
import { behindAtEnd } from './run.ts';
import { roundRate, searchCapacity } from './search.ts';

/** A fake stack that sustains up to `limit` ev/s; each step takes `stepMs` of a fake clock. */
function fake(limit: number, opts: { stepMs?: number; harnessAt?: number; downAt?: number } = {}) {
  let t = 0;
  return {
    now: () => t,
    step: async (rate: number) => {
      t += opts.stepMs ?? 20_000;
      if (opts.harnessAt !== undefined && rate >= opts.harnessAt) return { outcome: 'harness' as const };
      if (opts.downAt !== undefined && rate >= opts.downAt) return { outcome: 'down' as const };
      return { outcome: rate <= limit ? ('pass' as const) : ('fail' as const) };
    },
  };
}

describe('capacity search (step up x2, then bisect)', () => {
  it('finds the limit within 10% and is deterministic', async () => {
    const a = fake(1_830);
    const r = await searchCapacity(
      { startRate: 250, maxRate: 32_000, budgetMs: 600_000, firstStepEstimateMs: 20_000, now: a.now },
      a.step,
    );
    expect(r.steps.map((s) => s.rate).slice(0, 5)).toEqual([250, 500, 1000, 2000, 1500]);
    expect(r.maxSustainable).toBeLessThanOrEqual(1_830);
    expect((r.lowestFailing ?? 0) - r.maxSustainable).toBeLessThanOrEqual(0.1 * (r.lowestFailing ?? 0));
    expect(r.end).toBe('bisected');
    const b = fake(1_830);
    const r2 = await searchCapacity(
      { startRate: 250, maxRate: 32_000, budgetMs: 600_000, firstStepEstimateMs: 20_000, now: b.now },
      b.step,
    );
    expect(r2.steps.map((s) => s.rate)).toEqual(r.steps.map((s) => s.rate));
  });

  it('is bounded: starts no step that would end after the budget', async () => {
    const a = fake(1e9, { stepMs: 60_000 });
    const r = await searchCapacity(
      { startRate: 250, maxRate: 1e6, budgetMs: 300_000, firstStepEstimateMs: 30_000, now: a.now },
      a.step,
    );
    expect(r.end).toBe('budget');
    expect(a.now()).toBeLessThanOrEqual(300_000);
  });

  it('stops at once when the harness saturates, naming the rate', async () => {
    const a = fake(1e9, { harnessAt: 4_000 });
    const r = await searchCapacity(
      { startRate: 250, maxRate: 1e6, budgetMs: 1e9, firstStepEstimateMs: 1, now: a.now },
      a.step,
    );
    expect(r.end).toBe('harness-limited');
    expect(r.harnessLimitedAt).toBe(4_000);
    expect(r.maxSustainable).toBe(2_000);
  });

  it('ends when a service goes down (the stack is recovering: later steps would measure that), naming the rate', async () => {
    const a = fake(1e9, { downAt: 4_000 });
    const r = await searchCapacity(
      { startRate: 250, maxRate: 1e6, budgetMs: 1e9, firstStepEstimateMs: 1, now: a.now },
      a.step,
    );
    expect(r.end).toBe('service-down');
    expect(r.lowestFailing).toBe(4_000);
    expect(r.maxSustainable).toBe(2_000);
  });

  it('bisects below the first step when even that fails', async () => {
    const a = fake(90);
    const r = await searchCapacity(
      { startRate: 250, maxRate: 1e6, budgetMs: 1e9, firstStepEstimateMs: 1, now: a.now },
      a.step,
    );
    expect(r.maxSustainable).toBeGreaterThan(0);
    expect(r.maxSustainable).toBeLessThanOrEqual(90);
  });

  it('rounds rates to 2 significant digits', () => {
    expect(roundRate(1_750)).toBe(1_800);
    expect(roundRate(63)).toBe(63);
  });
});

const custody = (fired: number, missing = 0): CustodySummary => ({
  fired,
  delivered: fired,
  droppedByMock: 0,
  stored: fired - missing,
  duplicated: 0,
  alsoElsewhere: 0,
  missing: {
    'never-delivered': 0,
    'dropped-by-mock': 0,
    'delivered-not-stored': missing,
    overwritten: 0,
    'stored-elsewhere': 0,
  },
  missingTotal: missing,
  connections: [],
});

const win = (service: string, over: Partial<ReturnType<typeof summariseWindow>> = {}) => ({
  service,
  cpuLimitCores: 0.5,
  cpuLimitFrom: 'nanoCPUs' as const,
  memLimitBytes: 256 * 1024 * 1024,
  cpuSeconds: 1,
  meanCores: 0.1,
  cpuFractions: [0.2, 0.2, 0.2],
  cpuPinned: false,
  peakWorkingSetBytes: 100 * 1024 * 1024,
  peakMemFraction: 100 / 256,
  throttledFraction: 0,
  throttledSeconds: 0,
  samples: 10,
  ...over,
});

const step = (over: Partial<StepInput> = {}): StepInput => ({
  rate: 1000,
  durationS: 10,
  sloMs: 5000,
  ingestion: 'ingest',
  mockHa: 'mock',
  custody: custody(10_000),
  custodyLine: 'fired 10000 ...',
  latency: { count: 10_000, p50: 400, p95: 900, p99: 1200, max: 2000 },
  sentLatency: { count: 10_000, p50: 399, p95: 899, p99: 1199, max: 1999 },
  unseen: 0,
  mock: { achievedRate: 1000, rateError: 0, latenessP99Ms: 1, behindAtEndMs: 0.5 },
  services: [win('ingest'), win('influxdb'), win('mock')],
  harness: [
    {
      pid: process.pid,
      label: 'test process',
      peakRssBytes: 1e8,
      startRssBytes: 1e8 * 0.9,
      cpuSeconds: 1,
      coreFraction: 0.1,
      peakCoreFraction: 0.2,
      wallSeconds: 10,
    },
  ],
  ...over,
});

describe('capacity step judge (stop conditions)', () => {
  it('passes a clean step', () => expect(judgeStep(step())).toEqual([]));

  it('names loss with its chain-of-custody cause', () => {
    const l = judgeStep(step({ custody: custody(10_000, 7), custodyLine: 'delivered and not stored 7' }));
    expect(l[0]).toMatchObject({ constraint: 'loss', service: 'ingest' });
    expect(l[0]?.detail).toContain('7 of 10000');
    expect(l[0]?.detail).toContain('delivered and not stored 7');
  });

  it('names latency over the SLO', () => {
    const slow = { count: 10, p50: 1, p95: 1, p99: 6000, max: 7000 };
    const l = judgeStep(step({ latency: slow, sentLatency: slow }));
    expect(l[0]).toMatchObject({ constraint: 'latency', service: 'ingest' });
    // No send times in the ledger: judged on the end-to-end latency alone.
    expect(judgeStep(step({ latency: slow, sentLatency: null }))[0]?.constraint).toBe('latency');
  });

  it("blames the harness, not the stack, when only the mock's lateness put the p99 over the SLO", () => {
    const l = judgeStep(
      step({
        latency: { count: 10, p50: 1, p95: 1, p99: 5600, max: 7000 },
        sentLatency: { count: 10, p50: 1, p95: 1, p99: 4700, max: 5000 },
        mock: { achievedRate: 1000, rateError: 0, latenessP99Ms: 900, behindAtEndMs: 2 },
      }),
    );
    expect(l.map((x) => `${x.service} ${x.constraint}`)).toEqual(['mock harness']);
    expect(l[0]?.detail).toContain('the stack took p99 4700 ms, within the SLO');
  });

  it('names the service over 90% of its memory limit and the one pinned at its CPU limit', () => {
    const l = judgeStep(
      step({
        services: [
          win('ingest', { peakMemFraction: 0.95, peakWorkingSetBytes: 243 * 1024 * 1024 }),
          win('influxdb', { cpuPinned: true, cpuFractions: [0.99, 1, 0.98] }),
          win('mock'),
        ],
      }),
    );
    expect(l.map((x) => `${x.service} ${x.constraint}`)).toEqual(['ingest memory', 'influxdb cpu']);
  });

  it('says harness-limited when the mock falls behind or the test process saturates, before blaming the stack', () => {
    const short = judgeStep(
      step({ mock: { achievedRate: 900, rateError: -0.1, latenessP99Ms: 250, behindAtEndMs: 3 } }),
    );
    expect(short[0]).toMatchObject({ constraint: 'harness', service: 'mock' });
    // Still 1.2 s behind at the end of a 10 s step (> 5%): it could not keep the rate.
    const behind = judgeStep(
      step({ mock: { achievedRate: 960, rateError: -0.04, latenessP99Ms: 1300, behindAtEndMs: 1200 } }),
    );
    expect(behind.map((x) => `${x.service} ${x.constraint}`)).toEqual(['mock harness']);
    expect(behind[0]?.detail).toContain('1200 ms behind its schedule at the end of the step (> 500 ms');
    const busy = judgeStep(
      step({ harness: [{ ...step().harness[0], coreFraction: 0.97 } as StepInput['harness'][number]] }),
    );
    expect(busy[0]?.constraint).toBe('harness');
  });

  it("a stall the mock caught up (lateness p99 1,126 ms, 30 ms behind at the end, on rate) is not the harness's limit", () => {
    // The reference stack's clean 2,000 ev/s step (mock at 0.15 of its 0.5 cores, throttled 1%).
    const stall = judgeStep(
      step({ mock: { achievedRate: 1979, rateError: -0.0105, latenessP99Ms: 1125.5, behindAtEndMs: 30 } }),
    );
    expect(stall).toEqual([]);
  });
});

describe('resource window and cost curve', () => {
  it('sums CPU between the readings that bracket the window and sees a pinned CPU', () => {
    const samples = [0, 1, 2, 3, 4, 5].map((i) => ({
      t: 1000 * i,
      cpuNs: i * 0.5e9,
      workingSetBytes: (100 + i) * 1024 * 1024,
    }));
    const r = {
      service: 's',
      cpuLimitCores: 0.5,
      cpuLimitFrom: 'nanoCPUs' as const,
      memLimitBytes: 200 * 1024 * 1024,
    };
    const w = summariseWindow(r, samples, 1000, 4000);
    expect(w.cpuSeconds).toBeCloseTo(1.5);
    expect(w.meanCores).toBeCloseTo(0.5);
    expect(w.cpuPinned).toBe(true);
    expect(w.peakWorkingSetBytes).toBe(104 * 1024 * 1024);
    expect(w.throttledFraction).toBeNull();
  });

  it("takes the CFS throttling of the window from the readings that bracket it (Docker's throttling_data)", () => {
    // 10 periods per reading; from the 2nd reading on, 4 of them throttled, 20 ms each.
    const samples = [0, 1, 2, 3].map((i) => ({
      t: 1000 * i,
      cpuNs: i * 0.1e9,
      workingSetBytes: 1,
      periods: 10 * i,
      throttledPeriods: i === 0 ? 0 : 4 * (i - 1),
      throttledNs: i === 0 ? 0 : 80e6 * (i - 1),
    }));
    const r = { service: 's', cpuLimitCores: 0.5, cpuLimitFrom: 'nanoCPUs' as const, memLimitBytes: null };
    const w = summariseWindow(r, samples, 1000, 3000);
    expect(w.throttledFraction).toBeCloseTo(0.4);
    expect(w.throttledSeconds).toBeCloseTo(0.16);
    expect(summariseWindow(r, samples, 0, 1000).throttledFraction).toBe(0);
  });

  it('sees a CPU pinned at its limit from the mean and the CFS throttling when one reading dips (jitter)', () => {
    // 0.05 cores: readings at 100%, 80%, 100%, 100% of the limit; throttled in 99% of the periods.
    const use = [0, 0.05, 0.09, 0.14, 0.19];
    const samples = use.map((cpu, i) => ({
      t: 1000 * i,
      cpuNs: cpu * 1e9,
      workingSetBytes: 1,
      periods: 10 * i,
      throttledPeriods: Math.round(9.9 * i),
      throttledNs: 0,
    }));
    const r = { service: 's', cpuLimitCores: 0.05, cpuLimitFrom: 'nanoCPUs' as const, memLimitBytes: null };
    const w = summariseWindow(r, samples, 0, 4000);
    expect(w.cpuFractions.some((f) => f < 0.9)).toBe(true);
    expect(w.cpuPinned).toBe(true);
    // The same usage without throttling (no kernel-enforced limit) is not pinned on the mean alone.
    const free = samples.map(({ t, cpuNs, workingSetBytes }) => ({ t, cpuNs, workingSetBytes }));
    expect(summariseWindow(r, free, 0, 4000).cpuPinned).toBe(false);
  });

  it('fits a line per service, reported per 100 ev/s', () => {
    expect(
      fitLine([
        [0, 1],
        [100, 3],
        [200, 5],
      ]),
    ).toMatchObject({ base: 1, slope: 0.02, r2: 1 });
    const c = costCurve(
      [250, 500, 1000].map((rate) => ({
        rate,
        services: [
          {
            service: 'ingest',
            meanCores: 0.01 + rate * 0.0002,
            peakWorkingSetBytes: (40 + rate / 100) * 1048576,
          },
        ],
      })),
    );
    expect(c[0]?.cpuCoresPer100).toBeCloseTo(0.02);
    expect(c[0]?.memMiBPer100).toBeCloseTo(1);
  });
});

describe("the mock's lateness at the end of a step", () => {
  it('is the median of the last 5% by intended time: growing for a mock that falls behind, ~0 after a stall', () => {
    const behind = Array.from({ length: 100 }, (_, i) => ({ intendedMs: i * 10, sentMs: i * 10 + i * 2 }));
    expect(behindAtEnd(behind)).toBe(194);
    const stall = Array.from({ length: 100 }, (_, i) => ({
      intendedMs: i * 10,
      sentMs: i * 10 + (i >= 40 && i < 50 ? 300 : 1),
    }));
    expect(behindAtEnd(stall)).toBe(1);
    expect(behindAtEnd([{ intendedMs: 1 }])).toBeNull();
  });
});
