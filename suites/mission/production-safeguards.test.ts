/**
 * Production safeguards (seed 000, stories 40.2 and 40.5): with DEPLOYMENT_MODE=production the
 * data generator refuses to start with its clear message (exit 78), the external collectors
 * initialise, and nothing can write to the test bucket; an invalid DEPLOYMENT_MODE stops every
 * service with one clear line.
 */
import { describe, it } from 'vitest';
import { collectors, deployment, generatorRefusalExitCode } from '../../harness/config/defaults.ts';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { probeWritePermission } from '../../harness/safety/influx-writer.ts';
import { requireCapability, type StartedStack, type VariantResult } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { INGESTION } from '../../harness/verify/ingestion.ts';

const TOKENS_DIR = '/run/homeiq/influxdb-tokens';
/** What a production deployment of the same images is configured with (fixtures/env/env.production). */
const production = {
  DEPLOYMENT_MODE: 'production',
  INFLUXDB_ORG: deployment.production.org,
  INFLUXDB_BUCKET: deployment.production.bucket,
  INFLUXDB_TOKEN: '',
  INFLUXDB_TOKEN_FILE: `${TOKENS_DIR}/prod.token`,
  DATABASE_URL: 'sqlite+aiosqlite:///./data/metadata.db',
  ENABLE_WEATHER_API: 'true',
  ENABLE_CARBON_INTENSITY: 'true',
  ENABLE_ELECTRICITY_PRICING: 'true',
  ENABLE_AIR_QUALITY: 'true',
  ENABLE_CALENDAR: 'true',
  ENABLE_SMART_METER: 'true',
  ENABLE_SPORTS_DATA: 'true',
  ENABLE_SYNTHETIC_DATA_GENERATION: 'false',
  ENABLE_MOCK_DATA_CREATION: 'false',
};
/** Production collectors talk to the fake upstreams, never to the internet. */
const upstreams = {
  WEATHER_API_BASE_URL: 'http://fake-upstreams:8090',
  AIR_QUALITY_API_BASE_URL: 'http://fake-upstreams:8090',
  CARBON_API_BASE_URL: 'http://fake-upstreams:8090',
  PRICING_API_BASE_URL: 'http://fake-upstreams:8090',
  WEATHER_API_KEY: 'fake-weather-key',
  WATTTIME_TOKEN: 'fake-watttime-token',
  COLLECTOR_POLL_SECONDS: '3600',
};
/** Services that are not HomeIQ's and do not read DEPLOYMENT_MODE. */
const notHomeIq = new Set(['influxdb', 'influxdb-init', 'fake-upstreams', 'home-assistant-test']);

async function inBatches<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const lastLine = (v: VariantResult) =>
  v.output
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-1)[0] ?? '(no output)';

describe('production safeguards', () => {
  const stack = useStack();
  const variant = (s: StartedStack, service: string, env: Record<string, string>) => {
    requireCapability(s, 'run-variant', `running ${service} with DEPLOYMENT_MODE=${env.DEPLOYMENT_MODE}`);
    return s.runVariant(service, env, { timeoutMs: 60_000 });
  };

  it('refuses to start the data generator in production, with exit 78 and a clear message', async (ctx) => {
    withFailureContext(ctx, stack(), []);
    const v = await variant(stack(), 'data-generator', production);
    check(v.exitCode === generatorRefusalExitCode && /refusing to start/.test(v.output), {
      service: 'data-generator',
      what: 'start with DEPLOYMENT_MODE=production',
      expected: `exit ${generatorRefusalExitCode} with "refusing to start: ..."`,
      measured:
        v.exitCode === undefined
          ? `still running (health ${JSON.stringify(v.health)})`
          : `exit ${v.exitCode}: ${lastLine(v)}`,
    });
  });

  it('initialises every external collector in production (enabled, deployment_mode=production)', async () => {
    // Collectors do not mount the token volume: hand them the production token like a real .env would.
    const token = stack().tokens.influxProd ?? '';
    const results = await inBatches([...collectors], 3, (c) =>
      variant(stack(), c, { ...production, ...upstreams, INFLUXDB_TOKEN: token, INFLUXDB_TOKEN_FILE: '' }),
    );
    checkAll(
      results.map((v) => {
        const h = (v.health ?? {}) as { enabled?: unknown; deployment_mode?: unknown };
        return {
          ok: v.exitCode === undefined && h.enabled === true && h.deployment_mode === 'production',
          e: {
            service: v.service,
            what: 'health with DEPLOYMENT_MODE=production',
            expected: 'running, enabled=true, deployment_mode=production',
            measured:
              v.exitCode === undefined
                ? `running, enabled=${String(h.enabled)}, deployment_mode=${String(h.deployment_mode)}`
                : `exit ${v.exitCode}: ${lastLine(v)}`,
          },
        };
      }),
      'collectors in production',
    );
  });

  it('lets nothing in production write to the test bucket', async (ctx) => {
    withFailureContext(ctx, stack(), ['influxdb-init']);
    const token = stack().tokens.influxProd;
    check(token !== undefined, {
      service: 'influxdb-init',
      what: 'production token',
      expected: 'known',
      measured: 'unknown',
    });
    const prodToken = await probeWritePermission({
      url: stack().url('influxdb'),
      token: token as string,
      ...deployment.test,
    });
    // A production ingestion pointed at the test bucket must refuse to start rather than write there.
    const ingestion = await variant(stack(), INGESTION, {
      DEPLOYMENT_MODE: 'production',
      INFLUXDB_ORG: deployment.test.org,
      INFLUXDB_BUCKET: deployment.test.bucket,
    });
    checkAll(
      [
        {
          ok: !prodToken.allowed,
          e: {
            service: 'influxdb',
            what: `write permission of the production token on ${deployment.test.org}/${deployment.test.bucket}`,
            expected: 'denied (401/403/404)',
            measured: `HTTP ${prodToken.status}`,
          },
        },
        {
          ok: ingestion.exitCode !== undefined && ingestion.exitCode !== 0,
          e: {
            service: INGESTION,
            what: `start with DEPLOYMENT_MODE=production and bucket ${deployment.test.bucket}`,
            expected: 'refuses to start (non-zero exit)',
            measured:
              ingestion.exitCode === undefined
                ? 'running and healthy'
                : `exit ${ingestion.exitCode}: ${lastLine(ingestion)}`,
          },
        },
      ],
      'writes into the test bucket from production',
    );
  });

  it('stops every HomeIQ service on an invalid DEPLOYMENT_MODE with one clear line', async () => {
    const services = stack()
      .services()
      .filter((s) => !notHomeIq.has(s));
    const results = await inBatches(services, 3, (s) => variant(stack(), s, { DEPLOYMENT_MODE: 'staging' }));
    checkAll(
      results.map((v) => ({
        ok:
          v.exitCode !== undefined &&
          v.exitCode !== 0 &&
          /DEPLOYMENT_MODE.*staging.*test\|production/.test(v.output),
        e: {
          service: v.service,
          what: 'start with DEPLOYMENT_MODE=staging',
          expected: 'non-zero exit with a line naming DEPLOYMENT_MODE, "staging" and test|production',
          measured: v.exitCode === undefined ? 'running' : `exit ${v.exitCode}: ${lastLine(v)}`,
        },
      })),
      `invalid DEPLOYMENT_MODE across ${services.length} services`,
    );
  });
});
