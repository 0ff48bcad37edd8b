/**
 * Open-model schedules: the intended offset (ms from the run start) of every event, fixed in
 * advance and independent of how fast anyone consumes them.
 */
import { MockHaError, quote, quoteList } from '../errors.ts';
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

/**
 * Bounds of a scenario, chosen from what the mock sustains (README, `npm run bench:mock-ha`:
 * about 40-60k ev/s to one subscriber on a 2-core machine; the bench's ladder probes up to 80k)
 * and from the ledger's cost (48 bytes per event, at most ~6 MiB of it in memory per run, the
 * rest spilled to a file; the last 5 runs kept; a 256 MiB container).
 */
export const SCENARIO_LIMITS = {
  /** Highest rate of any segment, ev/s. */
  maxRate: 100_000,
  /** Longest scenario, s (one day). */
  maxDurationS: 86_400,
  /** Most events one run may schedule (~48 MB of ledger, mostly spilled). Looping replays stop there. */
  maxEvents: 1_000_000,
  /** Replay speed factor range. */
  maxSpeed: 1_000,
} as const;

const invalid = (message: string) => new MockHaError('invalid_scenario', message);

function numberIn(
  spec: Record<string, unknown>,
  name: string,
  lo: number,
  hi: number,
  opts: { allowZero?: boolean; unit?: string } = {},
): number {
  const v = Object.hasOwn(spec, name) ? spec[name] : undefined;
  const range = `${opts.allowZero ? '[' : '('}${lo}, ${hi}]${opts.unit ? ` ${opts.unit}` : ''}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (!opts.allowZero && v === lo))
    throw invalid(`"${name}" must be a number in ${range}, got ${quote(v)}`);
  return v;
}

const KEYS: Record<ScenarioSpec['kind'], readonly string[]> = {
  steady: ['kind', 'rate', 'durationS'],
  burst: ['kind', 'baseRate', 'burstRate', 'burstS', 'periodS', 'durationS'],
  ramp: ['kind', 'fromRate', 'toRate', 'durationS'],
  replay: ['kind', 'trace', 'speed', 'loop'],
};

function checkCount(events: number, what: string, field: string): void {
  if (events > SCENARIO_LIMITS.maxEvents) {
    throw invalid(
      `"${field}": ${what} schedules ${Math.round(events)} events; at most ${SCENARIO_LIMITS.maxEvents} events per run are allowed (lower the rate or the duration)`,
    );
  }
}

/**
 * Checks a scenario from the network before anything is scheduled.
 * @throws MockHaError invalid_scenario (400) naming the field and the allowed range.
 */
export function validateScenario(input: unknown): asserts input is ScenarioSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid('a scenario must be a JSON object');
  const spec = input as Record<string, unknown>;
  const kind = Object.hasOwn(spec, 'kind') ? spec.kind : undefined;
  if (typeof kind !== 'string' || !Object.hasOwn(KEYS, kind))
    throw invalid(`"kind" must be one of steady|burst|ramp|replay, got ${quote(kind)}`);
  const allowed = KEYS[kind as ScenarioSpec['kind']];
  const unknown = Object.keys(spec).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw invalid(
      `unknown field${unknown.length > 1 ? 's' : ''} ${quoteList(unknown)} for kind ${kind} (allowed: ${allowed.join(', ')})`,
    );
  const { maxRate, maxDurationS, maxSpeed } = SCENARIO_LIMITS;
  switch (kind) {
    case 'steady': {
      const rate = numberIn(spec, 'rate', 0, maxRate, { unit: 'ev/s' });
      const d = numberIn(spec, 'durationS', 0, maxDurationS, { unit: 's' });
      checkCount(rate * d, `steady at ${rate} ev/s for ${d} s`, 'durationS');
      return;
    }
    case 'burst': {
      const baseRate = numberIn(spec, 'baseRate', 0, maxRate, { allowZero: true, unit: 'ev/s' });
      const burstRate = numberIn(spec, 'burstRate', 0, maxRate, { unit: 'ev/s' });
      const d = numberIn(spec, 'durationS', 0, maxDurationS, { unit: 's' });
      const periodS = numberIn(spec, 'periodS', 0, maxDurationS, { unit: 's' });
      const burstS = numberIn(spec, 'burstS', 0, periodS, { unit: 's (at most periodS)' });
      const segs = burstSegments({ kind: 'burst', baseRate, burstRate, burstS, periodS, durationS: d });
      checkCount(
        segs.reduce((n, s) => n + s.rate * s.durationS, 0),
        `this burst scenario`,
        'durationS',
      );
      return;
    }
    case 'ramp': {
      const fromRate = numberIn(spec, 'fromRate', 0, maxRate, { allowZero: true, unit: 'ev/s' });
      const toRate = numberIn(spec, 'toRate', 0, maxRate, { allowZero: true, unit: 'ev/s' });
      const d = numberIn(spec, 'durationS', 0, maxDurationS, { unit: 's' });
      if (fromRate === 0 && toRate === 0) throw invalid('"toRate": a ramp needs fromRate or toRate > 0');
      checkCount(
        ((fromRate + toRate) / 2) * d,
        `a ramp ${fromRate}->${toRate} ev/s over ${d} s`,
        'durationS',
      );
      return;
    }
    case 'replay': {
      if (Object.hasOwn(spec, 'speed')) numberIn(spec, 'speed', 0, maxSpeed);
      if (Object.hasOwn(spec, 'loop') && typeof spec.loop !== 'boolean')
        throw invalid(`"loop" must be true or false, got ${quote(spec.loop)}`);
      const trace = Object.hasOwn(spec, 'trace') ? spec.trace : undefined;
      if (typeof trace === 'string') {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(trace))
          throw invalid(
            `"trace" must name a trace in fixtures/traces ([A-Za-z0-9._-], up to 100 characters), got ${quote(trace)}`,
          );
      } else if (Array.isArray(trace)) {
        if (trace.length === 0 || trace.length > SCENARIO_LIMITS.maxEvents)
          throw invalid(
            `"trace": an inline trace needs 1-${SCENARIO_LIMITS.maxEvents} entries, got ${trace.length}`,
          );
      } else throw invalid(`"trace" must be a trace name or an array of entries, got ${quote(trace)}`);
      return;
    }
  }
}

/**
 * A replay's length (its last entry's time, or one round of a loop, divided by the speed) within
 * SCENARIO_LIMITS.maxDurationS, like every other scenario's duration. Needs the loaded trace.
 * @throws MockHaError invalid_scenario (400) naming "speed".
 */
export function checkReplayDuration(entries: readonly TraceEntry[], speed: number, loop: boolean): void {
  const lastMs = entries[entries.length - 1]?.t ?? 0;
  const seconds = (loop ? lastMs + 1000 : lastMs) / 1000 / speed; // replay(): a round spans last t + 1 s
  if (seconds > SCENARIO_LIMITS.maxDurationS)
    throw invalid(
      `"speed": this trace ${loop ? 'loops every' : 'lasts'} ${lastMs / 1000 + (loop ? 1 : 0)} s, so speed ${speed} gives ${Math.round(seconds)} s; scenarios last at most ${SCENARIO_LIMITS.maxDurationS} s (raise the speed)`,
    );
}

/** Stops any schedule after SCENARIO_LIMITS.maxEvents events (looping replays run until then). */
function* capped(events: Iterator<DueEvent>): Generator<DueEvent> {
  for (let i = 0; i < SCENARIO_LIMITS.maxEvents; i++) {
    const next = events.next();
    if (next.done) return;
    yield next.value;
  }
}

export function scheduleFor(spec: ScenarioSpec, trace: readonly TraceEntry[] | null): Iterator<DueEvent> {
  return capped(uncappedSchedule(spec, trace));
}

function uncappedSchedule(spec: ScenarioSpec, trace: readonly TraceEntry[] | null): Iterator<DueEvent> {
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
