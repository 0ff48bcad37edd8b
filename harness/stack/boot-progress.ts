/**
 * What a compose boot's progress line says: how many of the profile's services are ready, which
 * became ready since the last line, which failed, and what is still awaited. Pure: the boot watch
 * (compose-target.ts) feeds it the containers it polls.
 */
import { loadCompose } from '../compose-lint/load.ts';
import type { ContainerInfo } from './docker.ts';

export interface BootServices {
  /** Services the selected profiles start, by compose service name. */
  names: string[];
  /** Those another service waits for with `service_completed_successfully` (done when exited). */
  oneShot: ReadonlySet<string>;
}

/**
 * The services `docker compose --profile <profiles> up` starts from these files (no Docker needed),
 * or undefined when the files cannot be read statically or name none for these profiles.
 */
export function bootServices(
  files: string[],
  profiles: string[],
  environment: Record<string, string>,
  cwd: string,
): BootServices | undefined {
  try {
    const vars = new Map<string, string>();
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) vars.set(k, v);
    for (const [k, v] of Object.entries(environment)) vars.set(k, v);
    const model = loadCompose(files, { vars, cwd });
    const active = model.services.filter(
      (s) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)),
    );
    if (active.length === 0) return undefined;
    return {
      names: active.map((s) => s.name),
      oneShot: new Set(active.filter((s) => s.oneShot).map((s) => s.name)),
    };
  } catch {
    return undefined;
  }
}

export type ServiceState = 'ready' | 'waiting' | 'failed';

export function serviceState(c: ContainerInfo, oneShot: boolean): ServiceState {
  if (oneShot) return c.state === 'exited' ? 'ready' : c.state === 'dead' ? 'failed' : 'waiting';
  if (c.state === 'running')
    return c.health === undefined || c.health === 'healthy'
      ? 'ready'
      : c.health === 'unhealthy'
        ? 'failed'
        : 'waiting';
  if (c.state === 'exited' || c.state === 'dead') return 'failed';
  return 'waiting';
}

const list = (names: string[], max = 4): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

export interface BootObservation {
  /** The line to print, e.g. `7 of 19 services ready (+data-api); waiting for ai-core and 3 more`. */
  text: string;
  /** Identifies the state (ready / failing / waiting sets); a new line is due only when it changes. */
  key: string;
  ready: Set<string>;
}

/** Classify the profile's services from the polled containers; `previousReady` marks what is new. */
export function observeBoot(
  services: BootServices,
  containers: ContainerInfo[],
  previousReady: ReadonlySet<string>,
): BootObservation {
  const byService = new Map<string, ContainerInfo>();
  for (const c of containers) if (c.service) byService.set(c.service, c);
  const ready: string[] = [];
  const failed: string[] = [];
  const waiting: string[] = [];
  for (const name of services.names) {
    const c = byService.get(name);
    const state = c ? serviceState(c, services.oneShot.has(name)) : 'waiting';
    (state === 'ready' ? ready : state === 'failed' ? failed : waiting).push(name);
  }
  const parts = [`${ready.length} of ${services.names.length} services ready`];
  const fresh = ready.filter((n) => !previousReady.has(n));
  if (fresh.length) parts[0] += ` (+${list(fresh, 6)})`;
  if (failed.length) parts.push(`failing: ${list(failed)}`);
  if (waiting.length) parts.push(`waiting for ${list(waiting)}`);
  return { text: parts.join('; '), key: `${ready}|${failed}|${waiting}`, ready: new Set(ready) };
}

/** Feeds polled containers in; prints a line (through `print`) only when the state changed. */
export function bootWatcher(
  services: BootServices,
  print: (line: string) => void,
): (c: ContainerInfo[]) => void {
  let previous = new Set<string>();
  let lastKey: string | undefined;
  return (containers) => {
    const o = observeBoot(services, containers, previous);
    if (o.key === lastKey) return;
    lastKey = o.key;
    previous = o.ready;
    print(o.text);
  };
}
