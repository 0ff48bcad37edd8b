/**
 * The fake upstreams as the compose service runs them (homeiq/app:local, serve.ts, PORT=8090),
 * called from another container: the upstreams' own request counts and the caller's measured
 * egress agree, and the upstreams container itself opens no connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pins from '../../harness/config/pins.json' with { type: 'json' };
import { ownerLabels } from '../../harness/docker/identity.ts';
import { type ServiceEgress, startEgressMonitor } from '../../harness/egress/index.ts';
import { recordEgress } from '../../harness/report/measurements.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { docker, type ScratchContainer, startScratchContainer } from './scratch-containers.ts';

describe('fake-upstreams container (serve.ts in the app image)', () => {
  const network = `homeiq-obs-upstreams-${process.pid}`;
  let upstreams: ScratchContainer;
  let caller: ScratchContainer;
  let seen: Record<string, ServiceEgress>;
  let counts: { counts: Record<string, number>; total: number };
  const responses: string[] = [];

  beforeAll(async () => {
    await docker.createNetwork({ Name: network, Labels: ownerLabels() });
    upstreams = await startScratchContainer({
      name: 'fake-upstreams',
      image: pins.appImage,
      cmd: ['fixtures/upstreams/serve.ts'],
      env: { PORT: '8090' },
      network,
      alias: 'fake-upstreams',
    });
    caller = await startScratchContainer({ name: 'upstreams-caller', network });
    const base = `http://${upstreams.ip}:8090`;
    await waitFor(
      async () => {
        const res = await fetch(`${base}/_upstreams/health`);
        return { done: res.ok, seen: `HTTP ${res.status}` };
      },
      { what: `fake-upstreams health at ${base}`, timeoutMs: 30_000 },
    );
    await using monitor = await startEgressMonitor({
      targets: [
        { service: 'upstreams-caller', containerId: caller.id },
        { service: 'fake-upstreams', containerId: upstreams.id },
      ],
    });
    for (const path of [
      '/data/2.5/weather?lat=48.2&lon=16.4&units=metric&appid=test',
      '/v1/marketdata',
      '/v3/signal-index?region=CAISO_NORTH',
    ]) {
      const r = await caller.exec([
        'curl',
        '-sS',
        '-m',
        '5',
        '-H',
        'Authorization: Bearer t',
        `http://fake-upstreams:8090${path}`,
      ]);
      responses.push(r.output);
    }
    seen = await monitor.read();
    recordEgress('caller -> fake-upstreams container', seen);
    counts = (await (await fetch(`${base}/_upstreams/requests`)).json()) as typeof counts;
  }, 180_000);

  afterAll(async () => {
    await caller?.remove();
    await upstreams?.remove();
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
  });

  it('answers the callers with the msw handlers and counts each request', () => {
    expect(JSON.parse(responses[0] ?? '{}')).toMatchObject({ cod: 200 });
    expect(JSON.parse(responses[1] ?? '{}').data).toHaveLength(24);
    expect(JSON.parse(responses[2] ?? '{}').meta).toMatchObject({ region: 'CAISO_NORTH' });
    expect(counts).toEqual({
      counts: { 'GET /data/2.5/weather': 1, 'GET /v1/marketdata': 1, 'GET /v3/signal-index': 1 },
      total: 3,
    });
  });

  it("sees the same calls in the caller's network traffic, and none from the upstreams", () => {
    expect(seen['upstreams-caller']).toMatchObject({
      newConnections: counts.total,
      destinations: [`${upstreams.ip}:8090/tcp`],
      dnsQueries: ['fake-upstreams'],
    });
    expect(seen['fake-upstreams']).toMatchObject({ newConnections: 0, destinations: [] });
  });
});
