/**
 * Seeded ingestion-shaped points (CONTRACTS.md section 2) for checks and load: the same seed
 * always gives the same points, so expected counts are known exactly.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { EVENTS_MEASUREMENT } from './layout.ts';
import type { PointInput } from './writes.ts';

export interface SampleOptions {
  seed: number;
  count: number;
  /** Epoch ms of the first point; points are 1 ms apart so none overwrite another. */
  startMs: number;
  entities?: number;
  /** Extra tag on every point, e.g. a run id to keep runs apart. */
  runTag?: Record<string, string>;
}

/** The context_id of the i-th sample point of a seed (lets a checker list every id it expects). */
export const sampleContextId = (seed: number, i: number): string =>
  `ctx-${seed}-${i.toString().padStart(8, '0')}`;

const DOMAINS = ['light', 'sensor', 'switch', 'binary_sensor', 'climate'] as const;

export function sampleEventPoints(o: SampleOptions): {
  points: PointInput[];
  perEntity: Map<string, number>;
} {
  const rng = xoroshiro128plus(o.seed);
  const entities = o.entities ?? 12;
  const perEntity = new Map<string, number>();
  const points: PointInput[] = [];
  for (let i = 0; i < o.count; i++) {
    const e = uniformInt(rng, 0, entities - 1);
    const domain = DOMAINS[e % DOMAINS.length] ?? 'sensor';
    const entityId = `${domain}.seed${o.seed}_e${e}`;
    perEntity.set(entityId, (perEntity.get(entityId) ?? 0) + 1);
    points.push({
      measurement: EVENTS_MEASUREMENT,
      tags: { entity_id: entityId, domain, event_type: 'state_changed', ...o.runTag },
      fields: {
        state_value: String(uniformInt(rng, 0, 100)),
        context_id: sampleContextId(o.seed, i),
      },
      timeMs: o.startMs + i,
    });
  }
  return { points, perEntity };
}
