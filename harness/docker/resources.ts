import { dockerClient } from './client.ts';

export interface ResourceCount {
  containers: number;
  networks: number;
  volumes: number;
}

/** Count containers (running or not), networks and volumes carrying label `key=value`. */
export async function countResources(label: string): Promise<ResourceCount & { names: string[] }> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: [label] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const vols = volumes.Volumes ?? [];
  return {
    containers: containers.length,
    networks: networks.length,
    volumes: vols.length,
    names: [
      ...containers.map((c) => `container ${c.Names[0] ?? c.Id.slice(0, 12)}`),
      ...networks.map((n) => `network ${n.Name}`),
      ...vols.map((v) => `volume ${v.Name}`),
    ],
  };
}
