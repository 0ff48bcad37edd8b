import { describe, expect, it } from 'vitest';
import { formatLatency, latencyStats, percentile } from './latency.ts';

describe('latency stats', () => {
  it('uses nearest-rank percentiles', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(formatLatency(latencyStats([30, 10, 20]))).toBe('n=3 p50=20ms p95=30ms p99=30ms max=30ms');
  });
  it('is NaN without samples rather than a reassuring zero', () => {
    expect(Number.isNaN(latencyStats([]).p99)).toBe(true);
  });
});
