import { describe, expect, it } from 'vitest';
import { burstProgress, formatBurst, progressLine } from './progress.ts';

const recorder = () => {
  const lines: string[] = [];
  let t = 0;
  return { lines, write: (l: string) => lines.push(l), now: () => t, tick: (ms: number) => (t += ms) };
};

describe('progressLine', () => {
  it('prints one line per change of state, none for a repeated state', () => {
    const r = recorder();
    const p = progressLine('x', r);
    for (const s of ['a', 'a', 'b', 'b', 'b', 'a']) p.update(s);
    p.done('finished');
    p.update('late');
    expect(r.lines).toEqual(['a', 'b', 'a', 'finished']);
  });

  it('with minIntervalMs prints at most that often, and the latest state at done()', () => {
    const r = recorder();
    const p = progressLine('x', { ...r, minIntervalMs: 1_000 });
    p.update('1');
    r.tick(400);
    p.update('2');
    r.tick(700);
    p.update('3');
    r.tick(100);
    p.update('4');
    p.done();
    expect(r.lines).toEqual(['1', '3', '4']);
  });

  it('never writes spinner or terminal control characters', () => {
    const r = recorder();
    const b = burstProgress('burst 500 ev/s', { ...r, minIntervalMs: 0 });
    b.update({ fired: 0, planned: 5_000 });
    b.update({ fired: 2_500, planned: 5_000, stored: 2_310 });
    b.done({ fired: 5_000, planned: 5_000, stored: 5_000 }, 'burst 500 ev/s: all 5,000 stored');
    expect(r.lines).toEqual([
      'burst 500 ev/s: fired 0 of 5,000 (0%)',
      'burst 500 ev/s: fired 2,500 of 5,000 (50%), stored 2,310',
      'burst 500 ev/s: fired 5,000 of 5,000 (100%), stored 5,000',
      'burst 500 ev/s: all 5,000 stored',
    ]);
    for (const l of r.lines) {
      for (const ch of ['\r', '\u001b', '\b', '\n']) expect(l.includes(ch)).toBe(false);
    }
  });

  it('formats open-ended bursts', () => {
    expect(formatBurst({ fired: 12_345 })).toBe('fired 12,345');
  });
});
