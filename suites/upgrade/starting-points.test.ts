/**
 * The starting points of the pre-upgrade check on a home's own data: `--from-volume` (a copy of the
 * home's volume; the original only read) and `--from-backup` (an `influx backup` directory restored
 * through the restore API) both yield a data volume on which `from` serves exactly what the home's
 * InfluxDB held. The "home" here is a real InfluxDB on a named volume with seeded points.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import pins from '../../harness/config/pins.json' with { type: 'json' };
import { check } from '../../harness/failure/check.ts';
import { connect, onboard, TEST_TARGET, writePoints } from '../../harness/influx/index.ts';
import { sampleEventPoints } from '../../harness/influx/sample-events.ts';
import {
  docker,
  HARNESS_LABEL,
  inspect,
  PROJECT_LABEL,
  removeContainer,
  urlOf,
} from '../../harness/stack/docker.ts';
import { backupServer } from '../../harness/upgrade/backup.ts';
import { type Capture, capture } from '../../harness/upgrade/capture.ts';
import { compareCounts } from '../../harness/upgrade/compare.ts';
import { readBackupManifest } from '../../harness/upgrade/options.ts';
import { dataVolumeOf, prepareDataVolume } from '../../harness/upgrade/starting-point.ts';
import { waitFor } from '../../harness/util/wait.ts';

const FROM = pins.influxdb.localImage.replace('{version}', pins.influxdb.baseline);
const run = `homeiq-upgrade-sp-${process.pid}-${randomBytes(3).toString('hex')}`;
const homeVolume = `${run}-home`;
const admin = {
  adminUser: 'home-admin',
  adminPassword: 'home-admin-password',
  adminToken: `home-operator-${run}`,
};
const created = { containers: new Set<string>(), volumes: new Set<string>([homeVolume]) };

/** An InfluxDB of `FROM` on `volume`, published on a free loopback port, stopping with SIGINT. */
async function influxOn(volume: string): Promise<{ id: string; url: string }> {
  const c = await docker().createContainer({
    Image: FROM,
    Labels: { [HARNESS_LABEL]: '1', [PROJECT_LABEL]: run },
    ExposedPorts: { '8086/tcp': {} },
    StopSignal: 'SIGINT',
    HostConfig: {
      Binds: [`${volume}:/var/lib/influxdb2`],
      PortBindings: { '8086/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  });
  created.containers.add(c.id);
  await c.start();
  const url = urlOf(await inspect(c.id)) as string;
  await waitFor(
    async () => {
      const h = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      return { done: h?.status === 200, seen: `GET /health -> ${h?.status ?? 'no answer'}` };
    },
    { what: `${FROM} on ${volume} to pass /health`, timeoutMs: 120_000, intervalMs: 200 },
  );
  return { id: c.id, url };
}

async function stop(id: string): Promise<void> {
  await docker()
    .getContainer(id)
    .stop({ t: 30 })
    .catch(() => undefined);
  await removeContainer(id);
  created.containers.delete(id);
}

describe('starting points of the upgrade check: a home volume and a home backup', () => {
  let home: Capture;
  let backupDir: string;

  beforeAll(async () => {
    await docker().createVolume({ Name: homeVolume, Labels: { [HARNESS_LABEL]: '1', [PROJECT_LABEL]: run } });
    const h = await influxOn(homeVolume);
    const o = await onboard({ url: h.url, ...admin });
    const { points } = sampleEventPoints({ seed: 13, count: 1500, startMs: Date.UTC(2026, 0, 1) });
    await writePoints(connect(h.url, o.test.token), TEST_TARGET, points);
    home = await capture({ url: h.url, adminToken: admin.adminToken });
    backupDir = mkdtempSync(join(tmpdir(), 'homeiq-upgrade-backup-'));
    await backupServer(h.url, admin.adminToken, backupDir);
    await stop(h.id);
  });

  afterAll(async () => {
    for (const id of created.containers) await removeContainer(id);
    for (const v of created.volumes)
      await docker()
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
    const left = await docker().listContainers({
      all: true,
      filters: { label: [`${PROJECT_LABEL}=${run}`] },
    });
    check(left.length === 0, {
      service: 'upgrade',
      what: 'containers left by this file',
      expected: 0,
      measured: left.length,
    });
  });

  it('--from-volume: a copy of the home volume serves the same points; the home volume is untouched', async () => {
    const project = `${run}-vol`;
    await prepareDataVolume(project, { kind: 'volume', volume: homeVolume }, FROM, {});
    created.volumes.add(dataVolumeOf(project));
    const copy = await influxOn(dataVolumeOf(project));
    const got = await capture({ url: copy.url, adminToken: admin.adminToken });
    await stop(copy.id);
    const f = compareCounts(home, got);
    check(f.ok, {
      service: 'influxdb',
      what: `copy of volume ${homeVolume}: ${f.what}`,
      expected: f.expected,
      measured: f.measured,
      detail: f.detail,
    });
    const again = await influxOn(homeVolume);
    const original = await capture({ url: again.url, adminToken: admin.adminToken });
    await stop(again.id);
    const g = compareCounts(home, original);
    check(g.ok, {
      service: 'influxdb',
      what: `home volume ${homeVolume} after the copy: ${g.what}`,
      expected: g.expected,
      measured: g.measured,
    });
  });

  it('--from-backup: a full restore of an influx backup serves the same points and tokens', async () => {
    const project = `${run}-bak`;
    const prepared = await prepareDataVolume(
      project,
      { kind: 'backup', dir: backupDir, manifest: readBackupManifest(backupDir) },
      FROM,
      {},
    );
    created.volumes.add(dataVolumeOf(project));
    check(prepared?.adminToken === admin.adminToken, {
      service: 'influxdb',
      what: 'operator token returned by the KV restore',
      expected: 'the home operator token',
      measured: prepared?.adminToken ? 'another value' : '(none)',
    });
    const restored = await influxOn(dataVolumeOf(project));
    const got = await capture({ url: restored.url, adminToken: admin.adminToken });
    await stop(restored.id);
    const f = compareCounts(home, got);
    check(f.ok, {
      service: 'influxdb',
      what: `restore of ${backupDir}: ${f.what}`,
      expected: f.expected,
      measured: f.measured,
      detail: f.detail,
    });
    const ids = (c: Capture) => c.authorizations.map((a) => `${a.id}:${a.permissions.join(',')}`).join(' ');
    check(ids(got) === ids(home), {
      service: 'influxdb',
      what: 'authorizations after the restore',
      expected: `${home.authorizations.length} as in the home`,
      measured: `${got.authorizations.length}`,
    });
  });
});
