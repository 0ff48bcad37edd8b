/**
 * External APIs disabled (seed 000, story 40.5): in test mode the seven collectors report
 * disabled and send nothing out (no TCP/UDP/ICMP connection, no DNS lookup), proven at the
 * network level over every phase of a collector's life: a copy of each is watched from the first
 * instant of its process (monitor attached before it starts), through startup, WATCH_MS of idle
 * running, SIGTERM and its exit; and the stack's own collectors are watched for the whole of this
 * file. Positive control: the same detector sees the connections of a collector enabled in
 * production mode.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  type ServiceEgress,
  type StartedEgressMonitor,
  startEgressMonitor,
} from '../../harness/egress/index.ts';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { describeVariantEnd } from '../../harness/failure/variant.ts';
import { health, probe } from '../../harness/probes/http.ts';
import { activeProfile, productionEnvFor } from '../../harness/profile/index.ts';
import { recordEgress } from '../../harness/report/measurements.ts';
import { docker } from '../../harness/stack/docker.ts';
import { requireCapability, type StartedStack, type VariantResult } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { containerMode, modeCheck } from '../../harness/verify/container-mode.ts';
import { mappedHealth, roles } from '../../harness/verify/evidence.ts';

const collectors = () => roles().collectors;

/**
 * How long each copy is watched while idle after it answered /health, before it is sent SIGTERM
 * (startup and shutdown are always fully observed). 30 s: a disabled collector that calls out
 * once, late (a first poll scheduled after start, a retry timer), must fall inside the window;
 * the copies run in parallel, so this costs about 30 s once, not per collector.
 */
const WATCH_MS = Number(process.env.HOMEIQ_EGRESS_WATCH_MS ?? 30_000);
/** The copy's stop timeout after SIGTERM (then Docker SIGKILLs it). */
const STOP_TIMEOUT_S = 10;

interface Observed {
  variant: VariantResult;
  egress: ServiceEgress | undefined;
  /** Milliseconds from SIGTERM to exit, or undefined when it did not exit by itself. */
  stopMs: number | undefined;
}

/**
 * Run a copy of `service` with `env`, its whole life observed by the egress monitor: start,
 * WATCH_MS of running, SIGTERM (docker stop) and exit.
 */
async function observed(
  stack: StartedStack,
  service: string,
  env: Record<string, string>,
  opts: { watchMs?: number } = {},
): Promise<Observed> {
  const watchMs = opts.watchMs ?? WATCH_MS;
  requireCapability(stack, 'run-variant', `observing ${service} from its first instant`);
  let monitor: StartedEgressMonitor | undefined;
  let egress: ServiceEgress | undefined;
  let stopMs: number | undefined;
  try {
    const variant = await stack.runVariant(service, env, {
      timeoutMs: 60_000,
      beforeStart: async (containerId) => {
        monitor = await startEgressMonitor({ targets: [{ service, containerId }] });
      },
      whileRunning: async (containerId) => {
        const until = Date.now() + watchMs;
        // An observation window, not a synchronisation: count what leaves during it.
        await waitFor(async () => ({ done: Date.now() >= until, seen: 'watching' }), {
          what: `${watchMs} ms of egress observation of ${service}`,
          timeoutMs: watchMs + 5_000,
          intervalMs: 250,
          maxIntervalMs: 250,
        });
        // The shutdown phase is watched too: SIGTERM, then whatever it does until it exits.
        const c = docker().getContainer(containerId);
        const t0 = Date.now();
        if ((await c.inspect()).State.Running) {
          await c.stop({ t: STOP_TIMEOUT_S }).catch(() => undefined);
          const st = (await c.inspect()).State;
          stopMs = st.Running ? undefined : Date.parse(st.FinishedAt) - t0;
        }
        egress = (await monitor?.read())?.[service];
      },
    });
    return { variant, egress, stopMs };
  } finally {
    await monitor?.stop();
  }
}

/** Whatever left a collector: connections (any protocol, any destination) and DNS lookups. */
const describeEgress = (e: ServiceEgress) =>
  `${e.newConnections} connections to [${e.destinations.join(', ')}], ${e.dnsLookups} DNS lookups (${e.dnsQueries.join(', ') || 'no name decoded'})`;
const silent = (e: ServiceEgress | undefined, stoppedByUs: boolean) =>
  e !== undefined &&
  e.newConnections === 0 &&
  e.dnsLookups === 0 &&
  (e.monitoring === 'intact' || (stoppedByUs && e.monitoring === 'target-stopped'));

describe('external APIs disabled in test mode', () => {
  const stack = useStack({
    changes: 'runs copies of every collector, one enabled in production mode with the production token',
  });
  // The stack's own collectors, watched from the start of this file to its egress verdict.
  let running: StartedEgressMonitor | undefined;
  let runningSince = 0;

  let runningError: string | undefined;

  beforeAll(async () => {
    runningSince = Date.now();
    // A failure here is judged by the egress check (red, with the reason), not by every test.
    running = await startEgressMonitor({
      targets: collectors().map((c) => ({
        service: c.service,
        containerId: stack().containerId(c.service) ?? `(no container for ${c.service})`,
      })),
    }).catch((err: unknown) => {
      runningError = err instanceof Error ? err.message : String(err);
      return undefined;
    });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('has every collector answer its health in test mode (container environment; health field where the profile maps it)', async () => {
    const modeVariable = roles().ingestion.modeVariable;
    const results = await Promise.all(
      collectors().map(async (c) => ({
        c,
        h: await mappedHealth(stack().url(c.service), c.health),
        raw: c.health ? undefined : await health(stack().url(c.service)),
        mode: await containerMode(stack(), c.service, modeVariable),
      })),
    );
    checkAll(
      [
        ...results.map(({ c, mode }) => modeCheck(c.service, mode)),
        ...results.map(({ c, h, raw }) => ({
          ok: h
            ? h.healthy && (h.deploymentMode === undefined || h.deploymentMode === 'test')
            : raw?.status === 200,
          e: {
            service: c.service,
            what: c.health?.path ?? '/health',
            expected: c.health?.deploymentMode ? `healthy, ${c.health.deploymentMode}=test` : '200',
            measured: h ? `${h.seen} mode=${String(h.deploymentMode)}` : String(raw?.status),
          },
        })),
      ],
      `collector health and mode in test mode (${collectors().length})`,
    );
  });

  it('has every collector send nothing out (no connection, no DNS lookup) in any phase: start, idle, shutdown, and all along in the stack', async (ctx) => {
    const names = collectors().map((c) => c.service);
    withFailureContext(ctx, stack(), () => names);
    // All copies at once, each watched alone by its own sidecar: the window is paid once.
    const out = await Promise.all(names.map((c) => observed(stack(), c, {})));
    const stackEgress = await running?.read();
    const watchedS = Math.round((Date.now() - runningSince) / 1000);
    recordEgress(
      'collectors in test mode (copies: from process start to exit after SIGTERM)',
      Object.fromEntries(out.map((o) => [o.variant.service, o.egress as ServiceEgress])),
    );
    if (stackEgress)
      recordEgress(`collectors of the stack in test mode (${watchedS} s while this file ran)`, stackEgress);
    checkAll(
      [
        ...out.map((o) => ({
          ok: silent(o.egress, true) && o.variant.exitCode === undefined,
          e: {
            service: o.variant.service,
            what: `outbound traffic of a copy, network level, from its first instant through ${WATCH_MS / 1000} s running and SIGTERM to its exit${o.stopMs === undefined ? '' : ` (${o.stopMs} ms)`}`,
            expected: '0 connections and 0 DNS lookups, and the service running until SIGTERM',
            measured:
              o.egress === undefined
                ? `no egress reading (the copy ${describeVariantEnd(o.variant)})`
                : `${describeEgress(o.egress)}${o.egress.monitoring === 'intact' || o.egress.monitoring === 'target-stopped' ? '' : `; monitoring ${o.egress.monitoring}`}${o.variant.exitCode === undefined ? '' : `; before SIGTERM the copy ${describeVariantEnd(o.variant)}`}`,
          },
        })),
        ...names.map((service) => {
          const e = stackEgress?.[service];
          return {
            ok: silent(e, false),
            e: {
              service,
              what: `outbound traffic of the stack's container, network level, for the ${watchedS} s this file ran`,
              expected: '0 connections and 0 DNS lookups',
              measured:
                e === undefined
                  ? `no egress reading${runningError ? ` (the monitor could not attach: ${runningError})` : ''}`
                  : `${describeEgress(e)}; monitoring ${e.monitoring}`,
            },
          };
        }),
      ],
      'collector egress in test mode',
    );
  });

  it('positive control: the detector sees an enabled collector reach its upstream', async (ctx) => {
    withFailureContext(ctx, stack(), ['fake-upstreams']);
    // The first collector the profile says how to enable (roles.collectors[].productionEnv).
    const c = collectors().find((x) => x.productionEnv !== undefined);
    check(c !== undefined, {
      service:
        collectors()
          .map((x) => x.service)
          .join(', ') || '(no collector mapped)',
      what: 'a collector the harness can enable against the fake upstreams (positive control of the egress detector)',
      expected:
        'roles.collectors[].productionEnv in the stack profile for at least one collector (its enable switch, upstream base URL "{{fake-upstreams}}", a fake key)',
      measured: 'none has productionEnv: the detector cannot be shown to see traffic',
    });
    if (!c) return;
    const before = await probe<{ total: number }>(`${stack().url('fake-upstreams')}/_upstreams/requests`);
    const o = await observed(
      stack(),
      c.service,
      productionEnvFor(activeProfile(), c.service, { token: stack().tokens.influxProd }),
      // An enabled collector polls at once: a short window is enough to see it.
      { watchMs: 3_000 },
    );
    const after = await probe<{ total: number }>(`${stack().url('fake-upstreams')}/_upstreams/requests`);
    const served = (after.json?.total ?? 0) - (before.json?.total ?? 0);
    recordEgress(`positive control: ${c.service} enabled (production mode)`, {
      [c.service]: o.egress as ServiceEgress,
    });
    check((o.egress?.newConnections ?? 0) > 0 && served > 0, {
      service: c.service,
      what: 'outbound connections seen by the detector when enabled, and requests served by fake-upstreams',
      expected: '> 0 and > 0',
      measured: `${o.egress?.newConnections ?? 'no reading'} connections to [${o.egress?.destinations.join(', ') ?? ''}], ${served} requests served; the copy: ${describeVariantEnd(o.variant)}`,
    });
  });
});
