/**
 * Swap the InfluxDB of a running stack in place: the stopped service container is replaced by one
 * of another image with the same volume, network alias, ports, environment set by the deployment,
 * healthcheck and stop settings (StartedStack.restartWithEnv with `image`), then the first start
 * is timed until /health passes. This is what a home does when it changes the image tag and runs
 * `docker compose up -d`.
 */
import { health } from '../probes/http.ts';
import { inspect, tailLogs } from '../stack/docker.ts';
import type { StartedStack } from '../stack/types.ts';
import { waitFor } from '../util/wait.ts';

export interface FirstStart {
  image: string;
  /** Container start -> GET /health 200 with status "pass", ms. */
  firstStartMs: number;
  version: string;
  /** Set when the new container exited or never passed /health (then firstStartMs is the time waited). */
  failure?: string;
  logs: string;
}

/** Replace the (stopped) service by `image` on the same volume and wait for /health to pass. */
export async function startOnSameVolume(
  stack: StartedStack,
  service: string,
  image: string,
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<FirstStart> {
  const t0 = performance.now();
  await stack.restartWithEnv(service, opts.env ?? {}, { image });
  const id = stack.containerId(service) as string;
  let version = '';
  let failure: string | undefined;
  try {
    await waitFor(
      async () => {
        const state = (await inspect(id)).State;
        if (!state.Running)
          return {
            done: false,
            seen: `exited ${state.ExitCode}`,
            fatal: `${service} (${image}) exited with code ${state.ExitCode} before /health passed`,
          };
        const h = await health(stack.url(service), '/health', 2_000).catch(() => undefined);
        const body = (h?.json ?? {}) as { status?: string; version?: string };
        version = String(body.version ?? '').replace(/^v/, '');
        return {
          done: h?.status === 200 && body.status === 'pass',
          seen: h ? `${h.status} ${h.text.slice(0, 120)}` : 'no answer',
        };
      },
      {
        what: `${service} on ${image} to pass /health`,
        timeoutMs: opts.timeoutMs ?? 180_000,
        intervalMs: 100,
        maxIntervalMs: 250,
      },
    );
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  const firstStartMs = performance.now() - t0;
  const logs = await tailLogs(id, 400).catch(() => '');
  return { image, firstStartMs, version, logs, ...(failure ? { failure } : {}) };
}
