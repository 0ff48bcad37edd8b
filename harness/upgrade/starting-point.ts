/**
 * Where the rehearsal's data comes from. `fresh`: the stack onboards an empty `from` and the check
 * writes its own data set. `volume`: a COPY of the home's InfluxDB volume becomes the stack's data
 * volume before it boots (the home's volume is mounted read-only and never written). `backup`: a
 * scratch `from` on the project's volume is onboarded, then fully restored from the `influx backup`
 * directory through InfluxDB's restore API (kv, sql, every shard: what `influx restore --full`
 * does), then stopped. The volume belongs to the compose project, so `compose down -v` removes it.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pins from '../config/pins.json' with { type: 'json' };
import { influxApi } from '../influx/http.ts';
import {
  demuxLogs,
  docker,
  HARNESS_LABEL,
  inspect,
  PROJECT_LABEL,
  removeContainer,
  urlOf,
} from '../stack/docker.ts';
import { waitFor } from '../util/wait.ts';
import type { BackupManifest, DockerLookup, StartingPoint } from './options.ts';

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

async function createDataVolume(project: string): Promise<string> {
  const name = dataVolumeOf(project);
  await docker().createVolume({
    Name: name,
    Labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.volume': 'influxdb-data',
      [HARNESS_LABEL]: '1',
    },
  });
  return name;
}

export interface PreparedVolume {
  volume: string;
  /** The operator token of the restored data (backup only; from the restore API or the user). */
  adminToken?: string;
}

/**
 * Prepare the project's data volume from the starting point, before the stack boots (undefined
 * for `fresh`: compose creates it).
 */
export async function prepareDataVolume(
  project: string,
  start: StartingPoint,
  fromImage: string,
  env: Record<string, string | undefined> = process.env,
): Promise<PreparedVolume | undefined> {
  if (start.kind === 'fresh') return undefined;
  const volume = await createDataVolume(project);
  if (start.kind === 'volume') {
    const r = await helper(
      project,
      [`${start.volume}:/from:ro`, `${volume}:/to`],
      ['cp', '-a', '/from/.', '/to/'],
    );
    if (r.code !== 0)
      throw new Error(
        `copying volume ${start.volume} into ${volume} failed (exit ${r.code}): ${r.output.slice(-300)}`,
      );
    return { volume };
  }
  const adminToken = await restoreBackup(
    project,
    volume,
    fromImage,
    start.dir,
    start.manifest,
    env.INFLUX_TOKEN,
  );
  return { volume, adminToken };
}

async function post(url: string, path: string, token: string, file: string, gzip: boolean): Promise<string> {
  const body = await readFile(file);
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Token ${token}`,
      'content-type': 'application/octet-stream',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body,
    signal: AbortSignal.timeout(300_000),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 204)
    throw new Error(
      `restore: POST ${path} with ${file} expected 200/204, got ${res.status}: ${text.slice(0, 200)}`,
    );
  return text;
}

/** Full restore of an `influx backup` directory into `volume` with a scratch `fromImage` container. */
async function restoreBackup(
  project: string,
  volume: string,
  fromImage: string,
  dir: string,
  m: BackupManifest,
  userToken: string | undefined,
): Promise<string> {
  const c = await docker().createContainer({
    Image: fromImage,
    Labels: { [HARNESS_LABEL]: '1', [PROJECT_LABEL]: project, 'com.homeiq.service': 'influxdb-restore' },
    ExposedPorts: { '8086/tcp': {} },
    StopSignal: 'SIGINT',
    HostConfig: {
      Binds: [`${volume}:/var/lib/influxdb2`],
      PortBindings: { '8086/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  });
  try {
    await c.start();
    const url = urlOf(await inspect(c.id)) as string;
    await waitFor(
      async () => {
        const h = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
        return { done: h?.status === 200, seen: `GET /health -> ${h?.status ?? 'no answer'}` };
      },
      { what: `scratch ${fromImage} for the restore to pass /health`, timeoutMs: 120_000, intervalMs: 200 },
    );
    const scratch = `homeiq-restore-${randomBytes(16).toString('hex')}`;
    await influxApi(url).call('POST', '/api/v2/setup', {
      body: {
        username: 'homeiq-restore',
        password: randomBytes(16).toString('hex'),
        org: 'homeiq-restore',
        bucket: 'homeiq-restore',
        token: scratch,
      },
      expect: [201],
    });
    const gz = (c: string | undefined, f: string) => c === 'gzip' || (c === '' && f.endsWith('.gz'));
    const kv = JSON.parse(
      await post(
        url,
        '/api/v2/restore/kv',
        scratch,
        join(dir, m.kv.fileName),
        gz(m.kv.compression, m.kv.fileName),
      ),
    ) as {
      token?: string;
    };
    const operator = kv.token || userToken;
    if (!operator)
      throw new Error(
        `--from-backup: the backup's operator token is stored hashed, so the restore cannot return it; set INFLUX_TOKEN to that token`,
      );
    if (m.sql)
      await post(
        url,
        '/api/v2/restore/sql',
        operator,
        join(dir, m.sql.fileName),
        gz(m.sql.compression, m.sql.fileName),
      );
    for (const b of m.buckets)
      for (const sh of b.shards)
        await post(
          url,
          `/api/v2/restore/shards/${sh.id}`,
          operator,
          join(dir, sh.fileName),
          gz(sh.compression, sh.fileName),
        );
    await c.stop({ t: 30 });
    const state = (await inspect(c.id)).State;
    if (state.ExitCode !== 0)
      throw new Error(`scratch ${fromImage} did not stop cleanly after the restore (exit ${state.ExitCode})`);
    return operator;
  } finally {
    await removeContainer(c.id);
  }
}
