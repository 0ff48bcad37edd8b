import { describe, expect, it } from 'vitest';
import { sampleEventPoints } from './sample-events.ts';

describe('sampleEventPoints', () => {
  it('is deterministic per seed and its per-entity counts add up', () => {
    const a = sampleEventPoints({ seed: 7, count: 300, startMs: 0 });
    const b = sampleEventPoints({ seed: 7, count: 300, startMs: 0 });
    const c = sampleEventPoints({ seed: 8, count: 300, startMs: 0 });
    expect(a.points).toEqual(b.points);
    expect(c.points).not.toEqual(a.points);
    expect([...a.perEntity.values()].reduce((s, n) => s + n, 0)).toBe(300);
    expect(new Set(a.points.map((p) => p.fields.context_id)).size).toBe(300);
    expect(new Set(a.points.map((p) => p.timeMs)).size).toBe(300);
  });
});
