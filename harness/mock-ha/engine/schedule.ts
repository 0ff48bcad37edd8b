/**
 * Open-model schedules: the intended offset (ms from the run start) of every event, fixed in
 * advance and independent of how fast anyone consumes them.
 */
import { MockHaError } from '../errors.ts';
import type { TraceEntry } from './trace.ts';

export interface DueEvent {
  offsetMs: number;
  replay?: TraceEntry;
}

export type ScenarioSpec =
  | { kind: 'steady'; rate: number; durationS: number }
  | { kind: 'burst'; baseRate: number; burstRate: number; burstS: number; periodS: number; durationS: number }
  | { kind: 'ramp'; fromRate: number; toRate: number; durationS: number }
  | { kind: 'replay'; trace: string | TraceEntry[]; speed?: number; loop?: boolean };

export interface Segment {
  rate: number;
  durationS: number;
}

/** Events at start + k/rate for every k with the offset inside each segment. */
export function* segments(list: readonly Segment[]): Generator<DueEvent> {
  let start = 0;
  for (const seg of list) {
    const end = start + seg.durationS * 1000;
    if (seg.rate > 0) {
      const step = 1000 / seg.rate;
      for (let k = 0; ; k++) {
        const offsetMs = start + k * step;
        if (offsetMs >= end - 1e-9) break;
        yield { offsetMs };
      }
    }
    start = end;
  }
}

export function burstSegments(s: Extract<ScenarioSpec, { kind: 'burst' }>): Segment[] {
  const out: Segment[] = [];
  const base = s.periodS - s.burstS;
  for (let t = 0; t < s.durationS - 1e-9; t += s.periodS) {
    const left = s.durationS - t;
    if (base > 0) out.push({ rate: s.baseRate, durationS: Math.min(base, left) });
    if (left > base) out.push({ rate: s.burstRate, durationS: Math.min(s.burstS, left - base) });
  }
  return out;
}

/** Linear ramp: N(t) = r0 t + (r1 - r0) t^2 / (2D); event i is due where N(t) = i. */
export function* ramp(fromRate: number, toRate: number, durationS: number): Generator<DueEvent> {
  const a = (toRate - fromRate) / (2 * durationS);
  for (let i = 0; ; i++) {
    const t = a === 0 ? i / fromRate : (-fromRate + Math.sqrt(fromRate * fromRate + 4 * a * i)) / (2 * a);
    if (!Number.isFinite(t) || t >= durationS) return;
    yield { offsetMs: t * 1000 };
  }
}

export function* replay(entries: readonly TraceEntry[], speed: number, loop: boolean): Generator<DueEvent> {
  const span = (entries[entries.length - 1]?.t ?? 0) + 1000;
  for (let round = 0; ; round++) {
    for (const e of entries) yield { offsetMs: (round * span + e.t) / speed, replay: e };
    if (!loop) return;
  }
}

const positive = (name: string, v: unknown, allowZero = false) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new MockHaError(
      'invalid_scenario',
      `expected "${name}" to be a positive number, got ${JSON.stringify(v)}`,
    );
  }
};

export function validateScenario(spec: ScenarioSpec): void {
  switch (spec.kind) {
    case 'steady':
      positive('rate', spec.rate);
      positive('durationS', spec.durationS);
      return;
    case 'burst':
      positive('baseRate', spec.baseRate, true);
      positive('burstRate', spec.burstRate);
      positive('burstS', spec.burstS);
      positive('periodS', spec.periodS);
      positive('durationS', spec.durationS);
      if (spec.burstS > spec.periodS) {
        throw new MockHaError(
          'invalid_scenario',
          `"burstS" (${spec.burstS}) must not exceed "periodS" (${spec.periodS})`,
        );
      }
      return;
    case 'ramp':
      positive('fromRate', spec.fromRate, true);
      positive('toRate', spec.toRate, true);
      positive('durationS', spec.durationS);
      if (spec.fromRate === 0 && spec.toRate === 0)
        throw new MockHaError('invalid_scenario', 'a ramp needs a rate > 0');
      return;
    case 'replay':
      if (spec.speed !== undefined) positive('speed', spec.speed);
      return;
    default:
      throw new MockHaError(
        'invalid_scenario',
        `unknown scenario kind ${JSON.stringify((spec as { kind: unknown }).kind)} (steady|burst|ramp|replay)`,
      );
  }
}

export function scheduleFor(spec: ScenarioSpec, trace: readonly TraceEntry[] | null): Iterator<DueEvent> {
  switch (spec.kind) {
    case 'steady':
      return segments([{ rate: spec.rate, durationS: spec.durationS }]);
    case 'burst':
      return segments(burstSegments(spec));
    case 'ramp':
      return ramp(spec.fromRate, spec.toRate, spec.durationS);
    case 'replay':
      if (!trace) throw new MockHaError('invalid_scenario', 'replay without a trace');
      return replay(trace, spec.speed ?? 1, spec.loop ?? false);
  }
}
