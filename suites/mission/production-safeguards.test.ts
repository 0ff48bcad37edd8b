/**
 * Production safeguards (seed 000, stories 40.2 and 40.5): with DEPLOYMENT_MODE=production the
 * data generator refuses to start with its clear message (exit 78), the external collectors
 * initialise, and nothing can write to the test bucket; an invalid DEPLOYMENT_MODE stops every
 * service with one clear line.
 */
import { describe, it } from 'vitest';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { describeVariantEnd } from '../../harness/failure/variant.ts';
import { activeProfile, productionEnvFor } from '../../harness/profile/index.ts';
import { probeWritePermission } from '../../harness/safety/influx-writer.ts';
import { runVariants, VARIANT_DEADLINE_MS, variantsBudgetMs } from '../../harness/stack/run-variants.ts';
import { requireCapability, type StartedStack, type VariantResult } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { fieldAt, roles } from '../../harness/verify/evidence.ts';

const modeVar = () => roles().ingestion.modeVariable;
const influx = () => roles().influxdb;
/** The services that read the deployment mode: every HomeIQ role of the profile. */
const homeIqServices = () => {
  const r = roles();
  return [
    r.ingestion.service,
    ...(r.metadataStore ? [r.metadataStore.service] : []),
    ...r.collectors.map((c) => c.service),
    ...r.aiServices.map((a) => a.service),
    ...(r.dataGenerator ? [r.dataGenerator.service] : []),
  ];
};
/**
 * What a production deployment of `service` is configured with: the profile's productionEnv (and
 * the collector's own), placeholders filled; collectors' upstreams are the harness's fakes.
 */
const production = (service: string, token?: string, target: 'production' | 'test' = 'production') =>
  productionEnvFor(activeProfile(), service, { token, target });

/**
 * Copies of several services, at most three at once, each with its own deadline
 * (harness/stack/run-variants.ts); the check's timeout allows every copy its full deadline.
 */
const copies = (s: StartedStack, specs: { service: string; env: Record<string, string> }[]) => {
  requireCapability(s, 'run-variant', `running ${specs.map((x) => x.service).join(', ')} in another mode`);
  return runVariants(s, specs, { timeoutMs: VARIANT_DEADLINE_MS });
};

const lastLine = (v: VariantResult) =>
  v.output
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-1)[0] ?? '(no output)';

describe('production safeguards', () => {
  const stack = useStack({
    changes: 'runs production copies of every HomeIQ service on the stack volumes (a production database)',
  });
  const variant = (s: StartedStack, service: string, env: Record<string, string>) => {
    requireCapability(s, 'run-variant', `running ${service} with ${modeVar()}=${env[modeVar()]}`);
    return s.runVariant(service, env, { timeoutMs: VARIANT_DEADLINE_MS });
  };

  it('refuses to start the data generator in production, with its refusal exit code', async (ctx) => {
    withFailureContext(ctx, stack(), []);
    const gen = roles().dataGenerator;
    check(gen !== undefined, {
      service: roles().ingestion.service,
      what: 'data generator role in the stack profile',
      expected: 'declared (seed 000: generators refuse production)',
      measured: 'none declared',
    });
    if (!gen) return;
    const v = await variant(stack(), gen.service, production(gen.service, stack().tokens.influxProd));
    const code = gen.refusalExitCode;
    check(v.exitCode !== undefined && v.exitCode !== 0 && (code === undefined || v.exitCode === code), {
      service: gen.service,
      what: `start with ${modeVar()}=production`,
      expected: `exit ${code ?? 'non-zero'} (refuses to start)`,
      measured:
        v.exitCode === undefined ? `still ${describeVariantEnd(v)}` : `exit ${v.exitCode}: ${lastLine(v)}`,
    });
  });

  it('initialises every external collector in production (running; mode production where the profile maps it)', {
    timeout: variantsBudgetMs(roles().collectors.length),
  }, async () => {
    // Collectors are handed the production token like a real .env would; their upstreams are the fakes.
    const token = stack().tokens.influxProd ?? '';
    const cols = roles().collectors;
    const vs = await copies(
      stack(),
      cols.map((c) => ({ service: c.service, env: production(c.service, token) })),
    );
    const results = cols.map((c, i) => ({ c, v: vs[i] as VariantResult }));
    checkAll(
      results.map(({ c, v }) => {
        const modePath = c.health?.deploymentMode;
        const mode = modePath ? fieldAt(v.health, modePath) : undefined;
        return {
          ok: v.exitCode === undefined && (modePath === undefined || mode === 'production'),
          e: {
            service: v.service,
            what: `start with ${modeVar()}=production`,
            expected: `running${modePath ? `, ${modePath}=production` : ''}`,
            measured:
              v.exitCode === undefined && !v.deadline
                ? `running${modePath ? `, ${modePath}=${String(mode)}` : ''}`
                : describeVariantEnd(v),
          },
        };
      }),
      `collectors in production (${cols.length})`,
    );
  });

  it('lets nothing in production write to the test bucket', async (ctx) => {
    withFailureContext(ctx, stack(), []);
    const token = stack().tokens.influxProd;
    check(token !== undefined, {
      service: influx().service,
      what: 'production token',
      expected: 'known',
      measured: 'unknown',
    });
    const prodToken = await probeWritePermission({
      url: stack().url(influx().service),
      token: token as string,
      ...influx().test,
    });
    // A production ingestion pointed at the test bucket must refuse to start rather than write there.
    const ingestion = await variant(
      stack(),
      roles().ingestion.service,
      production(roles().ingestion.service, token, 'test'),
    );
    checkAll(
      [
        {
          ok: !prodToken.allowed,
          e: {
            service: influx().service,
            what: `write permission of the production token on ${influx().test.org}/${influx().test.bucket}`,
            expected: 'denied (401/403/404)',
            measured: `HTTP ${prodToken.status}`,
          },
        },
        {
          ok: ingestion.exitCode !== undefined && ingestion.exitCode !== 0,
          e: {
            service: roles().ingestion.service,
            what: `start with ${modeVar()}=production and bucket ${influx().test.bucket}`,
            expected: 'refuses to start (non-zero exit)',
            measured:
              ingestion.exitCode === undefined
                ? describeVariantEnd(ingestion)
                : `exit ${ingestion.exitCode}: ${lastLine(ingestion)}`,
          },
        },
      ],
      'writes into the test bucket from production',
    );
  });

  it('stops every HomeIQ service on an invalid deployment mode with one clear line', {
    timeout: variantsBudgetMs(homeIqServices().length),
  }, async () => {
    const services = homeIqServices();
    const results = await copies(
      stack(),
      services.map((service) => ({ service, env: { [modeVar()]: 'staging' } })),
    );
    checkAll(
      results.map((v) => ({
        ok:
          v.exitCode !== undefined &&
          v.exitCode !== 0 &&
          new RegExp(`${modeVar()}.*staging.*test\\|production`).test(v.output),
        e: {
          service: v.service,
          what: `start with ${modeVar()}=staging`,
          expected: `non-zero exit with a line naming ${modeVar()}, "staging" and test|production`,
          measured: v.exitCode === undefined ? describeVariantEnd(v) : `exit ${v.exitCode}: ${lastLine(v)}`,
        },
      })),
      `invalid ${modeVar()} across ${services.length} services`,
    );
  });
});
