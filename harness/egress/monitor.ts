/**
 * Network-level egress monitor: one sidecar container per target, sharing the target's network
 * namespace (`NetworkMode: container:<id>`, NET_ADMIN + NET_RAW), counts new outbound connections
 * with iptables and prints each one (tcpdump on an NFLOG group). Proven from the containers'
 * traffic, not from in-process mocks. Sidecars carry com.homeiq.harness=1 and are removed by stop().
 */
import { randomInt } from 'node:crypto';
import Docker from 'dockerode';
import pins from '../config/pins.json' with { type: 'json' };
import { containerStop } from '../docker/container-exit.ts';
import { ownerLabels } from '../docker/identity.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { classifyDestination, type DestinationScope, type NetworkRange } from './classify.ts';
import { EgressError } from './errors.ts';
import { type ObservedPacket, parseChainCounters, parseTcpdumpLine } from './parse.ts';
import { countersCommand, READY_LINE, sidecarScript } from './sidecar-script.ts';

export interface EgressTarget {
  service: string;
  containerId: string;
}

export interface EgressMonitorOptions {
  targets: EgressTarget[];
  docker?: Docker;
  /** Image with sh, iptables and tcpdump. Default: the pinned base image. */
  image?: string;
  /** How long to wait for each sidecar's capture to be ready. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface DestinationCount {
  destination: string;
  scope: DestinationScope;
  count: number;
}

export interface ServiceEgress {
  /** New outbound connections leaving the namespace (iptables counter; loopback excluded). */
  newConnections: number;
  /** Distinct destinations (`ip:port/proto`), sorted. */
  destinations: string[];
  /** Per destination: scope (container, host, external) and count. */
  byDestination: DestinationCount[];
  /** New connections to destinations outside every Docker network (nor a gateway). */
  externalConnections: number;
  externalDestinations: string[];
  /** Names asked of Docker's embedded DNS resolver (e.g. `influxdb`, `api.openweathermap.org`). */
  dnsQueries: string[];
  /**
   * DNS query packets sent to Docker's embedded resolver (UDP/TCP 53 on 127.0.0.11): a lookup is
   * outbound traffic too (the resolver forwards names it does not know to the host's resolvers).
   */
  dnsLookups: number;
  /**
   * 'intact': the sidecar watched the target's network namespace the whole time. A restarted target
   * gets a new namespace the sidecar does not see, so its later traffic is unobserved.
   * 'capture-behind': the counters counted connections that tcpdump had not printed by the read's
   * deadline (a loaded machine): the counts stand, some destinations are unnamed.
   */
  monitoring: 'intact' | 'target-restarted' | 'target-stopped' | 'capture-behind';
}

export interface StartedEgressMonitor {
  read(): Promise<Record<string, ServiceEgress>>;
  /** Removes the rules and the sidecars; idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Sidecar {
  target: EgressTarget;
  chain: string;
  container: Docker.Container;
  /** State.StartedAt of the target when the sidecar joined its namespace */
  targetStartedAt: string;
}

const log = createLogger('egress');

async function networkRanges(docker: Docker): Promise<NetworkRange[]> {
  const nets = await docker.listNetworks();
  return nets.flatMap((n) =>
    (n.IPAM?.Config ?? [])
      .filter((c): c is { Subnet: string; Gateway?: string } => typeof c.Subnet === 'string')
      .map((c) => ({ subnet: c.Subnet, gateway: c.Gateway })),
  );
}

async function logsText(container: Docker.Container): Promise<string> {
  const buf = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return buf.toString('utf8');
}

async function execText(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  const text = Buffer.concat(chunks).toString('utf8');
  if (ExitCode !== 0) throw new Error(`${cmd.join(' ')} exited ${ExitCode}: ${text.trim()}`);
  return text;
}

async function startSidecar(docker: Docker, target: EgressTarget, image: string, readyTimeoutMs: number) {
  const targetInfo = await docker.getContainer(target.containerId).inspect();
  if (!targetInfo.State.Running) {
    throw new EgressError(
      'EGRESS_SIDECAR_FAILED',
      `egress target ${target.service} (${target.containerId.slice(0, 12)}) is not running (${targetInfo.State.Status})`,
    );
  }
  const chain = `HQEG_${randomInt(1, 0xffffff).toString(16).toUpperCase()}`;
  const group = randomInt(100, 65535);
  const container = await docker.createContainer({
    Image: image,
    name: `homeiq-egress-${target.service}-${chain.slice(5).toLowerCase()}`,
    Entrypoint: ['sh', '-c'],
    Cmd: [sidecarScript({ chain, group })],
    Tty: true,
    Labels: {
      ...ownerLabels(),
      'com.homeiq.harness': '1',
      'com.homeiq.role': 'egress-sidecar',
      'com.homeiq.egress-target': target.containerId,
      'com.homeiq.service': `egress-${target.service}`,
    },
    HostConfig: {
      NetworkMode: `container:${target.containerId}`,
      CapAdd: ['NET_ADMIN', 'NET_RAW'],
      Memory: 32 * 1024 * 1024,
    },
  });
  const sidecar: Sidecar = { target, chain, container, targetStartedAt: targetInfo.State.StartedAt };
  try {
    await container.start();
    await waitFor(
      async () => {
        const text = await logsText(container);
        const state = (await container.inspect()).State;
        if (!state.Running)
          return {
            done: false,
            seen: text.trim().slice(-300),
            fatal: `the sidecar exited (${state.ExitCode}): ${text.trim().slice(-300)}`,
          };
        return { done: text.includes(READY_LINE), seen: text.trim().split(/\r?\n/).at(-1) ?? '(no output)' };
      },
      {
        what: `egress sidecar of ${target.service} to capture (tcpdump on nflog:${group})`,
        timeoutMs: readyTimeoutMs,
        abandonWhen: containerStop(container, `egress sidecar of ${target.service}`),
      },
    );
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw new EgressError(
      'EGRESS_SIDECAR_FAILED',
      `egress sidecar for ${target.service} (${target.containerId.slice(0, 12)}) failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return sidecar;
}

function summarise(
  packets: ObservedPacket[],
  newConnections: number,
  ranges: NetworkRange[],
  monitoring: ServiceEgress['monitoring'],
  dnsPackets?: number,
): ServiceEgress {
  const counts = new Map<string, DestinationCount>();
  const dns = new Set<string>();
  for (const p of packets) {
    if (p.embeddedDns) {
      if (p.dnsQuestion) dns.add(p.dnsQuestion);
      continue;
    }
    const existing = counts.get(p.destination);
    if (existing) existing.count++;
    else
      counts.set(p.destination, {
        destination: p.destination,
        scope: classifyDestination(p.ip, ranges),
        count: 1,
      });
  }
  const byDestination = [...counts.values()].sort((a, b) => a.destination.localeCompare(b.destination));
  const external = byDestination.filter((d) => d.scope === 'external');
  return {
    newConnections,
    destinations: byDestination.map((d) => d.destination),
    byDestination,
    externalConnections: external.reduce((n, d) => n + d.count, 0),
    externalDestinations: external.map((d) => d.destination),
    dnsQueries: [...dns].sort(),
    dnsLookups: Math.max(dnsPackets ?? 0, packets.filter((p) => p.embeddedDns).length),
    monitoring,
  };
}

export async function startEgressMonitor(opts: EgressMonitorOptions): Promise<StartedEgressMonitor> {
  const docker = opts.docker ?? new Docker();
  const image = opts.image ?? pins.baseImage.tag;
  const ranges = await networkRanges(docker);
  const sidecars: Sidecar[] = [];
  let stopping: Promise<void> | undefined;

  const stop = () => {
    stopping ??= (async () => {
      for (const s of sidecars) {
        // SIGTERM runs the script's trap (rules removed); then the container goes.
        await s.container.stop({ t: 5 }).catch(() => undefined);
        await s.container.remove({ force: true }).catch(() => undefined);
      }
      log.debug(`removed ${sidecars.length} egress sidecar(s)`);
    })();
    return stopping;
  };

  const started = await Promise.allSettled(
    opts.targets.map((target) => startSidecar(docker, target, image, opts.readyTimeoutMs ?? 30_000)),
  );
  for (const r of started) if (r.status === 'fulfilled') sidecars.push(r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }

  const readOne = async (s: Sidecar): Promise<ServiceEgress> => {
    const target = await docker
      .getContainer(s.target.containerId)
      .inspect()
      .catch(() => undefined);
    const monitoring: ServiceEgress['monitoring'] = !target?.State.Running
      ? 'target-stopped'
      : target.State.StartedAt !== s.targetStartedAt
        ? 'target-restarted'
        : 'intact';
    if (monitoring !== 'intact') {
      // The sidecar may be gone with the old namespace: what tcpdump printed is all there is.
      // NFLOG flushes in batches (~1 s): read until the capture stopped growing for 1.5 s.
      let text = '';
      let changedAt = Date.now();
      await waitFor(
        async () => {
          const now = await logsText(s.container).catch(() => text);
          if (now !== text) {
            text = now;
            changedAt = Date.now();
          }
          return { done: Date.now() - changedAt >= 1_500, seen: `${text.length} bytes of capture` };
        },
        {
          what: `egress capture of ${s.target.service} to settle after the target stopped`,
          timeoutMs: 10_000,
          intervalMs: 250,
        },
      ).catch(() => undefined);
      const packets = text
        .split(/\r?\n/)
        .map(parseTcpdumpLine)
        .filter((p): p is ObservedPacket => p !== undefined);
      return summarise(packets, packets.filter((p) => !p.embeddedDns).length, ranges, monitoring);
    }
    const counters = parseChainCounters(await execText(s.container, countersCommand(s.chain)));
    // NFLOG batches messages (flush timeout ~1 s): wait until tcpdump printed every counted packet.
    // The counters are the evidence; the capture only names destinations. A capture still behind at
    // the deadline (a loaded machine) is reported as such, with the counted connections, never thrown.
    let printed: ObservedPacket[] = [];
    const caughtUp = await waitFor(
      async () => {
        printed = (await logsText(s.container))
          .split(/\r?\n/)
          .map(parseTcpdumpLine)
          .filter((p): p is ObservedPacket => p !== undefined);
        const outbound = printed.filter((p) => !p.embeddedDns).length;
        return {
          done: outbound >= counters.newConnections,
          value: true,
          seen: `${outbound} of ${counters.newConnections} counted connections printed by tcpdump`,
        };
      },
      { what: `egress capture of ${s.target.service} to catch up with its counters`, timeoutMs: 10_000 },
    ).catch(() => false);
    return summarise(
      printed,
      counters.newConnections,
      ranges,
      caughtUp ? monitoring : 'capture-behind',
      counters.dnsPackets,
    );
  };

  return {
    read: async () => {
      if (stopping) throw new EgressError('EGRESS_SIDECAR_FAILED', 'egress monitor read() after stop()');
      const results = await Promise.all(
        sidecars.map(async (s) => [s.target.service, await readOne(s)] as const),
      );
      return Object.fromEntries(results);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function unobserved(service: string, e: ServiceEgress): string | undefined {
  if (e.monitoring === 'intact') return undefined;
  return `${service}: cannot prove the absence of egress, monitoring ${e.monitoring} (traffic after that is unobserved; start the monitor after the restart)`;
}

const dnsNote = (e: ServiceEgress) => (e.dnsQueries.length ? ` (DNS asked: ${e.dnsQueries.join(', ')})` : '');

/** Throws when any service opened a connection outside the Docker networks (or was not fully observed). */
export function assertNoExternalEgress(egress: Record<string, ServiceEgress>): void {
  const problems = Object.entries(egress).flatMap(([service, e]) => {
    const gap = unobserved(service, e);
    if (gap) return [gap];
    if (e.externalConnections === 0) return [];
    return [
      `${service}: expected 0 external connections, measured ${e.externalConnections} to ${e.externalDestinations.join(', ')}${dnsNote(e)}`,
    ];
  });
  if (problems.length > 0) throw new EgressError('EGRESS_DETECTED', problems.join('\n'));
}

/** Throws when any of `services` (default: all) opened any outbound connection at all, even to a container, or asked DNS anything. */
export function assertNoEgress(egress: Record<string, ServiceEgress>, services = Object.keys(egress)): void {
  const problems = services.flatMap((service) => {
    const e = egress[service];
    if (!e) return [`${service}: not monitored`];
    const gap = unobserved(service, e);
    if (gap) return [gap];
    if (e.newConnections === 0 && e.dnsLookups === 0) return [];
    return [
      `${service}: expected 0 outbound connections and 0 DNS lookups, measured ${e.newConnections} to ${e.destinations.join(', ') || '-'} and ${e.dnsLookups} DNS lookups${dnsNote(e)}`,
    ];
  });
  if (problems.length > 0) throw new EgressError('EGRESS_DETECTED', problems.join('\n'));
}
