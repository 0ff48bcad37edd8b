/**
 * Availability sampler: GETs a set of health/readiness endpoints every `intervalMs` for as long as
 * it runs (all endpoints of a round in parallel, the next round when the last answered or timed
 * out), so a check judges every sample of the run instead of one probe in a convenient window.
 * An unreachable endpoint is a sample too (status 0, the error as text); nothing throws.
 */
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { ProbeError, type ProbeResult, probe } from './http.ts';

export interface AvailabilityTarget {
  service: string;
  /** e.g. /health, /health/ready */
  path: string;
  url: string;
}

export interface AvailabilitySample {
  /** epoch ms when the request started */
  t: number;
  result: ProbeResult;
}

export interface AvailabilitySeries {
  target: AvailabilityTarget;
  samples: AvailabilitySample[];
}

export interface StartedAvailabilitySampler {
  /** ms since the sampler started */
  elapsedMs(): number;
  /** Stops after the round in flight; returns every sample per target, in target order. */
  stop(): Promise<{ startedAt: number; stoppedAt: number; series: AvailabilitySeries[] }>;
}

const log = createLogger('availability');

export function startAvailabilitySampler(
  targets: AvailabilityTarget[],
  opts: { intervalMs?: number; timeoutMs?: number } = {},
): StartedAvailabilitySampler {
  const intervalMs = opts.intervalMs ?? 1_000;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const startedAt = Date.now();
  const series: AvailabilitySeries[] = targets.map((target) => ({ target, samples: [] }));
  let stopped = false;
  const once = async (s: AvailabilitySeries) => {
    const t = Date.now();
    const url = new URL(s.target.path, `${s.target.url}/`).toString();
    const result = await probe(url, { timeoutMs }).catch(
      (err: unknown): ProbeResult => ({
        url,
        status: 0,
        json: undefined,
        text: err instanceof ProbeError ? err.message : String(err),
        ms: Date.now() - t,
      }),
    );
    s.samples.push({ t, result });
  };
  const loop = (async () => {
    while (!stopped) {
      const round = Date.now();
      await Promise.all(series.map(once));
      if (stopped) break;
      const next = round + intervalMs;
      await waitFor(async () => ({ done: stopped || Date.now() >= next, seen: 'between rounds' }), {
        what: 'the next availability round',
        timeoutMs: intervalMs + 5_000,
        intervalMs: 50,
        maxIntervalMs: 50,
      }).catch(() => undefined);
    }
  })();
  log.debug(`sampling ${targets.map((t) => `${t.service}${t.path}`).join(', ')} every ${intervalMs} ms`);
  return {
    elapsedMs: () => Date.now() - startedAt,
    stop: async () => {
      stopped = true;
      await loop;
      return { startedAt, stoppedAt: Date.now(), series };
    },
  };
}
