/**
 * Foundation: the Docker engine, Testcontainers and the project-built image work together, and
 * nothing a test starts outlives it.
 */
import { randomUUID } from 'node:crypto';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CleanupScope } from '../../harness/docker/cleanup.ts';
import { dockerClient, HARNESS_LABEL, RUN_LABEL } from '../../harness/docker/client.ts';
import { ownerLabels } from '../../harness/docker/identity.ts';
import { countResources } from '../../harness/docker/resources.ts';
import { pins } from '../../harness/provision/pins.ts';

const runId = randomUUID();
const label = `${RUN_LABEL}=${runId}`;
const labels = { ...ownerLabels(), [HARNESS_LABEL]: '1', [RUN_LABEL]: runId };

// A tiny HTTP server inside the project's image: proves Node 24 and the app image run, and that a
// published port answers from the host. It writes to a named volume to prove volumes work.
const server = `
const http = require('node:http'); const fs = require('node:fs');
fs.writeFileSync('/data/hello', process.version);
http.createServer((req, res) => res.end(JSON.stringify({ node: process.version, data: fs.readFileSync('/data/hello', 'utf8') })))
  .listen(8080, () => console.log('listening on 8080'));
`;

describe('foundation: a project-built image booted through Testcontainers', () => {
  const scope = new CleanupScope(label);
  let container: StartedTestContainer;
  let before: Awaited<ReturnType<typeof countResources>>;

  beforeAll(async () => {
    before = await countResources(label);
    const docker = dockerClient();
    const name = `homeiq-foundation-${runId.slice(0, 8)}`;
    const net = await docker.createNetwork({ Name: name, Labels: labels });
    scope.add(`network ${name}`, () => net.remove());
    await docker.createVolume({ Name: name, Labels: labels });
    scope.add(`volume ${name}`, () => docker.getVolume(name).remove());
    container = await new GenericContainer(pins.appImage)
      .withLabels(labels)
      .withNetworkMode(name)
      .withBindMounts([{ source: name, target: '/data' }])
      .withCommand(['-e', server])
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forLogMessage('listening on 8080'))
      .withStartupTimeout(60_000)
      .start();
    scope.add(`container ${name}`, () => container.stop({ remove: true, removeVolumes: true }));
  });

  afterAll(async () => {
    await scope.cleanup();
  });

  it('answers over a published port with Node >= 22.22 inside the image', async () => {
    const res = await request(`http://${container.getHost()}:${container.getMappedPort(8080)}/`);
    const body = (await res.body.json()) as { node: string; data: string };
    expect(res.statusCode, `${pins.appImage} HTTP status`).toBe(200);
    const [major, minor] = body.node.replace('v', '').split('.').map(Number);
    expect(
      (major ?? 0) * 100 + (minor ?? 0),
      `${pins.appImage} node version ${body.node}`,
    ).toBeGreaterThanOrEqual(2222);
    expect(body.data, 'named volume round-trip').toBe(body.node);
  });

  it('counts what it started: one container, one network, one volume', async () => {
    // The positive control for the leak check below: the counter does see our resources.
    const during = await countResources(label);
    expect(before, 'resources with this run label before the test').toMatchObject({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
    expect(during, `resources with label ${label} while running`).toMatchObject({
      containers: 1,
      networks: 1,
      volumes: 1,
    });
  });

  it('leaves no container, network or volume behind after cleanup', async () => {
    await scope.cleanup();
    const after = await countResources(label);
    expect(
      { containers: after.containers, networks: after.networks, volumes: after.volumes },
      `left behind by ${label}: ${after.names.join(', ') || 'nothing'}`,
    ).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
