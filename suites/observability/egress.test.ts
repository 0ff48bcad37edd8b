/**
 * The egress monitor against real containers: a container that calls another container counts
 * its new connections and destinations (positive control); a container that only answers inbound
 * requests (health checks) counts 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerLabels } from '../../harness/docker/identity.ts';
import {
  assertNoEgress,
  assertNoExternalEgress,
  type ServiceEgress,
  startEgressMonitor,
} from '../../harness/egress/index.ts';
import { recordEgress } from '../../harness/report/measurements.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { docker, type ScratchContainer, startScratchContainer } from './scratch-containers.ts';

// A one-file HTTP server in Perl (the base image has perl, no nc/python): answers "ok" on :8080.
const PERL_HTTP =
  'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 16, ReuseAddr => 1) or die $!; ' +
  'while (my $c = $s->accept) { my $l; while (defined($l = <$c>) && $l ne "\\r\\n") {} ' +
  'print $c "HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok"; close $c }';

const CALLS = Number(process.env.HOMEIQ_OBS_EGRESS_CALLS ?? 3);

describe('egress monitor (real containers, iptables + tcpdump sidecars)', () => {
  const network = `homeiq-obs-egress-${process.pid}`;
  let server: ScratchContainer;
  let caller: ScratchContainer;
  let seen: Record<string, ServiceEgress>;
  let sidecarsAfterStop: number;

  beforeAll(async () => {
    await docker.createNetwork({ Name: network, Labels: ownerLabels() });
    server = await startScratchContainer({ name: 'egress-server', network, cmd: ['perl', '-e', PERL_HTTP] });
    caller = await startScratchContainer({ name: 'egress-caller', network });
    const serverUrl = `http://${server.ip}:8080/health`;
    await waitFor(
      async () => {
        const res = await fetch(serverUrl);
        return { done: res.ok, seen: `HTTP ${res.status}` };
      },
      { what: `perl server at ${serverUrl}`, timeoutMs: 20_000 },
    );

    const monitor = await startEgressMonitor({
      targets: [
        { service: 'egress-caller', containerId: caller.id },
        { service: 'egress-server', containerId: server.id },
      ],
    });
    try {
      // Inbound only for the server: health checks from the harness and requests from the caller.
      for (let i = 0; i < 3; i++) expect(await (await fetch(serverUrl)).text()).toBe('ok');
      for (let i = 0; i < CALLS; i++) {
        const r = await caller.exec(['curl', '-sS', '-m', '5', `http://${server.name}:8080/`]);
        expect(r.output).toBe('ok');
      }
      seen = await monitor.read();
      recordEgress('caller -> server positive control; server answers inbound only', seen);
    } finally {
      await monitor.stop();
      await monitor.stop(); // idempotent
    }
    sidecarsAfterStop = (
      await docker.listContainers({ all: true, filters: { label: ['com.homeiq.role=egress-sidecar'] } })
    ).filter(
      (c) =>
        c.Labels['com.homeiq.egress-target'] === caller.id ||
        c.Labels['com.homeiq.egress-target'] === server.id,
    ).length;
  }, 120_000);

  afterAll(async () => {
    await caller?.remove();
    await server?.remove();
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
  });

  it("counts the calling container's new connections and destinations (positive control)", () => {
    const c = seen['egress-caller'];
    console.info(`egress caller: ${JSON.stringify(c)}`);
    expect(c?.newConnections).toBe(CALLS);
    expect(c?.destinations).toEqual([`${server.ip}:8080/tcp`]);
    expect(c?.byDestination).toEqual([
      { destination: `${server.ip}:8080/tcp`, scope: 'container', count: CALLS },
    ]);
    expect(c?.dnsQueries).toContain(server.name);
    expect(c?.externalConnections).toBe(0);
  });

  it('counts 0 for a container that only answered inbound requests (health checks)', () => {
    const s = seen['egress-server'];
    console.info(`egress server: ${JSON.stringify(s)}`);
    expect(s).toMatchObject({ newConnections: 0, destinations: [], dnsQueries: [] });
    expect(() => assertNoExternalEgress(seen)).not.toThrow();
  });

  it('removed its sidecars', () => {
    expect(sidecarsAfterStop).toBe(0);
  });
});

describe('egress monitor when the target restarts', () => {
  let target: ScratchContainer;
  let before: ServiceEgress | undefined;
  let after: ServiceEgress | undefined;

  beforeAll(async () => {
    target = await startScratchContainer({ name: 'egress-restarting' });
    const gateway = (await docker.getContainer(target.id).inspect()).NetworkSettings.Networks.bridge?.Gateway;
    await using monitor = await startEgressMonitor({
      targets: [{ service: 'egress-restarting', containerId: target.id }],
    });
    before = (await monitor.read())['egress-restarting'];
    await docker.getContainer(target.id).restart({ t: 1 });
    // after the restart the container lives in a new network namespace the sidecar does not see
    await target.exec(['curl', '-sS', '-m', '2', `http://${gateway}:9/`]);
    after = (await monitor.read())['egress-restarting'];
  }, 120_000);

  afterAll(async () => {
    await target?.remove();
  });

  it('reports the gap instead of a false zero', () => {
    expect(before).toMatchObject({ newConnections: 0, monitoring: 'intact' });
    expect(after?.monitoring).toBe('target-restarted');
    expect(() => assertNoEgress({ 'egress-restarting': after as ServiceEgress })).toThrow(
      /^egress-restarting: cannot prove the absence of egress, monitoring target-restarted/,
    );
  });
});
