/**
 * Provisioning of the InfluxDB 2.x server image homeiq/influxdb:<version> for the setup
 * orchestrator. Order: an up-to-date local image from the cached binary (seconds); the official
 * pinned image (present locally or pulled within ~10 s, retagged); the cached binary wrapped into
 * an image; a fresh build of influxd from its Go module.
 */
import type { Logger } from '../../util/log.ts';
import { docker, imageExists } from '../docker-cli.ts';
import { pins } from '../pins.ts';
import { tryPull } from '../registry.ts';
import { SetupError } from '../step.ts';
import { buildInfluxd } from './build.ts';
import { exists, influxdFiles } from './files.ts';
import { buildImage, imageMatchesBinary } from './image.ts';

export interface ProvisionResult {
  image: string;
  source: 'registry' | 'cache' | 'built';
  seconds: number;
}

export const localImageName = (version: string): string =>
  pins.influxdb.localImage.replace('{version}', version);

export async function provisionInfluxdb(version: string, log: Logger): Promise<ProvisionResult> {
  const t0 = performance.now();
  const done = (source: ProvisionResult['source']): ProvisionResult => ({
    image,
    source,
    seconds: (performance.now() - t0) / 1000,
  });
  const pin = pins.influxdb.versions[version];
  if (!pin) {
    throw new SetupError(
      `InfluxDB ${version} is not pinned in harness/config/pins.json (influxdb.versions has ${Object.keys(pins.influxdb.versions).join(', ')})`,
    );
  }
  const image = localImageName(version);
  const files = influxdFiles(version);
  const cached = await exists(files.binary);
  if (cached && (await imageExists(image)) && (await imageMatchesBinary(image, files))) {
    log.info(`${image} is up to date with the cached influxd (${files.binary})`);
    return done('cache');
  }
  const official = pin.officialImage;
  const pulled = (await imageExists(official))
    ? { pulled: true, why: 'present locally' }
    : await tryPull(official, 10_000);
  if (pulled.pulled) {
    const r = await docker(['tag', official, image]);
    if (r.code !== 0) throw new SetupError(`docker tag ${official} ${image} failed: ${r.stderr.trim()}`);
    log.info(`${image} = official ${official} (${pulled.why})`);
    return done('registry');
  }
  log.info(`official ${official} unavailable: ${pulled.why}`);
  if (!cached) await buildInfluxd(version, pin.goModuleSum, log);
  await buildImage(image, version, files, log);
  return done(cached ? 'cache' : 'built');
}
