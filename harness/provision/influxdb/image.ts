/**
 * Wraps a cached influxd binary into the local image homeiq/influxdb:<version>, FROM the base
 * image. The image's label records the binary's sha256, so a changed binary rebuilds it.
 */
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../util/log.ts';
import { docker, imageLabel } from '../docker-cli.ts';
import { repoRoot } from '../paths.ts';
import { pins } from '../pins.ts';
import { SetupError } from '../step.ts';
import { type InfluxdFiles, sha256File } from './files.ts';

export const SHA_LABEL = 'com.homeiq.influxd.sha256';
/** sha256 of the Dockerfile the image was built from: a changed Dockerfile (e.g. STOPSIGNAL) rebuilds it. */
export const DOCKERFILE_LABEL = 'com.homeiq.influxdb.dockerfile-sha256';
const DOCKERFILE = join(repoRoot, 'fixtures/images/influxdb/Dockerfile');

/** True when the image wraps this binary and was built from the current Dockerfile. */
export async function imageMatchesBinary(image: string, files: InfluxdFiles): Promise<boolean> {
  const [label, sha, fileLabel, fileSha] = await Promise.all([
    imageLabel(image, SHA_LABEL),
    sha256File(files.binary),
    imageLabel(image, DOCKERFILE_LABEL),
    sha256File(DOCKERFILE),
  ]);
  return label === sha && fileLabel === fileSha;
}

export async function buildImage(
  image: string,
  version: string,
  files: InfluxdFiles,
  log: Logger,
): Promise<void> {
  const sha = await sha256File(files.binary);
  const dockerfileSha = await sha256File(DOCKERFILE);
  const info = JSON.stringify(JSON.parse(await readFile(files.buildInfo, 'utf8')));
  const ctx = join(files.dir, 'image-context');
  await rm(ctx, { recursive: true, force: true });
  await mkdir(ctx, { recursive: true });
  await copyFile(files.binary, join(ctx, 'influxd'));
  log.info(`building image ${image} (influxd sha256 ${sha.slice(0, 12)})`);
  const r = await docker(
    [
      'build',
      '-q',
      '-f',
      DOCKERFILE,
      '--build-arg',
      `BASE_IMAGE=${pins.baseImage.tag}`,
      '--build-arg',
      `INFLUXD_VERSION=${version}`,
      '--build-arg',
      `INFLUXD_SHA256=${sha}`,
      '--build-arg',
      `INFLUXD_BUILD_INFO=${info}`,
      '--label',
      `${DOCKERFILE_LABEL}=${dockerfileSha}`,
      '-t',
      image,
      ctx,
    ],
    { timeoutMs: 600_000 },
  );
  await rm(ctx, { recursive: true, force: true });
  if (r.code !== 0) {
    throw new SetupError(
      `docker build ${image} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
}
