/** Linear scales and "nice" tick values for the SVG charts (pure). */

export interface Scale {
  (v: number): number;
  domain: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = domain;
  return f;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm >= 5 ? 10 : norm >= 2 ? 5 : norm >= 1 ? 2 : 1) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** Domain extended to round numbers so the plot has headroom. */
export function niceDomain(min: number, max: number): [number, number] {
  if (min === max) return [min - 1, max + 1];
  const ticks = niceTicks(min, max, 5);
  const step = ticks.length > 1 ? (ticks[1] ?? 0) - (ticks[0] ?? 0) : Math.abs(max - min);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** Keep at most `max` points: per bucket the first, min and max points (keeps spikes visible). */
export function downsample(points: readonly [number, number][], max = 400): [number, number][] {
  if (points.length <= max) return [...points];
  const bucket = Math.ceil(points.length / Math.floor(max / 3));
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += bucket) {
    const slice = points.slice(i, i + bucket);
    let lo = slice[0];
    let hi = slice[0];
    for (const p of slice) {
      if (lo && p[1] < lo[1]) lo = p;
      if (hi && p[1] > hi[1]) hi = p;
    }
    const picked = [slice[0], lo, hi].filter((p): p is [number, number] => p !== undefined);
    for (const p of [...new Set(picked)].sort((a, b) => a[0] - b[0])) out.push(p);
  }
  return out;
}
