import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.ts';

const root = '/repo';

describe('loadConfig', () => {
  it('defaults to the compose target, the test profile and the seed numbers', () => {
    const c = loadConfig({}, root);
    expect(c.target).toBe('compose');
    expect(c.compose.files).toEqual([c.profile.compose.files[0]]);
    expect(c.compose.files[0]).toMatch(/\/docker-compose\.test\.yml$/);
    expect(c.compose.profiles).toEqual(['test']);
    expect(c.images.influxdb).toBe('homeiq/influxdb:2.8.0');
    expect(c.load).toEqual({
      baselinePerSec: 50,
      burstPerSec: 500,
      burstSeconds: 10,
      batchTimeoutMs: 3000,
      minGapMs: 1000,
    });
    expect(c.capacity).toEqual({ budgetS: 300, stepS: 10, startRate: 250, maxRate: 4_000 });
    expect(c.seed).toBe(40);
  });

  it('names the variable, the value and what is allowed in one line', () => {
    const err = (() => {
      try {
        loadConfig({ HOMEIQ_TARGET: 'dokcer' }, root);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toBe(
      'HOMEIQ_TARGET="dokcer" is invalid: expected one of compose, attach, local',
    );
  });

  it('rejects a non-integer rate with the allowed range', () => {
    expect(() => loadConfig({ HOMEIQ_BURST_RATE: 'fast' }, root)).toThrow(
      'HOMEIQ_BURST_RATE="fast" is invalid: expected an integer between 1 and 5000',
    );
    expect(() => loadConfig({ HOMEIQ_BURST_RATE: '0' }, root)).toThrow(
      'expected an integer between 1 and 5000',
    );
  });

  it('reads Compose\'s COMPOSE_FILE (":"-separated) and COMPOSE_PROFILES over the profile\'s', () => {
    const c = loadConfig({ COMPOSE_FILE: 'a.yml: /abs/b.yml', COMPOSE_PROFILES: 'test,extra' }, root);
    expect(c.compose.files).toEqual(['/repo/a.yml', '/abs/b.yml']);
    expect(c.compose.profiles).toEqual(['test', 'extra']);
  });

  it('takes compose files, profiles and env file from the profile when nothing overrides them', () => {
    const c = loadConfig({}, root);
    expect(c.profile.name).toBe('homeiq-reference');
    expect(c.compose.files).toEqual(c.profile.compose.files);
    expect(c.stackEnvFile).toBe(c.profile.envFile);
  });

  it('refuses the variables it replaced, naming the new one', () => {
    expect(() => loadConfig({ HOMEIQ_COMPOSE_FILES: 'x.yml' }, root)).toThrow(
      'HOMEIQ_COMPOSE_FILES="x.yml" is no longer read: expected COMPOSE_FILE (Compose\'s own variable; files separated by ":")',
    );
    expect(() => loadConfig({ INFLUXDB_ADMIN_TOKEN: 't' }, root)).toThrow(/INFLUX_TOKEN/);
  });

  it("maps the influx CLI's INFLUX_HOST / INFLUX_TOKEN and HA_URL to the profile's services", () => {
    const c = loadConfig(
      { INFLUX_HOST: 'http://nuc:8086/', INFLUX_TOKEN: 'op', HA_URL: 'http://nuc:8123' },
      root,
    );
    expect(c.attach.urls).toEqual({ influxdb: 'http://nuc:8086', 'home-assistant-test': 'http://nuc:8123' });
    expect(c.tokens.influxAdmin).toBe('op');
    expect(() => loadConfig({ INFLUX_HOST: 'nuc:8086' }, root)).toThrow(
      'INFLUX_HOST="nuc:8086" is invalid: expected an absolute http(s) URL',
    );
  });

  it('overrides org and bucket names of the profile, and refuses a test target equal to production', () => {
    const c = loadConfig(
      { INFLUX_ORG: 'home', HOMEIQ_TEST_BUCKET: 'ev_test', HOMEIQ_PROD_ORG: 'home' },
      root,
    );
    expect(c.profile.roles.influxdb.test).toEqual({ org: 'home', bucket: 'ev_test' });
    expect(c.profile.roles.influxdb.production).toEqual({ org: 'home', bucket: 'home_assistant_events' });
    expect(() => loadConfig({ HOMEIQ_TEST_BUCKET: '_tasks' }, root)).toThrow(
      'HOMEIQ_TEST_BUCKET="_tasks" is invalid: expected an InfluxDB name (1-64 characters, no spaces, not starting with "_")',
    );
    expect(() =>
      loadConfig({ INFLUX_ORG: 'homeiq', HOMEIQ_TEST_BUCKET: 'home_assistant_events' }, root),
    ).toThrow(/expected test and production to differ in org or bucket/);
  });

  it('takes per-service attach URLs and rejects a bad one', () => {
    const c = loadConfig(
      { HOMEIQ_TARGET: 'attach', HOMEIQ_URL_WEBSOCKET_INGESTION_TEST: 'http://nuc:8002/' },
      root,
    );
    expect(c.attach.urls).toEqual({ 'websocket-ingestion-test': 'http://nuc:8002' });
    expect(() => loadConfig({ HOMEIQ_URL_DATA_API: 'nuc:8006' }, root)).toThrow(
      'HOMEIQ_URL_DATA_API="nuc:8006" is invalid: expected an absolute http(s) URL',
    );
  });

  it('reads HOMEIQ_ENV_FILE, with the process environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'harness.env');
    writeFileSync(file, 'HOMEIQ_TARGET=attach\nHOMEIQ_SEED=7\n');
    const c = loadConfig({ HOMEIQ_ENV_FILE: file, HOMEIQ_SEED: '9' }, root);
    expect(c.target).toBe('attach');
    expect(c.seed).toBe(9);
    expect(() => loadConfig({ HOMEIQ_ENV_FILE: join(dir, 'nope.env') }, root)).toThrow(
      /HOMEIQ_ENV_FILE=".*nope.env" cannot be read/,
    );
  });

  it('rejects a fault name that is not a file name', () => {
    expect(() => loadConfig({ HOMEIQ_FAULT: '../etc/passwd' }, root)).toThrow(
      'HOMEIQ_FAULT="../etc/passwd" is invalid: expected a fault name from fixtures/faults (lowercase, digits, "-")',
    );
  });
});

describe('InfluxDB version of the stack', () => {
  it('selects the pinned image of INFLUXDB_VERSION, and an explicit INFLUXDB_IMAGE wins', () => {
    expect(loadConfig({ INFLUXDB_VERSION: '2.9.1' }, '/repo').images.influxdb).toBe('homeiq/influxdb:2.9.1');
    expect(loadConfig({}, '/repo').images.influxdb).toBe('homeiq/influxdb:2.8.0');
    expect(
      loadConfig({ INFLUXDB_VERSION: '2.9.1', INFLUXDB_IMAGE: 'influxdb:2.9.1' }, '/repo').images.influxdb,
    ).toBe('influxdb:2.9.1');
  });

  it('refuses an unpinned version in one line naming the allowed ones', () => {
    expect(() => loadConfig({ INFLUXDB_VERSION: '3.0.0' }, '/repo')).toThrow(
      /INFLUXDB_VERSION.*2\.8\.0.*2\.9\.1/,
    );
  });
});
