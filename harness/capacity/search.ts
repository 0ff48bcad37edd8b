/**
 * The capacity search over the event rate: step up (x2 from `startRate`) until a step hits a stop
 * condition, then bisect between the highest sustainable rate and the lowest failing one until
 * they are within `resolution` of each other. Bounded: a step starts only when the estimate of
 * its wall time (the longest step so far, or `firstStepEstimateMs`) fits the budget left.
 * A harness-limited step ends the search at once (its rate says nothing about the stack).
 * Deterministic: the rates tried depend only on the options and the steps' outcomes.
 */

export interface StepOutcome {
  /**
   * 'pass': sustainable; 'fail': the stack hit a stop condition; 'harness': the harness saturated;
   * 'down': a service of the stack went down (the search ends: later steps would measure a
   * recovering stack).
   */
  outcome: 'pass' | 'fail' | 'harness' | 'down';
}

export interface SearchOptions {
  startRate: number;
  maxRate: number;
  budgetMs: number;
  /** Bisect until (hi - lo) / hi <= resolution. Default 0.1. */
  resolution?: number;
  /** Wall-time estimate of a step before any ran, ms. */
  firstStepEstimateMs: number;
  /** Lowest rate worth trying, ev/s (default 10). */
  minRate?: number;
  now?: () => number;
}

export type SearchEnd =
  | 'bisected'
  | 'max-rate-sustained'
  | 'budget'
  | 'harness-limited'
  | 'service-down'
  | 'nothing-sustainable';

export interface SearchResult<S extends StepOutcome> {
  steps: (S & { rate: number; wallMs: number })[];
  /** Highest rate that passed (0: none). */
  maxSustainable: number;
  /** Lowest rate that failed on the stack (null: none). */
  lowestFailing: number | null;
  /** Rate of the harness-limited step (null: none). */
  harnessLimitedAt: number | null;
  end: SearchEnd;
}

/** Rates are whole ev/s, rounded to 2 significant digits above 100 (readable, deterministic). */
export function roundRate(r: number): number {
  if (r < 100) return Math.max(1, Math.round(r));
  const mag = 10 ** (Math.floor(Math.log10(r)) - 1);
  return Math.round(r / mag) * mag;
}

export async function searchCapacity<S extends StepOutcome>(
  opts: SearchOptions,
  runStep: (rate: number) => Promise<S>,
): Promise<SearchResult<S>> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.budgetMs;
  const resolution = opts.resolution ?? 0.1;
  const minRate = opts.minRate ?? 10;
  const steps: SearchResult<S>['steps'] = [];
  let lo = 0;
  let hi: number | null = null;
  let estimate = opts.firstStepEstimateMs;
  const fits = () => now() + estimate <= deadline;
  const step = async (rate: number): Promise<S['outcome']> => {
    const t0 = now();
    const r = await runStep(rate);
    const wallMs = now() - t0;
    estimate = Math.max(estimate, wallMs);
    steps.push({ ...r, rate, wallMs });
    return r.outcome;
  };
  const result = (end: SearchEnd, harnessAt: number | null = null): SearchResult<S> => ({
    steps,
    maxSustainable: lo,
    lowestFailing: hi,
    harnessLimitedAt: harnessAt,
    end,
  });

  // Step up.
  for (let rate = Math.min(opts.startRate, opts.maxRate); ; ) {
    if (!fits()) return result('budget');
    const o = await step(rate);
    if (o === 'harness') return result('harness-limited', rate);
    if (o === 'down') {
      hi = rate;
      return result('service-down');
    }
    if (o === 'fail') {
      hi = rate;
      break;
    }
    lo = rate;
    if (rate >= opts.maxRate) return result('max-rate-sustained');
    rate = Math.min(opts.maxRate, roundRate(rate * 2));
  }
  // Bisect (geometric below the first step: nothing passed yet).
  while (hi !== null && (hi - lo) / hi > resolution) {
    const mid = roundRate(lo === 0 ? hi / 2 : (lo + hi) / 2);
    if (mid <= lo || mid >= hi || mid < minRate) break;
    if (!fits()) return result('budget');
    const o = await step(mid);
    if (o === 'harness') return result('harness-limited', mid);
    if (o === 'down') {
      hi = mid;
      return result('service-down');
    }
    if (o === 'fail') hi = mid;
    else lo = mid;
  }
  return result(lo === 0 ? 'nothing-sustainable' : 'bisected');
}
