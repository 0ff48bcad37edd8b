/**
 * The reference stack through the real compose file: every service of the test profile comes up
 * healthy within its limits, and events fired at the mock HA land in home_assistant_events_test and
 * nowhere else. Cleans up with `down -v` whatever happens.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  countPoints,
  findByFieldValues,
  type InfluxConnection,
} from '../../harness/influx/index.ts';
import { waitFor } from '../../harness/util/wait.ts';
import type { IngestionCounterFields } from '../../harness/verify/ingestion.ts';
import { type ComposeProject, composeProject } from './compose-project.ts';

const ADMIN_TOKEN = 'refstack-suite-admin-token-0123456789abcdef';
const CONTROL_TOKEN = 'refstack-suite-control-token.0123456789abcdef';
const TEST = { org: 'homeiq-test', bucket: 'home_assistant_events_test' };
const PROD = { org: 'homeiq', bucket: 'home_assistant_events' };
const MEASUREMENT = 'home_assistant_events';

const EXPECTED_SERVICES = [
  'ai-automation',
  'ai-core',
  'air-quality-service',
  'automation-miner',
  'calendar-service',
  'carbon-intensity-service',
  'data-api',
  'data-generator',
  'device-intelligence',
  'electricity-pricing-service',
  'fake-upstreams',
  'home-assistant-test',
  'influxdb',
  'influxdb-init',
  'openai-service',
  'smart-meter-service',
  'sports-data',
  'weather-api',
  'websocket-ingestion-test',
];
const COLLECTORS: Record<string, string> = {
  'weather-api': 'WEATHER_API_HOST_PORT',
  'carbon-intensity-service': 'CARBON_INTENSITY_SERVICE_HOST_PORT',
  'electricity-pricing-service': 'ELECTRICITY_PRICING_SERVICE_HOST_PORT',
  'air-quality-service': 'AIR_QUALITY_SERVICE_HOST_PORT',
  'calendar-service': 'CALENDAR_SERVICE_HOST_PORT',
  'smart-meter-service': 'SMART_METER_SERVICE_HOST_PORT',
  'sports-data': 'SPORTS_DATA_HOST_PORT',
};

let stack: ComposeProject;
let influx: InfluxConnection;
const url = (portVar: keyof ComposeProject['ports'], path: string) =>
  `http://127.0.0.1:${stack.ports[portVar]}${path}`;

async function getJson<T = Record<string, unknown>>(
  u: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(u, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as T };
}

const control = (path: string, body?: unknown) =>
  getJson(url('HOME_ASSISTANT_TEST_HOST_PORT', path), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

beforeAll(async () => {
  for (const image of [
    process.env.INFLUXDB_IMAGE ?? 'homeiq/influxdb:2.8.0',
    process.env.APP_IMAGE ?? 'homeiq/app:local',
  ]) {
    const r = spawnSync('docker', ['image', 'inspect', image], { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`image ${image} is missing: build it first (npm run setup / fixtures/images/*)`);
  }
  stack = await composeProject({ INFLUXDB_ADMIN_TOKEN: ADMIN_TOKEN, MOCK_HA_CONTROL_TOKEN: CONTROL_TOKEN });
  try {
    await stack.up(420);
  } catch (err) {
    await stack.down();
    throw err;
  }
  influx = connect(url('INFLUXDB_HOST_PORT', ''), ADMIN_TOKEN);
}, 600_000);

afterAll(async () => {
  await stack?.down();
}, 240_000);

describe('docker-compose.test.yml', () => {
  it('brings every service of the test profile up healthy, labelled and within the NUC budget', async () => {
    const ps = (await stack.compose(['ps', '-a', '--format', 'json'])).out
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as { ID: string; Service: string; State: string; Health: string; ExitCode: number },
      );
    expect(ps.map((c) => c.Service).sort()).toEqual(EXPECTED_SERVICES);
    for (const c of ps) {
      if (c.Service === 'influxdb-init')
        expect({ service: c.Service, state: c.State, exit: c.ExitCode }).toEqual({
          service: c.Service,
          state: 'exited',
          exit: 0,
        });
      else
        expect({ service: c.Service, health: c.Health }).toEqual({ service: c.Service, health: 'healthy' });
    }
    const inspected = JSON.parse(
      spawnSync('docker', ['inspect', ...ps.map((c) => c.ID)], { encoding: 'utf8' }).stdout,
    ) as Array<{
      HostConfig: { Memory: number; NanoCpus: number };
      Config: { Labels: Record<string, string> };
    }>;
    let memory = 0;
    let cpus = 0;
    for (const c of inspected) {
      const service = c.Config.Labels['com.docker.compose.service'];
      expect({
        service,
        harness: c.Config.Labels['com.homeiq.harness'],
        label: c.Config.Labels['com.homeiq.service'],
      }).toEqual({ service, harness: '1', label: service });
      expect({
        service,
        memoryLimited: c.HostConfig.Memory > 0,
        cpuLimited: c.HostConfig.NanoCpus > 0,
      }).toEqual({ service, memoryLimited: true, cpuLimited: true });
      memory += c.HostConfig.Memory;
      cpus += c.HostConfig.NanoCpus / 1e9;
    }
    expect(memory / 2 ** 30).toBeLessThan(6);
    expect(cpus).toBeLessThanOrEqual(4);
  });

  it('runs every service in test mode with the external collectors disabled', async () => {
    const checks: Array<[string, keyof ComposeProject['ports']]> = [
      ['websocket-ingestion', 'WEBSOCKET_INGESTION_TEST_HOST_PORT'],
      ['data-api', 'DATA_API_HOST_PORT'],
      ['ai-core', 'AI_CORE_HOST_PORT'],
      ['openai-service', 'OPENAI_SERVICE_HOST_PORT'],
      ['device-intelligence', 'DEVICE_INTELLIGENCE_HOST_PORT'],
      ['automation-miner', 'AUTOMATION_MINER_HOST_PORT'],
      ['ai-automation', 'AI_AUTOMATION_HOST_PORT'],
      ['data-generator', 'DATA_GENERATOR_HOST_PORT'],
      ...Object.entries(COLLECTORS).map(([s, p]) => [s, p] as [string, keyof ComposeProject['ports']]),
    ];
    for (const [service, port] of checks) {
      const h = await getJson(url(port, '/health'));
      expect({ service, status: h.status, mode: h.body.deployment_mode, name: h.body.service }).toEqual({
        service,
        status: 200,
        mode: 'test',
        name: service,
      });
      if (service in COLLECTORS)
        expect({ service, enabled: h.body.enabled }).toEqual({ service, enabled: false });
    }
    const ai: Array<[string, keyof ComposeProject['ports']]> = [
      ['openai-service', 'OPENAI_SERVICE_HOST_PORT'],
      ['ai-core', 'AI_CORE_HOST_PORT'],
      ['device-intelligence', 'DEVICE_INTELLIGENCE_HOST_PORT'],
      ['automation-miner', 'AUTOMATION_MINER_HOST_PORT'],
      ['ai-automation', 'AI_AUTOMATION_HOST_PORT'],
    ];
    for (const [service, port] of ai) {
      // Readiness: their dependencies (bucket, openai-service, fake OpenAI, data-api) answer.
      const r = await getJson(url(port, '/health/ready'));
      expect({ service, status: r.status, ready: r.body.ready, deps: r.body.dependencies }).toMatchObject({
        service,
        status: 200,
        ready: true,
      });
      expect((await getJson(url(port, '/health/live'))).status).toBe(200);
    }
    const db = await getJson(url('DATA_API_HOST_PORT', '/health'));
    expect({ db_path: db.body.db_path, journal_mode: db.body.journal_mode }).toEqual({
      db_path: '/app/data/test/metadata.db',
      journal_mode: 'wal',
    });
  });

  it('lands every event fired at the mock HA in home_assistant_events_test, once, and nowhere else', async () => {
    const run = await control('/_mock/scenario', { kind: 'steady', rate: 100, durationS: 3 });
    expect(run.status).toBe(201);
    const runId = String(run.body.run_id);
    await waitFor(
      async () => {
        const r = await control(`/_mock/runs/${runId}`);
        return {
          done: r.body.state !== 'running',
          seen: `state=${String(r.body.state)} count=${String(r.body.count)}`,
        };
      },
      { what: `mock HA run ${runId} to finish`, timeoutMs: 60_000 },
    );
    const ledger = (await control(`/_mock/runs/${runId}/ledger?limit=100000`)).body as unknown as {
      total: number;
      entries: Array<{ context_id: string; entity_id: string }>;
    };
    expect(ledger.entries.length).toBe(ledger.total);
    expect(ledger.total).toBeGreaterThanOrEqual(290);

    type Health = IngestionCounterFields;
    const ingest = await waitFor(
      async () => {
        const h = (await getJson<Health>(url('WEBSOCKET_INGESTION_TEST_HOST_PORT', '/health'))).body;
        return { done: h.received >= ledger.total && h.buffered === 0, value: h, seen: JSON.stringify(h) };
      },
      {
        what: `websocket-ingestion-test to receive ${ledger.total} events and flush them`,
        timeoutMs: 60_000,
      },
    );
    expect({ failed: ingest.failed, dropped: ingest.dropped }).toEqual({ failed: 0, dropped: 0 });

    const ids = ledger.entries.map((e) => e.context_id);
    const inTest = await findByFieldValues(
      influx,
      TEST.org,
      { bucket: TEST.bucket, measurement: MEASUREMENT, field: 'context_id' },
      ids,
    );
    const missing = ledger.entries.filter((e) => !inTest.has(e.context_id));
    const duplicated = [...inTest].filter(([, pts]) => pts.length !== 1).map(([id]) => id);
    const wrongEntity = ledger.entries.filter(
      (e) => inTest.has(e.context_id) && inTest.get(e.context_id)?.[0]?.tags.entity_id !== e.entity_id,
    );
    expect({
      fired: ids.length,
      missing: missing.length,
      duplicated: duplicated.length,
      wrongEntity: wrongEntity.length,
    }).toEqual({
      fired: ids.length,
      missing: 0,
      duplicated: 0,
      wrongEntity: 0,
    });

    const inProd = await findByFieldValues(
      influx,
      PROD.org,
      { bucket: PROD.bucket, field: 'context_id' },
      ids,
    );
    const prodEvents = await countPoints(influx, PROD.org, {
      bucket: PROD.bucket,
      measurement: MEASUREMENT,
      field: 'state_value',
    });
    expect({ firedEventsInProductionBucket: inProd.size, eventPointsInProductionBucket: prodEvents }).toEqual(
      {
        firedEventsInProductionBucket: 0,
        eventPointsInProductionBucket: 0,
      },
    );
  });

  it('round-trips one request through the AI path using the test bucket and the fake OpenAI', async () => {
    const before = (
      await getJson<{ counts: Record<string, number> }>(
        url('FAKE_UPSTREAMS_HOST_PORT', '/_upstreams/requests'),
      )
    ).body.counts;
    const r = await getJson<{
      suggestion: { alias: string };
      used: Record<string, unknown> & { influxdb: Record<string, unknown> };
    }>(url('AI_AUTOMATION_HOST_PORT', '/api/suggest'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ goal: 'save energy' }),
    });
    expect(r.status).toBe(200);
    expect(r.body.used.influxdb).toMatchObject({ org: TEST.org, bucket: TEST.bucket });
    expect(Number(r.body.used.influxdb.events_read)).toBeGreaterThan(0);
    expect(r.body.used.llm_upstream).toBe('http://fake-upstreams:8090');
    const after = (
      await getJson<{ counts: Record<string, number> }>(
        url('FAKE_UPSTREAMS_HOST_PORT', '/_upstreams/requests'),
      )
    ).body.counts;
    const chat = 'POST /v1/chat/completions';
    expect((after[chat] ?? 0) - (before[chat] ?? 0)).toBe(1);
  });

  it('rides out an InfluxDB outage: every event written once it is back, none failed or dropped', async () => {
    type Health = {
      received: number;
      written: number;
      failed: number;
      dropped: number;
      buffered: number;
      write_errors: number;
    };
    const ingestHealth = async () =>
      (await getJson<Health>(url('WEBSOCKET_INGESTION_TEST_HOST_PORT', '/health'))).body;
    const before = await ingestHealth();
    const run = await control('/_mock/scenario', { kind: 'steady', rate: 200, durationS: 25 });
    const runId = String(run.body.run_id);
    await waitFor(
      async () => {
        const h = await ingestHealth();
        return { done: h.written >= before.written + 500, seen: `written=${h.written}` };
      },
      { what: 'ingestion to write the first 500 events of the run', timeoutMs: 30_000 },
    );
    expect((await stack.compose(['stop', '-t', '10', 'influxdb'])).code).toBe(0);
    // Outage until the ingestion holds 2,500 unwritten points (about 12.5 s at 200 ev/s) and has seen
    // failed writes: longer than HomeIQ's seed policy (3 retries, about 7 s) survives.
    await waitFor(
      async () => {
        const h = await ingestHealth();
        return {
          done: h.buffered >= 2500 && h.write_errors >= before.write_errors + 4,
          seen: JSON.stringify(h),
        };
      },
      {
        what: 'websocket-ingestion to hold 2,500 points and see 4 failed writes while InfluxDB is stopped',
        timeoutMs: 60_000,
      },
    );
    expect((await stack.compose(['start', 'influxdb'])).code).toBe(0);
    // The restarted InfluxDB is published on a new host port: reconnect the harness to it.
    await stack.refreshPorts();
    influx = connect(url('INFLUXDB_HOST_PORT', ''), ADMIN_TOKEN);
    await waitFor(
      async () => {
        const r = await control(`/_mock/runs/${runId}`);
        return { done: r.body.state !== 'running', seen: `state=${String(r.body.state)}` };
      },
      { what: `mock HA run ${runId} to finish`, timeoutMs: 60_000 },
    );
    const ledger = (await control(`/_mock/runs/${runId}/ledger?limit=100000`)).body as unknown as {
      total: number;
      entries: Array<{ context_id: string }>;
    };
    const after = await waitFor(
      async () => {
        const h = await ingestHealth();
        return {
          done: h.received >= before.received + ledger.total && h.buffered === 0,
          value: h,
          seen: JSON.stringify(h),
        };
      },
      { what: 'websocket-ingestion to flush its backlog after the outage', timeoutMs: 120_000 },
    );
    expect({
      failed: after.failed - before.failed,
      dropped: after.dropped - before.dropped,
      written: after.written - before.written,
    }).toEqual({
      failed: 0,
      dropped: 0,
      written: ledger.total,
    });
    const found = await findByFieldValues(
      influx,
      TEST.org,
      { bucket: TEST.bucket, measurement: MEASUREMENT, field: 'context_id' },
      ledger.entries.map((e) => e.context_id),
    );
    expect({ fired: ledger.total, stored: found.size }).toEqual({
      fired: ledger.total,
      stored: ledger.total,
    });
  });
});
