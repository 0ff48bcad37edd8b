/**
 * Resources left behind by runs that are gone (SIGKILL, a crash, a reboot): found by the owner
 * labels of harness/docker/identity.ts and removed. A resource whose owner is alive, lives on
 * another host, or is not known (no owner labels: made by an older harness) is never touched.
 */
import type Docker from 'dockerode';
import { dockerClient } from './client.ts';
import {
  describeOwner,
  HARNESS_LABEL,
  type Liveness,
  OWNER_LABELS,
  ownerLiveness,
  ownerOf,
  type RunOwner,
} from './identity.ts';

export interface OwnedResource {
  kind: 'container' | 'network' | 'volume';
  id: string;
  name: string;
  owner: RunOwner | undefined;
}

export interface SweepResult {
  /** What was removed, per owner that is gone. */
  removed: { owner: RunOwner; resources: OwnedResource[] }[];
  /** Resources that could not be removed, with why. */
  failed: { resource: OwnedResource; why: string }[];
  /** Harness resources kept because their owner is alive, elsewhere, or unknown. */
  kept: { alive: number; elsewhere: number; unowned: number };
}

/** Every container, network and volume labelled com.homeiq.harness (optionally: of one run). */
export async function listHarnessResources(
  docker: Docker = dockerClient(),
  run?: string,
): Promise<OwnedResource[]> {
  const filters = JSON.stringify({ label: [run ? `${OWNER_LABELS.run}=${run}` : HARNESS_LABEL] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return [
    ...containers.map((c) => ({
      kind: 'container' as const,
      id: c.Id,
      name: (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      owner: ownerOf(c.Labels),
    })),
    ...networks.map((n) => ({ kind: 'network' as const, id: n.Id, name: n.Name, owner: ownerOf(n.Labels) })),
    ...(volumes.Volumes ?? []).map((v) => ({
      kind: 'volume' as const,
      id: v.Name,
      name: v.Name,
      owner: ownerOf(v.Labels ?? undefined),
    })),
  ];
}

const ownerKey = (o: RunOwner) => `${o.host}\u0000${o.pid}\u0000${o.start}\u0000${o.run}`;

/** Remove resources: containers (with their anonymous volumes) first, then networks, then volumes. */
export async function removeResources(
  resources: OwnedResource[],
  docker: Docker = dockerClient(),
): Promise<{ resource: OwnedResource; why: string }[]> {
  const failed: { resource: OwnedResource; why: string }[] = [];
  const order = ['container', 'network', 'volume'] as const;
  for (const kind of order) {
    await Promise.all(
      resources
        .filter((r) => r.kind === kind)
        .map(async (r) => {
          try {
            if (kind === 'container') await docker.getContainer(r.id).remove({ force: true, v: true });
            else if (kind === 'network') await docker.getNetwork(r.id).remove();
            else await docker.getVolume(r.id).remove();
          } catch (err) {
            const status = (err as { statusCode?: number }).statusCode;
            if (status === 404) return; // already gone (removed with its container, or by someone else)
            failed.push({
              resource: r,
              why: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
            });
          }
        }),
    );
  }
  return failed;
}

/**
 * Remove every harness resource whose owner is gone. `liveness` is injectable for tests.
 * Resources of live owners, of other hosts and without owner labels are kept and counted.
 */
export async function sweepStaleResources(
  opts: { docker?: Docker; liveness?: (o: RunOwner) => Liveness } = {},
): Promise<SweepResult> {
  const docker = opts.docker ?? dockerClient();
  const liveness = opts.liveness ?? ((o: RunOwner) => ownerLiveness(o));
  const all = await listHarnessResources(docker);
  const kept = { alive: 0, elsewhere: 0, unowned: 0 };
  const dead = new Map<string, { owner: RunOwner; resources: OwnedResource[] }>();
  const verdicts = new Map<string, Liveness>();
  for (const r of all) {
    if (!r.owner) {
      kept.unowned++;
      continue;
    }
    const key = ownerKey(r.owner);
    let v = verdicts.get(key);
    if (!v) {
      v = liveness(r.owner);
      verdicts.set(key, v);
    }
    if (v === 'alive') kept.alive++;
    else if (v === 'elsewhere') kept.elsewhere++;
    else {
      const entry = dead.get(key) ?? { owner: r.owner, resources: [] };
      entry.resources.push(r);
      dead.set(key, entry);
    }
  }
  const removed = [...dead.values()];
  const failed = await removeResources(
    removed.flatMap((d) => d.resources),
    docker,
  );
  return { removed, failed, kept };
}

/** `3 containers, 1 network, 2 volumes`. */
export function countLine(resources: OwnedResource[]): string {
  const n = (kind: OwnedResource['kind']) => resources.filter((r) => r.kind === kind).length;
  const part = (k: OwnedResource['kind']) => `${n(k)} ${k}${n(k) === 1 ? '' : 's'}`;
  return `${part('container')}, ${part('network')}, ${part('volume')}`;
}

/** One line per owner removed, and one per problem: what preflight prints. */
export function describeSweep(r: SweepResult): string[] {
  const lines = r.removed.map(
    (d) =>
      `removed ${countLine(d.resources)} left by run ${describeOwner(d.owner)}, which is gone: ${d.resources
        .map((x) => x.name)
        .join(', ')}`,
  );
  for (const f of r.failed)
    lines.push(`could not remove ${f.resource.kind} ${f.resource.name} of a gone run: ${f.why}`);
  if (r.kept.unowned > 0)
    lines.push(
      `${r.kept.unowned} harness resource(s) carry no owner labels (made by an older harness): left alone; list them with 'docker ps -a --filter label=${HARNESS_LABEL}'`,
    );
  return lines;
}
