import { describe, expect, it } from 'vitest';
import { MockHaError } from '../errors.ts';
import { burstSegments, ramp, replay, segments, validateScenario } from './schedule.ts';
import { loadTrace, parseTrace } from './trace.ts';

const offsets = (it: Iterable<{ offsetMs: number }>) => [...it].map((d) => d.offsetMs);

describe('open-model schedules', () => {
  it('steady: event i at i/rate, rate x duration events', () => {
    const o = offsets(segments([{ rate: 500, durationS: 10 }]));
    expect(o).toHaveLength(5000);
    expect(o[1]).toBe(2);
    expect(o[4999]).toBeCloseTo(9998, 6);
  });

  it('burst: 50 ev/s baseline with 10 s bursts at 500 ev/s', () => {
    const segs = burstSegments({
      kind: 'burst',
      baseRate: 50,
      burstRate: 500,
      burstS: 10,
      periodS: 30,
      durationS: 60,
    });
    expect(segs).toEqual([
      { rate: 50, durationS: 20 },
      { rate: 500, durationS: 10 },
      { rate: 50, durationS: 20 },
      { rate: 500, durationS: 10 },
    ]);
    expect(offsets(segments(segs))).toHaveLength(2 * (1000 + 5000));
  });

  it('ramp: the rate grows linearly, (r0 + r1) / 2 x D events', () => {
    const o = offsets(ramp(100, 1000, 10));
    expect(o.length).toBeGreaterThanOrEqual(5499);
    expect(o.length).toBeLessThanOrEqual(5501);
    const inFirst = o.filter((t) => t < 1000).length;
    const inLast = o.filter((t) => t >= 9000).length;
    expect(inFirst).toBeGreaterThan(140);
    expect(inFirst).toBeLessThan(160);
    expect(inLast).toBeGreaterThan(940);
    expect(inLast).toBeLessThan(960);
  });

  it('replay: original offsets divided by the speed', () => {
    const trace = parseTrace(
      '{"t":0,"entity_id":"sensor.a","state":"1"}\n{"t":1000,"entity_id":"sensor.a","state":"2"}\n',
    );
    expect(offsets(replay(trace, 1, false))).toEqual([0, 1000]);
    expect(offsets(replay(trace, 4, false))).toEqual([0, 250]);
  });

  it('refuses bad scenarios and traces with a message naming the problem', () => {
    expect(() => validateScenario({ kind: 'steady', rate: 0, durationS: 1 })).toThrow(
      '"rate" must be a number in (0, 100000] ev/s, got 0',
    );
    expect(() => validateScenario({ kind: 'nope' } as never)).toThrow(MockHaError);
    expect(() =>
      parseTrace(
        '{"t":5,"entity_id":"sensor.a","state":"1"}\n{"t":1,"entity_id":"sensor.a","state":"1"}',
        'x',
      ),
    ).toThrow(/x:2: expected "t" >= 5/);
    expect(() => parseTrace('{"t":0,"entity_id":"Bad","state":"1"}')).toThrow(/valid "entity_id"/);
  });

  it('ships a valid trace in fixtures/traces', () => {
    const trace = loadTrace('small-home-60s');
    expect(trace.length).toBeGreaterThan(100);
    expect(trace[trace.length - 1]?.t).toBeLessThanOrEqual(60_000);
  });

  it('names every unknown scenario field, echoes values short and escaped, and refuses a null trace entry without a TypeError', () => {
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(MockHaError);
        return (err as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(message(() => validateScenario({ kind: 'steady', rate: 1, durationS: 1, a: 1, b: 2 }))).toBe(
      'mock-ha: unknown fields "a", "b" for kind steady (allowed: kind, rate, durationS)',
    );
    const rate = message(() =>
      validateScenario({ kind: 'steady', rate: `\u202e${'9'.repeat(100_000)}`, durationS: 1 }),
    );
    expect(rate).toMatch(/got "\\u202e9{78}\.\.\. \(100003 chars\)$/);
    expect(message(() => validateScenario({ kind: 'steady', durationS: 1 }))).toMatch(/got absent$/);
    for (const line of ['null', '[1]', '5'])
      expect(message(() => parseTrace(line, 'inline trace'))).toBe(
        `mock-ha: inline trace:1: expected a JSON object per line, got ${line}`,
      );
  });
});
