/**
 * An InfluxDB outage the harness controls: the role's container is paused through Docker (its
 * processes frozen, its address and published port kept, so every client sees writes hang and time
 * out) and unpaused after `durationMs`. Meanwhile the ingestion's own health is sampled when the
 * profile maps it. Unpausing is guaranteed: on error, and by the caller's scope.
 */
import { docker } from '../stack/docker.ts';
import { requireCapability, type StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { ingestionHealth, type MappedHealth } from './evidence.ts';

const log = createLogger('outage');

export interface HealthSample {
  /** Epoch ms. */
  t: number;
  health: MappedHealth;
}

export interface Outage {
  service: string;
  /** Epoch ms the container was paused / unpaused. */
  pausedAt: number;
  resumedAt: number;
  /** Ingestion health samples from the pause until `sampleUntil()` said stop; empty without a mapping. */
  samples: HealthSample[];
}

/**
 * Pauses `service` now for `durationMs`, sampling the ingestion's mapped health every `sampleMs`
 * from the pause until `extraSampleMs` after the resume.
 */
export async function influxOutage(
  stack: StartedStack,
  service: string,
  opts: { durationMs: number; sampleMs?: number; extraSampleMs?: number },
): Promise<Outage> {
  requireCapability(stack, 'containers', `pausing ${service} (an InfluxDB outage)`);
  const id = stack.containerId(service) as string;
  const c = docker().getContainer(id);
  const sampleMs = opts.sampleMs ?? 500;
  const samples: HealthSample[] = [];
  const pausedAt = Date.now();
  await c.pause();
  log.info(`${service} paused for ${opts.durationMs} ms`);
  let resumedAt = 0;
  try {
    const until = pausedAt + opts.durationMs;
    const sampleUntil = until + (opts.extraSampleMs ?? 10_000);
    while (Date.now() < sampleUntil) {
      const t = Date.now();
      if (resumedAt === 0 && t >= until) {
        await c.unpause();
        resumedAt = Date.now();
        log.info(`${service} resumed after ${resumedAt - pausedAt} ms`);
      }
      const h = await ingestionHealth(stack, Math.max(200, sampleMs - 50)).catch(() => undefined);
      if (h) samples.push({ t, health: h });
      const wait = sampleMs - (Date.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    if (resumedAt === 0) {
      await c.unpause().catch(() => undefined);
      resumedAt = Date.now();
    }
  }
  return { service, pausedAt, resumedAt, samples };
}
