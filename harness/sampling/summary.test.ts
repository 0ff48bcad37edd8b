import { describe, expect, it } from 'vitest';
import { SamplingError } from './errors.ts';
import { type MemorySample, MiB, parseMemorySample } from './memory-sample.ts';
import {
  assertMemoryWithinLimits,
  assertSampledOftenEnough,
  assertTotalMemoryWithin,
  findMemoryBreaches,
  type MemoryReport,
  peakTotalWorkingSet,
  phaseAt,
  summariseService,
} from './summary.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const sample = (sec: number, ws: number): MemorySample => ({
  t: T0 + sec * 1000,
  usageBytes: ws,
  inactiveFileBytes: 0,
  workingSetBytes: ws,
  engineLimitBytes: 256 * MiB,
  source: 'engine',
});

describe('parseMemorySample', () => {
  it('subtracts inactive file cache (cgroup v1 total_inactive_file)', () => {
    const s = parseMemorySample({
      read: '2026-01-01T12:00:00.5Z',
      memory_stats: {
        usage: 100 * MiB,
        max_usage: 120 * MiB,
        limit: 256 * MiB,
        stats: { total_inactive_file: 30 * MiB },
      },
    });
    expect(s).toEqual({
      t: T0 + 500,
      usageBytes: 100 * MiB,
      inactiveFileBytes: 30 * MiB,
      workingSetBytes: 70 * MiB,
      engineLimitBytes: 256 * MiB,
      kernelMaxUsageBytes: 120 * MiB,
      source: 'engine',
    });
  });

  it('uses inactive_file on cgroup v2', () => {
    const s = parseMemorySample({
      read: '2026-01-01T12:00:00Z',
      memory_stats: { usage: 10, limit: 20, stats: { inactive_file: 4 } },
    });
    expect(s?.workingSetBytes).toBe(6);
  });

  it('ignores readings of a stopped container', () => {
    expect(parseMemorySample({ read: '0001-01-01T00:00:00Z', memory_stats: {} })).toBeUndefined();
  });
});

describe('summariseService and limit checks', () => {
  const marks = [
    { label: 'idle', t: T0 },
    { label: 'load', t: T0 + 3000 },
  ];
  const report = (samples: MemorySample[], oomKilled = false): MemoryReport => ({
    startedAt: T0,
    stoppedAt: T0 + 5500,
    intervalMs: 1000,
    marks,
    services: {
      ingestion: summariseService({
        service: 'ingestion',
        containerId: 'abc',
        limitBytes: 256 * MiB,
        samples,
        marks,
        startedAt: T0,
        stoppedAt: T0 + 5500,
        oomKilled,
      }),
    },
  });

  it('finds the peak, its phase, the sample count and the largest gap', () => {
    const r = report([
      sample(0.5, 10 * MiB),
      sample(1.5, 20 * MiB),
      sample(4, 240 * MiB),
      sample(5, 30 * MiB),
    ]).services.ingestion;
    expect(r).toMatchObject({
      peakWorkingSetBytes: 240 * MiB,
      peakPhase: 'load',
      sampleCount: 4,
      maxGapMs: 2500,
      meanIntervalMs: 1500,
    });
    expect(phaseAt(marks, T0 - 1)).toBeNull();
  });

  it('reports a breach naming service, limit and measured peak', () => {
    const r = report([sample(1, 10 * MiB), sample(4, 240 * MiB)]);
    expect(findMemoryBreaches(r)).toHaveLength(1);
    expect(() => assertMemoryWithinLimits(r)).toThrow(
      "ingestion: working set peaked at 240.0 MiB (94% of the 256.0 MiB limit; allowed up to 230.4 MiB) during phase 'load' at 2026-01-01T12:00:04.000Z (2 samples, max gap 3000 ms)",
    );
    expect(() => assertMemoryWithinLimits(r, { maxFractionOfLimit: 0.95 })).not.toThrow();
    expect(() => assertMemoryWithinLimits(r, { budgetsBytes: { ingestion: 200 * MiB } })).toThrow(
      /of the 200.0 MiB budget/,
    );
  });

  it('reports an OOM kill as a breach', () => {
    const err = (() => {
      try {
        assertMemoryWithinLimits(report([sample(1, 10 * MiB)], true));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SamplingError);
    expect((err as SamplingError).code).toBe('MEMORY_LIMIT_BREACH');
    expect((err as Error).message).toMatch(/^ingestion: OOM-killed by the kernel \(limit 256.0 MiB/);
  });

  it('flags sampling sparser than once a second', () => {
    const sparse = report([sample(0.5, 1), sample(1.5, 1), sample(4, 1), sample(5, 1)]);
    expect(() => assertSampledOftenEnough(sparse)).toThrow(
      'ingestion: max gap between memory samples 2500 ms, expected <= 1000 ms (4 samples)',
    );
    const dense = report([0.5, 1.4, 2.3, 3.2, 4.1, 5.0].map((s) => sample(s, 1)));
    expect(() => assertSampledOftenEnough(dense)).not.toThrow();
  });
});

describe('peakTotalWorkingSet', () => {
  it("sums each service's latest working set at every sample instant", () => {
    const mk = (service: string, samples: MemorySample[]) =>
      summariseService({
        service,
        containerId: service,
        limitBytes: null,
        samples,
        marks: [],
        startedAt: T0,
        stoppedAt: T0 + 5000,
        oomKilled: false,
      });
    const r: MemoryReport = {
      startedAt: T0,
      stoppedAt: T0 + 5000,
      intervalMs: 1000,
      marks: [{ label: 'load', t: T0 + 1500 }],
      services: {
        a: mk('a', [sample(1, 100 * MiB), sample(2, 300 * MiB), sample(3, 100 * MiB)]),
        b: mk('b', [sample(1.5, 50 * MiB), sample(2.5, 80 * MiB), sample(3.5, 10 * MiB)]),
      },
    };
    expect(peakTotalWorkingSet(r)).toEqual({ bytes: 380 * MiB, at: T0 + 2500, phase: 'load' });
    expect(() => assertTotalMemoryWithin(r, 400 * MiB)).not.toThrow();
    expect(() => assertTotalMemoryWithin(r, 256 * MiB, 'test stack')).toThrow(
      "test stack: summed working set of 2 services peaked at 380.0 MiB, expected <= 256.0 MiB (phase 'load' at 2026-01-01T12:00:02.500Z)",
    );
  });
});
