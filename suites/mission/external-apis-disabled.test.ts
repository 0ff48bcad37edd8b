/**
 * External APIs disabled (seed 000, story 40.5): in test mode the seven collectors report
 * disabled and make zero outbound connections, proven at the network level from the first
 * instant of their process (egress monitor attached before the process starts). Positive
 * control: the same detector sees the connections of a collector enabled in production mode.
 */
import { describe, it } from 'vitest';
import { type ServiceEgress, startEgressMonitor } from '../../harness/egress/index.ts';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { health, probe } from '../../harness/probes/http.ts';
import { activeProfile, productionEnvFor } from '../../harness/profile/index.ts';
import { recordEgress } from '../../harness/report/measurements.ts';
import { requireCapability, type StartedStack, type VariantResult } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { mappedHealth, roles } from '../../harness/verify/evidence.ts';

const collectors = () => roles().collectors;

/** How long each copy is watched after it answered /health (startup is always fully observed). */
const WATCH_MS = Number(process.env.HOMEIQ_EGRESS_WATCH_MS ?? 3_000);

interface Observed {
  variant: VariantResult;
  egress: ServiceEgress | undefined;
}

/** Run a copy of `service` with `env`, its whole life observed by the egress monitor. */
async function observed(
  stack: StartedStack,
  service: string,
  env: Record<string, string>,
): Promise<Observed> {
  requireCapability(stack, 'run-variant', `observing ${service} from its first instant`);
  let monitor: Awaited<ReturnType<typeof startEgressMonitor>> | undefined;
  let egress: ServiceEgress | undefined;
  try {
    const variant = await stack.runVariant(service, env, {
      timeoutMs: 60_000,
      beforeStart: async (containerId) => {
        monitor = await startEgressMonitor({ targets: [{ service, containerId }] });
      },
      whileRunning: async () => {
        const until = Date.now() + WATCH_MS;
        // An observation window, not a synchronisation: count what leaves during it.
        await waitFor(async () => ({ done: Date.now() >= until, seen: 'watching' }), {
          what: `${WATCH_MS} ms of egress observation of ${service}`,
          timeoutMs: WATCH_MS + 5_000,
          intervalMs: 250,
          maxIntervalMs: 250,
        });
        egress = (await monitor?.read())?.[service];
      },
    });
    return { variant, egress };
  } finally {
    await monitor?.stop();
  }
}

describe('external APIs disabled in test mode', () => {
  const stack = useStack();

  it('has every collector answer its health in test mode (deployment mode test where the profile maps it)', async () => {
    const results = await Promise.all(
      collectors().map(async (c) => ({
        c,
        h: await mappedHealth(stack().url(c.service), c.health),
        raw: c.health ? undefined : await health(stack().url(c.service)),
      })),
    );
    checkAll(
      results.map(({ c, h, raw }) => ({
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
      `collector health in test mode (${collectors().length})`,
    );
  });

  it('has every collector make zero outbound connections from process start', async () => {
    const out: Observed[] = [];
    const names = collectors().map((c) => c.service);
    // Three at a time: each copy is watched alone by its own sidecar.
    for (let i = 0; i < names.length; i += 3)
      out.push(...(await Promise.all(names.slice(i, i + 3).map((c) => observed(stack(), c, {})))));
    recordEgress(
      'collectors in test mode (from process start)',
      Object.fromEntries(out.map((o) => [o.variant.service, o.egress as ServiceEgress])),
    );
    checkAll(
      out.map((o) => ({
        ok: o.egress !== undefined && o.egress.newConnections === 0 && o.variant.exitCode === undefined,
        e: {
          service: o.variant.service,
          what: 'outbound connections (network level, whole life of the process)',
          expected: '0, and the service running',
          measured:
            o.egress === undefined
              ? `no egress reading (exit ${o.variant.exitCode})`
              : `${o.egress.newConnections} to [${o.egress.destinations.join(', ')}] (DNS: ${o.egress.dnsQueries.join(', ') || 'none'})${o.variant.exitCode === undefined ? '' : `, exited ${o.variant.exitCode}`}`,
        },
      })),
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
      measured: `${o.egress?.newConnections ?? 'no reading'} connections to [${o.egress?.destinations.join(', ') ?? ''}], ${served} requests served (exit ${o.variant.exitCode ?? 'none, running'})`,
    });
  });
});
