/** Latency statistics (nearest-rank percentiles) for end-to-end measurements. */
export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.length ? (s[s.length - 1] as number) : Number.NaN,
  };
}

export function formatLatency(l: LatencyStats): string {
  const f = (n: number) => `${Math.round(n)}ms`;
  return `n=${l.count} p50=${f(l.p50)} p95=${f(l.p95)} p99=${f(l.p99)} max=${f(l.max)}`;
}
