/**
 * Did a service of the stack go down during a capacity step? From Docker: each container's
 * RestartCount, State.StartedAt, State.Running and State.OOMKilled, compared with a baseline taken
 * before the search. A service that crashes, is OOM-killed or restarts under load is the stack's
 * limit at that rate (e.g. InfluxDB refusing connections mid-step), not an error of the harness.
 */
import type Docker from 'dockerode';
import { docker } from '../stack/docker.ts';

export interface ContainerState {
  service: string;
  running: boolean;
  restartCount: number;
  startedAt: string;
  oomKilled: boolean;
  exitCode: number | null;
}

export interface ServiceDown {
  service: string;
  oomKilled: boolean;
  /** One line: what Docker says happened. */
  detail: string;
}

/** The state of each container (undefined when Docker cannot inspect it: gone). */
export async function containerStates(
  containers: { service: string; containerId: string }[],
  client: Docker = docker(),
): Promise<Map<string, ContainerState | undefined>> {
  const out = new Map<string, ContainerState | undefined>();
  for (const c of containers) {
    const info = await client
      .getContainer(c.containerId)
      .inspect()
      .catch(() => undefined);
    out.set(
      c.service,
      info && {
        service: c.service,
        running: info.State.Running,
        restartCount: info.RestartCount ?? 0,
        startedAt: info.State.StartedAt,
        oomKilled: info.State.OOMKilled,
        exitCode: info.State.Running ? null : info.State.ExitCode,
      },
    );
  }
  return out;
}

/**
 * The services that went down between `before` and `now`: restarted (RestartCount or StartedAt
 * changed), stopped, OOM-killed, or gone. Services that were already stopped before (one-shot
 * init containers) are ignored. Pure.
 */
export function servicesDown(
  before: Map<string, ContainerState | undefined>,
  now: Map<string, ContainerState | undefined>,
): ServiceDown[] {
  const out: ServiceDown[] = [];
  for (const [service, b] of before) {
    if (!b?.running) continue;
    const n = now.get(service);
    if (!n) {
      out.push({ service, oomKilled: false, detail: 'container gone' });
      continue;
    }
    const restarts = n.restartCount - b.restartCount;
    const restarted = restarts > 0 || n.startedAt !== b.startedAt;
    if (!n.running || restarted || (n.oomKilled && !b.oomKilled))
      out.push({
        service,
        oomKilled: n.oomKilled,
        detail: [
          n.running ? 'running again' : `stopped (exit ${n.exitCode ?? '?'})`,
          restarted ? `restarted ${Math.max(1, restarts)}x` : '',
          n.oomKilled ? 'OOM-killed (Docker State.OOMKilled)' : '',
        ]
          .filter(Boolean)
          .join(', '),
      });
  }
  return out;
}
