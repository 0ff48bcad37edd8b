/**
 * The mock HA in a container (image homeiq/app:local, command harness/mock-ha/cli.ts), as the
 * compose service home-assistant-test runs it, through Testcontainers. The Ryuk reaper cannot
 * be pulled here, so it is disabled and stop() (idempotent, also via `await using`) removes
 * the container.
 */
import { readFileSync } from 'node:fs';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { ownerLabels } from '../docker/identity.ts';
import type { HomeSize } from './home/home.ts';
import { randomToken } from './index.ts';

const pins = JSON.parse(readFileSync(new URL('../config/pins.json', import.meta.url), 'utf8')) as {
  appImage: string;
};

export const MOCK_HA_LABELS = { 'com.homeiq.harness': '1', 'com.homeiq.service': 'home-assistant-test' };

export interface MockHaContainerOptions {
  image?: string;
  token?: string;
  controlToken?: string;
  seed?: number;
  homeSize?: HomeSize;
}

export interface StartedMockHaContainer {
  url: string;
  wsUrl: string;
  token: string;
  controlToken: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startMockHaContainer(
  opts: MockHaContainerOptions = {},
): Promise<StartedMockHaContainer> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const token = opts.token ?? randomToken();
  const controlToken = opts.controlToken ?? randomToken();
  const container = await new GenericContainer(opts.image ?? pins.appImage)
    .withCommand(['harness/mock-ha/cli.ts', '--port', '8123'])
    .withEnvironment({
      HA_TOKEN: token,
      MOCK_HA_CONTROL_TOKEN: controlToken,
      MOCK_HA_SEED: String(opts.seed ?? 1),
      MOCK_HA_HOME_SIZE: opts.homeSize ?? 'small',
    })
    .withExposedPorts(8123)
    .withLabels({ ...MOCK_HA_LABELS, ...ownerLabels() })
    .withWaitStrategy(Wait.forHttp('/_mock/health', 8123).forStatusCode(200))
    .withStartupTimeout(60_000)
    .start();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= container.stop({ remove: true, removeVolumes: true }).then(() => undefined);
    return stopping;
  };
  const base = `http://${container.getHost()}:${container.getMappedPort(8123)}`;
  return {
    url: base,
    wsUrl: `${base.replace(/^http/, 'ws')}/api/websocket`,
    token,
    controlToken,
    container,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
