/**
 * Container operations through the Docker API (dockerode): the project's containers, log
 * tails, signals, and copies of a service container with other environment.
 */
import Docker from 'dockerode';
import { ownerLabels } from '../docker/identity.ts';
import { StackError } from './types.ts';

export const HARNESS_LABEL = 'com.homeiq.harness';
export const PROJECT_LABEL = 'com.homeiq.project';

let client: Docker | undefined;
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

export interface ContainerInfo {
  id: string;
  name: string;
  service: string;
  state: string;
  health: string | undefined;
}

/** All containers (running or not) of a compose project or labelled with our project label. */
export async function projectContainers(project: string): Promise<ContainerInfo[]> {
  const byCompose = await docker().listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const byUs = await docker().listContainers({
    all: true,
    filters: { label: [`${PROJECT_LABEL}=${project}`] },
  });
  const seen = new Set<string>();
  const out: ContainerInfo[] = [];
  for (const c of [...byCompose, ...byUs]) {
    if (seen.has(c.Id)) continue;
    seen.add(c.Id);
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1];
    out.push({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      service: c.Labels['com.docker.compose.service'] ?? c.Labels['com.homeiq.service'] ?? '',
      state: c.State,
      health,
    });
  }
  return out;
}

/** Demultiplex Docker's log stream framing (8-byte headers) into text. */
export function demuxLogs(buf: Buffer): string {
  const parts: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const size = buf.readUInt32BE(i + 4);
    if ((type !== 0 && type !== 1 && type !== 2) || buf[i + 1] !== 0 || i + 8 + size > buf.length) {
      // Not framed (TTY container): the whole buffer is text.
      return buf.toString('utf8');
    }
    parts.push(buf.subarray(i + 8, i + 8 + size).toString('utf8'));
    i += 8 + size;
  }
  return parts.join('');
}

export async function tailLogs(id: string, lines = 50): Promise<string> {
  const buf = (await docker()
    .getContainer(id)
    .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
  return demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
}

export async function signalContainer(id: string, signal: NodeJS.Signals): Promise<void> {
  await docker().getContainer(id).kill({ signal });
}

export async function inspect(id: string): Promise<Docker.ContainerInspectInfo> {
  return docker().getContainer(id).inspect();
}

/**
 * Base URL of a container: its published port on 127.0.0.1, else its bridge IP and exposed port;
 * `preferredPort` (a container port, e.g. the profile's) is chosen first when it has several.
 */
export function urlOf(info: Docker.ContainerInspectInfo, preferredPort?: number): string | undefined {
  const ports = info.NetworkSettings.Ports ?? {};
  const order = Object.entries(ports).sort(
    ([a], [b]) => Number(b === `${preferredPort}/tcp`) - Number(a === `${preferredPort}/tcp`),
  );
  for (const [containerPort, bindings] of order) {
    const hostPort = bindings?.find((b) => b.HostPort)?.HostPort;
    if (hostPort && !containerPort.endsWith('/udp')) return `http://127.0.0.1:${hostPort}`;
  }
  // The profile's port wins: a user's service need not EXPOSE the port it serves on (the rewrite
  // publishes none), so an image without EXPOSE is still reached on its bridge address.
  const tcp = Object.keys(info.Config.ExposedPorts ?? {}).filter((p) => !p.endsWith('/udp'));
  const exposed = preferredPort !== undefined ? `${preferredPort}/tcp` : tcp[0];
  const ip = Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
  if (exposed && ip) return `http://${ip}:${exposed.split('/')[0]}`;
  return undefined;
}

/** Environment for messages: values of secrets replaced. */
export function redact(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      /TOKEN|KEY|PASSWORD|SECRET/i.test(k) && !/_FILE$/.test(k) && v ? '<redacted>' : v,
    ]),
  );
}

export function withEnv(env: string[] | undefined, overrides: Record<string, string>): string[] {
  const keyOf = (kv: string) => (kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv);
  const keep = (env ?? []).filter((kv) => !Object.hasOwn(overrides, keyOf(kv)));
  return [...keep, ...Object.entries(overrides).map(([k, v]) => `${k}=${v}`)];
}

export interface CloneOptions {
  env: Record<string, string>;
  project: string;
  /** Replace the original in place (same name, ports, network aliases) instead of a sibling copy. */
  replace: boolean;
  /**
   * Hold the service's process until releaseGate(): the container (and its network namespace)
   * exists first, so observers such as the egress monitor see everything from the first instant.
   */
  gated?: boolean;
  /**
   * Run another image in the copy (e.g. an InfluxDB upgrade on the same volume). Entrypoint, Cmd
   * and the image's own ENV then come from the new image; what the deployment set (compose env,
   * volumes, ports, healthcheck, stop signal) is kept.
   */
  image?: string;
}

export const GATE_FILE = '/tmp/homeiq-harness-go';

/** Let a gated container's process start. */
export async function releaseGate(id: string): Promise<void> {
  const exec = await docker()
    .getContainer(id)
    .exec({ Cmd: ['touch', GATE_FILE], AttachStdout: false, AttachStderr: false });
  await exec.start({ Detach: true });
}

/** A container's configured stop signal and grace period (compose stop_signal / stop_grace_period). */
export function stopSettings(info: Docker.ContainerInspectInfo): {
  StopSignal?: string;
  StopTimeout?: number;
} {
  const c = info.Config as { StopSignal?: string; StopTimeout?: number };
  return {
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(typeof c.StopTimeout === 'number' ? { StopTimeout: c.StopTimeout } : {}),
  };
}

/** Create and start a copy of a container with other environment; returns the new container id. */
export async function cloneContainer(id: string, opts: CloneOptions): Promise<string> {
  const orig = await inspect(id);
  const networks = orig.NetworkSettings.Networks ?? {};
  const service = orig.Config.Labels?.['com.docker.compose.service'] ?? orig.Name.replace(/^\//, '');
  const endpoints: Record<string, { Aliases?: string[] }> = {};
  for (const net of Object.keys(networks)) endpoints[net] = opts.replace ? { Aliases: [service] } : {};
  const hostConfig = { ...orig.HostConfig } as Docker.HostConfig;
  if (!opts.replace) {
    hostConfig.PortBindings = {};
    hostConfig.PublishAllPorts = false;
    // A one-off copy must show its exit code, not be restarted by the engine.
    hostConfig.RestartPolicy = { Name: 'no' };
    hostConfig.AutoRemove = false;
  }
  const labels: Record<string, string> = {
    ...(orig.Config.Labels ?? {}),
    ...ownerLabels(),
    [HARNESS_LABEL]: '1',
    [PROJECT_LABEL]: opts.project,
  };
  if (!opts.replace) {
    // A sibling is not part of the compose service: only our labels find it.
    for (const k of Object.keys(labels)) if (k.startsWith('com.docker.compose.')) delete labels[k];
    labels['com.homeiq.variant-of'] = service;
  }
  let env = orig.Config.Env ?? [];
  let entry: { Cmd?: string[]; Entrypoint?: string[] } = {
    Cmd: orig.Config.Cmd,
    Entrypoint: orig.Config.Entrypoint as string[] | undefined,
  };
  if (opts.image && opts.image !== orig.Config.Image) {
    // Drop what the old image contributed (its ENV, entrypoint): the new image brings its own.
    const oldImage = await docker().getImage(orig.Image).inspect();
    const imageEnv = new Set(oldImage.Config.Env ?? []);
    env = env.filter((kv) => !imageEnv.has(kv));
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    entry = {
      ...(same(orig.Config.Cmd, oldImage.Config.Cmd) ? {} : { Cmd: orig.Config.Cmd }),
      ...(same(orig.Config.Entrypoint, oldImage.Config.Entrypoint)
        ? {}
        : { Entrypoint: orig.Config.Entrypoint as string[] }),
    };
  }
  const image = opts.image ?? orig.Config.Image;
  const name = opts.replace
    ? orig.Name.replace(/^\//, '')
    : `${opts.project}-${service}-variant-${Date.now().toString(36)}`;
  if (opts.replace) {
    await docker().getContainer(id).remove({ force: true, v: false });
  }
  const [firstNet, ...otherNets] = Object.keys(endpoints);
  try {
    const created = await docker().createContainer({
      name,
      Image: image,
      ...(opts.gated
        ? {
            Entrypoint: ['sh', '-c', `while [ ! -e ${GATE_FILE} ]; do sleep 0.05; done; exec "$0" "$@"`],
            Cmd: [...(entry.Entrypoint ?? []), ...(entry.Cmd ?? [])],
          }
        : entry),
      Env: withEnv(env, opts.env),
      // The deployment's stop settings (compose stop_signal / stop_grace_period) survive the copy.
      ...stopSettings(orig),
      Labels: labels,
      WorkingDir: orig.Config.WorkingDir,
      User: orig.Config.User,
      ExposedPorts: orig.Config.ExposedPorts,
      Healthcheck: orig.Config.Healthcheck,
      HostConfig: { ...hostConfig, NetworkMode: firstNet ?? hostConfig.NetworkMode },
      NetworkingConfig: firstNet ? { EndpointsConfig: { [firstNet]: endpoints[firstNet] ?? {} } } : undefined,
    });
    for (const net of otherNets)
      await docker().getNetwork(net).connect({ Container: created.id, EndpointConfig: endpoints[net] });
    await created.start();
    return created.id;
  } catch (err) {
    throw new StackError(
      'STACK_DOCKER_FAILED',
      `copying ${service} with ${JSON.stringify(redact(opts.env))} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export async function removeContainer(id: string): Promise<void> {
  await docker()
    .getContainer(id)
    .remove({ force: true, v: true })
    .catch(() => undefined);
}
