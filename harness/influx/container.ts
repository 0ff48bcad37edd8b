/**
 * A real InfluxDB 2.x server in a container, through Testcontainers (for suites). The image is
 * INFLUXDB_IMAGE or homeiq/influxdb:<version> (harness/provision/influxdb builds it). The Ryuk
 * reaper cannot be pulled here, so it is disabled and callers stop the container (stop() is
 * idempotent; `await using` works).
 */

import { readFileSync } from 'node:fs';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { ownerLabels } from '../docker/identity.ts';

const pins = JSON.parse(readFileSync(new URL('../config/pins.json', import.meta.url), 'utf8')) as {
  influxdb: { baseline: string; localImage: string };
};

export const HARNESS_LABELS = { 'com.homeiq.harness': '1', 'com.homeiq.service': 'influxdb' };

export interface StartedInflux {
  url: string;
  version: string;
  image: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function influxVersionFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.INFLUXDB_VERSION || pins.influxdb.baseline;
}

export function influxImageFor(version: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.INFLUXDB_IMAGE || pins.influxdb.localImage.replace('{version}', version);
}

export async function startInfluxContainer(
  version = influxVersionFromEnv(),
  opts: { image?: string; memoryGb?: number; cpus?: number } = {},
): Promise<StartedInflux> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const image = opts.image ?? influxImageFor(version);
  let generic = new GenericContainer(image)
    .withExposedPorts(8086)
    .withLabels({ ...HARNESS_LABELS, ...ownerLabels() })
    .withWaitStrategy(Wait.forHttp('/health', 8086).forStatusCode(200))
    .withStartupTimeout(120_000);
  if (opts.memoryGb !== undefined || opts.cpus !== undefined) {
    generic = generic.withResourcesQuota({
      ...(opts.memoryGb === undefined ? {} : { memory: opts.memoryGb }),
      ...(opts.cpus === undefined ? {} : { cpu: opts.cpus }),
    });
  }
  const container = await generic.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await container.stop({ remove: true, removeVolumes: true });
  };
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(8086)}`,
    version,
    image,
    container,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
