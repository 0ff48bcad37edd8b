/**
 * The cost curve: per service, CPU and working set as a straight line in the event rate, fitted by
 * least squares over the capacity steps: y = base + slope x rate. Reported per 100 ev/s:
 * CPU seconds per second (cores) and MiB of working set that each extra 100 ev/s costs.
 * Pure.
 */

export interface LineFit {
  /** y at rate 0. */
  base: number;
  /** dy per 1 ev/s. */
  slope: number;
  /** Coefficient of determination (1: a perfect line; NaN with < 3 points or flat data). */
  r2: number;
  points: number;
}

export function fitLine(points: readonly [number, number][]): LineFit {
  const n = points.length;
  if (n === 0) return { base: Number.NaN, slope: Number.NaN, r2: Number.NaN, points: 0 };
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  if (sxx === 0) return { base: my, slope: Number.NaN, r2: Number.NaN, points: n };
  const slope = sxy / sxx;
  const base = my - slope * mx;
  const r2 = n >= 3 && syy > 0 ? (sxy * sxy) / (sxx * syy) : Number.NaN;
  return { base, slope, r2, points: n };
}

export interface ServiceCost {
  service: string;
  /** CPU seconds per second (cores) per 100 ev/s, and at rate 0. */
  cpuCoresPer100: number;
  cpuCoresBase: number;
  cpuR2: number;
  /** Working set MiB per 100 ev/s, and at rate 0. */
  memMiBPer100: number;
  memMiBBase: number;
  memR2: number;
  points: number;
}

export interface CostPoint {
  rate: number;
  services: { service: string; meanCores: number; peakWorkingSetBytes: number }[];
}

/** Fits every service's CPU and memory over the steps (each step one point per service). */
export function costCurve(steps: readonly CostPoint[]): ServiceCost[] {
  const names = [...new Set(steps.flatMap((s) => s.services.map((x) => x.service)))].sort();
  return names.map((service) => {
    const cpu: [number, number][] = [];
    const mem: [number, number][] = [];
    for (const s of steps) {
      const w = s.services.find((x) => x.service === service);
      if (!w) continue;
      cpu.push([s.rate, w.meanCores]);
      mem.push([s.rate, w.peakWorkingSetBytes / 1024 / 1024]);
    }
    const c = fitLine(cpu);
    const m = fitLine(mem);
    return {
      service,
      cpuCoresPer100: c.slope * 100,
      cpuCoresBase: c.base,
      cpuR2: c.r2,
      memMiBPer100: m.slope * 100,
      memMiBBase: m.base,
      memR2: m.r2,
      points: c.points,
    };
  });
}
