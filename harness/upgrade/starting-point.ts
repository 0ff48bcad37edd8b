/**
 * Where the rehearsal's data comes from. `fresh`: the stack onboards an empty `from` and the check
 * writes its own data set. `volume`: a COPY of the home's InfluxDB volume becomes the stack's data
 * volume before it boots (the home's volume is mounted read-only and never written). The copy is a
 * volume of the compose project, so `compose down -v` removes it with the rest.
 */
import pins from '../config/pins.json' with { type: 'json' };
import { demuxLogs, docker, HARNESS_LABEL, PROJECT_LABEL, removeContainer } from '../stack/docker.ts';
import type { DockerLookup, StartingPoint } from './options.ts';

/** The compose file's InfluxDB data volume, as compose names it for a project. */
export const dataVolumeOf = (project: string) => `${project}_influxdb-data`;

export const dockerLookup: DockerLookup = {
  imageExists: async (image) =>
    docker()
      .getImage(image)
      .inspect()
      .then(() => true)
      .catch(() => false),
  volumeExists: async (volume) =>
    docker()
      .getVolume(volume)
      .inspect()
      .then(() => true)
      .catch(() => false),
  volumeHoldsInfluxData: (volume) => volumeHoldsInfluxData(`homeiq-upgrade-check-${process.pid}`, volume),
};

/** Run a one-off helper container of the base image to completion; returns exit code and output. */
async function helper(
  project: string,
  binds: string[],
  cmd: string[],
): Promise<{ code: number; output: string }> {
  const c = await docker().createContainer({
    Image: pins.baseImage.tag,
    Cmd: cmd,
    Labels: { [HARNESS_LABEL]: '1', [PROJECT_LABEL]: project },
    HostConfig: { Binds: binds, NetworkMode: 'none' },
  });
  try {
    await c.start();
    const res = (await c.wait()) as { StatusCode: number };
    const logs = demuxLogs((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer);
    return {
      code: res.StatusCode,
      output: logs.trim(),
    };
  } finally {
    await removeContainer(c.id);
  }
}

/** Does the volume hold an InfluxDB 2.x data directory (influxd.bolt at its root)? */
export async function volumeHoldsInfluxData(project: string, volume: string): Promise<boolean> {
  const r = await helper(project, [`${volume}:/from:ro`], ['test', '-s', '/from/influxd.bolt']);
  return r.code === 0;
}

/**
 * Prepare the project's data volume from the starting point, before the stack boots. Returns the
 * volume name (undefined for `fresh`: compose creates it).
 */
export async function prepareDataVolume(project: string, start: StartingPoint): Promise<string | undefined> {
  if (start.kind === 'fresh') return undefined;
  if (start.kind === 'backup')
    throw new Error(
      `--from-backup: restoring a backup is not implemented yet; restore it into a volume with \`influx restore --full\` and pass --from-volume`,
    );
  const name = dataVolumeOf(project);
  await docker().createVolume({
    Name: name,
    Labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.volume': 'influxdb-data',
      [HARNESS_LABEL]: '1',
    },
  });
  const r = await helper(
    project,
    [`${start.volume}:/from:ro`, `${name}:/to`],
    ['cp', '-a', '/from/.', '/to/'],
  );
  if (r.code !== 0)
    throw new Error(
      `copying volume ${start.volume} into ${name} failed (exit ${r.code}): ${r.output.slice(-300)}`,
    );
  return name;
}
