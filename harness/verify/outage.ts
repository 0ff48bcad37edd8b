/**
 * An InfluxDB outage the harness controls: the role's container is stopped through Docker (clients
 * see refused connections and failed lookups) and started again after `durationMs`; its volume and
 * published host port stay, so the data and the harness's URL survive. Meanwhile the ingestion's
 * own health is sampled when the profile maps it. Starting it again is guaranteed, on error too.
 *
 * Why stop and not pause: `docker pause` needs the cgroup freezer, which some engines (rootless,
 * nested) lack ("OCI runtime pause failed: unable to freeze"); a stop works everywhere.
 */

import { health } from '../probes/http.ts';
import { docker } from '../stack/docker.ts';
import { requireCapability, type StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { ingestionHealth, type MappedHealth } from './evidence.ts';

const log = createLogger('outage');

export interface HealthSample {
  /** Epoch ms. */
  t: number;
  health: MappedHealth;
}

export interface Outage {
  service: string;
  /** Epoch ms the container was stopped (stop returned) / started again. */
  stoppedAt: number;
  restartedAt: number;
  /** Epoch ms InfluxDB answered its /health again after the start (NaN: not within 120 s). */
  recoveredAt: number;
  /** Ingestion health samples from the stop until `extraSampleMs` after the start; empty without a mapping. */
  samples: HealthSample[];
}

/**
 * Stops `service` now for `durationMs` (from the stop request), sampling the ingestion's mapped
 * health every `sampleMs` from then until `extraSampleMs` after it was started again.
 */
export async function influxOutage(
  stack: StartedStack,
  service: string,
  opts: { durationMs: number; sampleMs?: number; extraSampleMs?: number },
): Promise<Outage> {
  requireCapability(stack, 'containers', `stopping ${service} (an InfluxDB outage)`);
  const id = stack.containerId(service) as string;
  const c = docker().getContainer(id);
  const sampleMs = opts.sampleMs ?? 500;
  const samples: HealthSample[] = [];
  const stoppedAt = Date.now();
  await c.stop({ t: 5 });
  log.info(`${service} stopped in ${Date.now() - stoppedAt} ms, for ${opts.durationMs} ms`);
  let restartedAt = 0;
  try {
    const until = stoppedAt + opts.durationMs;
    const sampleUntil = until + (opts.extraSampleMs ?? 10_000);
    while (Date.now() < sampleUntil) {
      const t = Date.now();
      if (restartedAt === 0 && t >= until) {
        await c.start();
        restartedAt = Date.now();
        log.info(`${service} started again after ${restartedAt - stoppedAt} ms`);
      }
      const h = await ingestionHealth(stack, Math.max(200, sampleMs - 50)).catch(() => undefined);
      if (h) samples.push({ t, health: h });
      const wait = sampleMs - (Date.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    if (restartedAt === 0) {
      await c.start().catch(() => undefined);
      restartedAt = Date.now();
    }
  }
  const url = stack.url(service);
  const recoveredAt = await waitFor(
    async () => {
      const r = await health(url, '/health', 2_000).catch(() => undefined);
      return {
        done: r?.status === 200,
        value: Date.now(),
        seen: `GET /health ${r?.status ?? 'unreachable'}`,
      };
    },
    { what: `${service} to answer /health after its start`, timeoutMs: 120_000, intervalMs: 250 },
  ).catch(() => Number.NaN);
  log.info(`${service} answering again ${recoveredAt - restartedAt} ms after its start`);
  return { service, stoppedAt, restartedAt, recoveredAt, samples };
}
