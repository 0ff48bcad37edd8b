/**
 * Every rule of lint:compose: a clean project passes it, and a planted fault fails it with a line
 * naming the file, the service, the rule, the expected and the found value.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { loadCompose } from './load.ts';
import { type Finding, formatFinding, lintModel, type RuleId, rules } from './rules.ts';

const dir = mkdtempSync(join(tmpdir(), 'compose-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let projects = 0;

/** Lint compose texts as one project (c0.yml, c1.yml, ...); `extra` files (env files) lie beside them. */
function mk(
  texts: string[],
  extra: Record<string, string> = {},
  vars = new Map<string, string>(),
): Finding[] {
  const sub = join(dir, String(projects++));
  mkdirSync(sub);
  const paths = texts.map((t, i) => {
    const p = join(sub, `c${i}.yml`);
    writeFileSync(p, t);
    return p;
  });
  for (const [name, t] of Object.entries(extra)) writeFileSync(join(sub, name), t);
  return lintModel(loadCompose(paths, { vars, cwd: sub }));
}

const byRule = (fs: Finding[], rule: RuleId | string) => fs.filter((f) => f.rule === rule);

/** A service that passes every rule, in the test profile. */
const good = (name: string, extra = '') => `
  ${name}:
    image: homeiq/app:1.0.0
    profiles: ["test"]
    environment:
      DEPLOYMENT_MODE: test
      INFLUXDB_ORG: homeiq-test
      INFLUXDB_BUCKET: home_assistant_events_test
      DATABASE_URL: sqlite+aiosqlite:///./data/test/metadata.db
    healthcheck: { test: ["CMD", "true"] }
    deploy: { resources: { limits: { memory: 128M, cpus: "0.25" } } }
${extra}`;

describe('lint:compose rules', () => {
  it('a clean project has no findings', () => {
    expect(mk([`services:${good('ai-core')}${good('weather-api')}${good('data-generator')}`])).toEqual([]);
  });

  it('limits: a service without memory or CPU limit, or with memory 0 (unlimited)', () => {
    const fs = mk([
      `services:
  a: { image: x:1, healthcheck: { test: [CMD, "true"] } }
  b: { image: x:1, mem_limit: 64m, healthcheck: { test: [CMD, "true"] } }
  c: { image: x:1, healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: "0", cpus: "0.1" } } } }
  d: { image: x:1, mem_limit: 64m, cpus: 0.1, healthcheck: { test: [CMD, "true"] } }`,
    ]);
    expect(byRule(fs, 'limits').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'a: no memory and no CPU limit (expected deploy.resources.limits.memory and .cpus; found no memory, no cpus)',
      'b: no CPU limit (expected deploy.resources.limits.memory and .cpus; found memory 64m, no cpus)',
      'c: memory limit "0" is 0, which Docker reads as unlimited',
    ]);
  });

  it('healthcheck: missing or disabled; a one-shot init job others wait for is exempt', () => {
    const fs = mk([
      `services:${good('app', `    depends_on: { init: { condition: service_completed_successfully } }`)}
  init: { image: x:1, restart: "no", deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }
  nohc: { image: x:1, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }
  off: { image: x:1, healthcheck: { disable: true }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }
  none: { image: x:1, healthcheck: { test: ["NONE"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }`,
    ]);
    expect(byRule(fs, 'healthcheck').map((f) => f.service)).toEqual(['nohc', 'off', 'none']);
    expect(byRule(fs, 'healthcheck')[0]?.message).toMatch(/no healthcheck in the compose file/);
    expect(byRule(fs, 'healthcheck')[1]?.message).toMatch(/healthcheck is disabled/);
  });

  it('test-targets: production org, bucket, SQLite path or mode in a test-profile service', () => {
    const fs = mk(
      [
        `services:${good('websocket-ingestion-test', `    env_file: [./prod.env]`)}`,
        `services:
  websocket-ingestion-test:
    environment:
      DEPLOYMENT_MODE: production
      DATABASE_URL: sqlite+aiosqlite:///./data/metadata.db`,
      ],
      { 'prod.env': 'INFLUX_ORG=homeiq\nINFLUXDB_BUCKET=home_assistant_events\n' },
    );
    // environment (test values in the base) wins over env_file for ORG/BUCKET; the override's mode and path win
    expect(byRule(fs, 'test-targets').map((f) => f.message)).toEqual([
      'INFLUX_ORG=homeiq in the test profile (expected homeiq-test)',
      'DEPLOYMENT_MODE=production in the test profile (expected test)',
      'DATABASE_URL=sqlite+aiosqlite:///./data/metadata.db in the test profile (expected a path ending in data/test/metadata.db)',
    ]);
    expect(byRule(fs, 'test-targets')[0]?.file).toMatch(/c0\.yml\+.*c1\.yml$/);
  });

  it("test-targets: production services and the server's own DOCKER_INFLUXDB_INIT_* are not test targets", () => {
    const fs = mk([
      `services:
  influxdb:
    image: influxdb:2.8.0
    profiles: ["test"]
    environment: { DOCKER_INFLUXDB_INIT_ORG: homeiq, DOCKER_INFLUXDB_INIT_BUCKET: home_assistant_events }
    healthcheck: { test: [CMD, "true"] }
    deploy: { resources: { limits: { memory: 256M, cpus: "0.5" } } }
  websocket-ingestion:
    image: x:1
    environment: { INFLUXDB_ORG: homeiq, INFLUXDB_BUCKET: home_assistant_events }
    healthcheck: { test: [CMD, "true"] }
    deploy: { resources: { limits: { memory: 256M, cpus: "0.5" } } }`,
    ]);
    expect(fs).toEqual([]);
  });

  it('generator-profile: a generator without the test profile, or with another profile, or its flag on in production', () => {
    const fs = mk([
      `services:
  data-generator: { image: x:1, healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }
  mock-data-seeder: { image: x:1, profiles: [test, dev], healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }
  enrichment: { image: x:1, environment: [ENABLE_SYNTHETIC_DATA_GENERATION=true], healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }`,
    ]);
    expect(byRule(fs, 'generator-profile').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'data-generator: data generator outside the test profile: no profile (starts in production) (expected profiles: ["test"])',
      'mock-data-seeder: data generator outside the test profile: profiles ["test","dev"] (expected profiles: ["test"])',
      'enrichment: ENABLE_SYNTHETIC_DATA_GENERATION=true outside the test profile: no profile (starts in production) (expected false)',
    ]);
  });

  it('influxdb-tag: latest, untagged, not 2.x, floating 2.x; pinned 2.x and digests pass', () => {
    const svc = (name: string, image: string) =>
      `\n  ${name}: { image: "${image}", healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }`;
    const fs = mk(
      [
        `services:${svc('a', 'influxdb:latest')}${svc('b', 'docker.io/library/influxdb')}${svc('c', 'influxdb:3-core')}${svc('d', 'homeiq/influxdb:2.7')}${svc('e', '${INFLUX_IMAGE:-influxdb}:${INFLUX_TAG:-2.8.0}')}${svc('f', 'influxdb@sha256:0123')}${svc('g', 'registry:5000/influxdb:2.9.1-alpine')}${svc('h', 'homeiq/influxdb-exporter')}`,
      ],
      {},
      new Map([['INFLUX_TAG', 'latest']]),
    );
    expect(byRule(fs, 'influxdb-tag').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'a: image influxdb:latest: latest is InfluxDB 3, which has no Flux',
      'b: image docker.io/library/influxdb has no tag, which means latest = InfluxDB 3 (no Flux)',
      'c: image influxdb:3-core: tag 3-core is not InfluxDB 2.x',
      'd: image homeiq/influxdb:2.7: tag 2.7 floats across 2.x releases (2.9 turns on token hashing)',
      'e: image influxdb:latest: latest is InfluxDB 3, which has no Flux',
    ]);
  });

  it('nuc-budget: test deployment (no profile + test) at or over 6 GiB / 4 CPUs; replicas count', () => {
    const svc = (name: string, profiles: string, mem: string, cpus: string, replicas = 1) =>
      `\n  ${name}: { image: x:1, profiles: ${profiles}, healthcheck: { test: [CMD, "true"] }, deploy: { replicas: ${replicas}, resources: { limits: { memory: ${mem}, cpus: "${cpus}" } } } }`;
    const under = mk([
      `services:${svc('a', '[]', '3G', '1.5')}${svc('b', '[test]', '2G', '1')}${svc('c', '[dev]', '8G', '8')}`,
    ]);
    expect(under).toEqual([]);
    const over = mk([`services:${svc('a', '[]', '3G', '1.5')}${svc('b', '[test]', '1.5G', '1.25', 2)}`]);
    expect(byRule(over, 'nuc-budget').map((f) => `${f.service}: ${f.message}`)).toEqual([
      '(test deployment): memory limits total 6.00 GiB over 2 services (expected < 6.00 GiB on an 8 GB NUC); largest: a 3072 MiB, b 3072 MiB',
      '(test deployment): CPU limits total 4.00 over 2 services (expected < 4)',
    ]);
  });

  it('nuc-budget: the production deployment (no profile) too', () => {
    const fs = mk([
      `services:
  influxdb: { image: influxdb:2.8.0, healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 7G, cpus: "1" } } } }
  t: { image: x:1, profiles: [production], healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 7G, cpus: "1" } } } }`,
    ]);
    expect(byRule(fs, 'nuc-budget').map((f) => f.service)).toEqual([
      '(test deployment)',
      '(production deployment)',
    ]);
  });

  it('collectors-disabled: a collector on in the test deployment, or a collector flag on in a test-profile service', () => {
    const svc = (name: string, profiles: string, env: string) =>
      `\n  ${name}: { image: x:1, profiles: ${profiles}, environment: ${env}, healthcheck: { test: [CMD, "true"] }, deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } } }`;
    const fs = mk([
      `services:${svc('weather-api', '[test]', '{ DEPLOYMENT_MODE: test }')}${svc('carbon-intensity', '[]', '{ DEPLOYMENT_MODE: "${DEPLOYMENT_MODE:-production}" }')}${svc('sports-data', '[]', '{ ENABLE_SPORTS_DATA: "false" }')}${svc('calendar-service', '[production]', '{ DEPLOYMENT_MODE: production }')}${svc('smart-meter-service', '[test]', '{ DEPLOYMENT_MODE: test, ENABLE_SMART_METER: "true" }')}`,
    ]);
    expect(byRule(fs, 'collectors-disabled').map((f) => `${f.service}: ${f.message}`)).toEqual([
      'carbon-intensity: external-API collector starts enabled in the test deployment (DEPLOYMENT_MODE=production, ENABLE_CARBON_INTENSITY=unset; expected DEPLOYMENT_MODE=test or ENABLE_CARBON_INTENSITY=false)',
      'smart-meter-service: ENABLE_SMART_METER=true in the test profile (expected false: smart-meter-service must not call its external API in test)',
    ]);
  });

  it('reading: YAML errors, a required variable, a missing env_file, a broken extends are findings', () => {
    const fs = mk([
      `services:
  a:
    image: \${IMAGE:?name the image}
    env_file: [./missing.env]
    extends: { service: nope }
    healthcheck: { test: [CMD, "true"] }
    deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } }`,
      'services: [unclosed',
    ]);
    expect(fs.map((f) => `${f.rule} ${f.service}`)).toEqual([
      'interpolation a',
      'extends a',
      'yaml -',
      'env-file a',
    ]);
    expect(fs[0]?.message).toBe(
      'services.a.image: required variable IMAGE is missing a value: name the image',
    );
    expect(fs[2]?.message).toMatch(/^not valid YAML at line 1/);
    expect(fs[0]?.fix).toMatch(/^set the variable/);
  });

  it('reading: an alias inside the node it names is one finding, not a stack overflow (newcomer: RangeError)', () => {
    const fs = byRule(mk(['services: {a: &a {image: alpine, x: *a}}\n']), 'yaml');
    expect(fs.map((f) => `${f.service}: ${f.message}`)).toEqual([
      'a: services.a.x: a YAML alias refers to a node that contains it (a cycle)',
    ]);
  });

  it('reading: a malformed "${" gets the fix for its kind (close the brace or escape $ as $$), not "set the variable"', () => {
    const fs = byRule(
      mk([`services:\n${good('a', '')}`.replace('DEPLOYMENT_MODE: test', 'A: "${UNCLOSED"')]),
      'interpolation',
    );
    expect(fs.map((f) => f.message)).toEqual(['services.a.environment.A: unterminated "${" in "${UNCLOSED"']);
    expect(fs[0]?.fix).toBe(
      'write a variable as ${NAME} or ${NAME:-default} with a closing brace, or escape a literal $ as $$',
    );
  });

  it('reading: a file without services, or a service that is not a mapping, is a finding (nothing checked is not a pass)', () => {
    expect(mk(['# empty\n']).map((f) => `${f.rule}: ${f.message}`)).toEqual([
      'yaml: no services in these files: nothing was checked',
    ]);
    expect(mk(['services:\n  a: [1, 2]\n']).map((f) => `${f.rule} ${f.service}: ${f.message}`)).toEqual([
      'yaml a: service a is a list, not a mapping (compose refuses the file)',
    ]);
  });

  it('extends and merge keys resolve like compose', () => {
    const fs = mk([
      `x-limits: &limits
  deploy: { resources: { limits: { memory: 64M, cpus: "0.1" } } }
services:
  base: { <<: *limits, image: x:1, profiles: [test], environment: { INFLUXDB_BUCKET: home_assistant_events }, healthcheck: { test: [CMD, "true"] } }
  child: { extends: base, environment: { INFLUXDB_BUCKET: home_assistant_events_test } }`,
    ]);
    expect(fs.map((f) => `${f.rule} ${f.service}`)).toEqual(['test-targets base']);
  });

  it('each finding is one line naming file, service, rule and fix', () => {
    for (const f of mk([`services:\n  a: { image: "influxdb" }`])) {
      const line = formatFinding(f);
      expect(line).not.toMatch(/\n/);
      expect(line).toMatch(/^\S*c0\.yml: a: \[[a-z-]+\] .+; fix: .+$/);
    }
    expect(rules.map((r) => r.id)).toHaveLength(7);
  });
});

describe('lint:compose on the repository files', () => {
  const env = { PATH: process.env.PATH };
  it('docker-compose.test.yml is clean (exit 0)', () => {
    const r = runCli(['docker-compose.test.yml'], env);
    expect(r).toEqual({
      code: 0,
      stdout: ['lint:compose: docker-compose.test.yml (19 services): no findings (7 rules)'],
      stderr: [],
    });
  });

  it('the flawed fixture fails every rule (exit 1)', () => {
    const r = runCli(['fixtures/compose-lint/flawed.compose.yml'], env);
    expect(r.code).toBe(1);
    const rulesHit = new Set(r.stdout.slice(0, -1).map((l) => /\[([a-z-]+)\]/.exec(l)?.[1]));
    expect([...rulesHit].sort()).toEqual(rules.map((x) => x.id).sort());
    expect(r.stdout.at(-1)).toBe(
      'lint:compose: fixtures/compose-lint/flawed.compose.yml (8 services): 13 finding(s)',
    );
    expect(r.stdout.join('\n')).not.toMatch(/influxdb-init/);
  });

  it('the statically visible planted faults of fixtures/faults are caught', () => {
    const over = (fault: string) =>
      runCli(['docker-compose.test.yml', `fixtures/faults/${fault}.compose.yml`], env);
    expect(over('collector-enabled').stdout.join('\n')).toMatch(/weather-api: \[collectors-disabled\]/);
    expect(over('sqlite-production-path').stdout.join('\n')).toMatch(
      /data-api: \[test-targets\] DATABASE_URL=/,
    );
    expect(over('ingestion-production-mode').stdout.join('\n')).toMatch(
      /websocket-ingestion-test: \[test-targets\] INFLUXDB_BUCKET=home_assistant_events in the test profile/,
    );
    const withEnv = (fault: string) =>
      runCli(['--env-file', `fixtures/faults/${fault}.env`, 'docker-compose.test.yml'], env);
    expect(withEnv('influxdb-unlimited').stdout[0]).toMatch(/influxdb: \[limits\] memory limit "0" is 0/);
    expect(withEnv('limits-over-budget').stdout[0]).toMatch(
      /\(test deployment\): \[nuc-budget\] memory limits total 7\.23 GiB/,
    );
  });

  it('bad usage exits 2 with one line', () => {
    for (const argv of [
      [],
      ['--nope', 'x.yml'],
      ['no-such-file.yml'],
      ['--env-file', 'nope.env', 'docker-compose.test.yml'],
    ]) {
      const r = runCli(argv, env);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toHaveLength(1);
      expect(r.stdout).toEqual([]);
    }
  });
});

describe('lint:compose on the HomeIQ-style homes (docs/deployment.md reports these findings)', () => {
  const env = { PATH: process.env.PATH };
  const findings = (files: string[]) =>
    runCli(files, env)
      .stdout.slice(0, -1)
      .map((l) => /: ([^:]+): \[([a-z-]+)\]/.exec(l)?.slice(1).join(' '));

  it('home-a: over budget in both deployments, collectors on in the test deployment, three healthchecks missing', () => {
    expect(findings(['fixtures/compose-lint/homes/home-a/docker-compose.yml'])).toEqual([
      'health-dashboard healthcheck',
      'calendar-service healthcheck',
      'synthetic-data-generator healthcheck',
      '(test deployment) nuc-budget',
      '(test deployment) nuc-budget',
      '(production deployment) nuc-budget',
      '(production deployment) nuc-budget',
      'weather-api collectors-disabled',
      'carbon-intensity-service collectors-disabled',
      'electricity-pricing-service collectors-disabled',
      'air-quality-service collectors-disabled',
      'calendar-service collectors-disabled',
      'smart-meter-service collectors-disabled',
      'sports-data collectors-disabled',
    ]);
  });

  it('home-b with its production override: floating InfluxDB tag, inherited production org, generator in dev too', () => {
    expect(
      findings([
        'fixtures/compose-lint/homes/home-b/docker-compose.yml',
        'fixtures/compose-lint/homes/home-b/docker-compose.prod.yml',
      ]),
    ).toEqual([
      'ai-automation-service limits',
      'weather-api healthcheck',
      'mock-data-seeder healthcheck',
      'websocket-ingestion-test test-targets',
      'mock-data-seeder test-targets',
      'mock-data-seeder test-targets',
      'mock-data-seeder generator-profile',
      'mock-data-seeder generator-profile',
      'influxdb influxdb-tag',
    ]);
  });
});
