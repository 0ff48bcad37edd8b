/**
 * Steady, seeded write load: `rate` points/s for `seconds`, one batch every 100 ms (like a
 * batching writer). Pacing uses absolute deadlines so slow writes do not accumulate drift.
 */
import type { InfluxConnection } from './connection.ts';
import type { OrgBucket } from './layout.ts';
import { sampleEventPoints } from './sample-events.ts';
import { writePoints } from './writes.ts';

export interface LoadResult {
  targetRate: number;
  achievedRate: number;
  points: number;
  seconds: number;
  seed: number;
  writeMsP50: number;
  writeMsMax: number;
}

export async function runWriteLoad(
  conn: InfluxConnection,
  target: OrgBucket,
  o: { rate: number; seconds: number; seed: number; onProgress?: (written: number) => void },
): Promise<LoadResult> {
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((o.rate * tickMs) / 1000));
  const ticks = Math.round((o.seconds * 1000) / tickMs);
  const { points } = sampleEventPoints({
    seed: o.seed,
    count: perTick * ticks,
    startMs: Date.now(),
    entities: 200,
  });
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    const wait = t0 + i * tickMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const w0 = performance.now();
    await writePoints(conn, target, points.slice(i * perTick, (i + 1) * perTick));
    latencies.push(performance.now() - w0);
    if (i > 0 && i % 100 === 0) o.onProgress?.(i * perTick);
  }
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    targetRate: perTick * (1000 / tickMs),
    achievedRate: Math.round(points.length / elapsed),
    points: points.length,
    seconds: Number(elapsed.toFixed(1)),
    seed: o.seed,
    writeMsP50: Number((latencies[Math.floor(latencies.length / 2)] ?? 0).toFixed(1)),
    writeMsMax: Number((latencies.at(-1) ?? 0).toFixed(1)),
  };
}
