/**
 * The static rules a HomeIQ-style compose project must pass before it is deployed on a home server
 * (seed 000, Epic 40: dual deployment and NUC limits; CONTRACTS section 4: resource ceilings, section
 * 5: InfluxDB 2.x). Each rule takes the loaded model and returns findings; none needs Docker.
 *
 * Deployments, as compose selects services: the *test deployment* is `--profile test` (services
 * with no profile plus those listing `test`); the *production deployment* is no profile (services
 * with no profile). A *test-profile service* lists `test` in its profiles.
 */
import { collectors, deployment, generators, limits } from '../config/defaults.ts';
import type { ComposeModel, Service } from './load.ts';

export type RuleId =
  | 'limits'
  | 'healthcheck'
  | 'test-targets'
  | 'generator-profile'
  | 'influxdb-tag'
  | 'nuc-budget'
  | 'collectors-disabled';

export interface Finding {
  file: string;
  service: string;
  rule: string;
  message: string;
  fix: string;
}

export interface Rule {
  id: RuleId;
  /** One line: what the rule requires and where the requirement comes from. */
  summary: string;
  check(model: ComposeModel): Finding[];
}

const fileOf = (s: Service): string => s.files.join('+');
const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
const mib = (bytes: number): string => `${Math.round(bytes / 1024 ** 2)} MiB`;

export const inTestProfile = (s: Service): boolean => s.profiles.includes('test');
/** Started by `docker compose --profile test up`. */
export const inTestDeployment = (s: Service): boolean => s.profiles.length === 0 || inTestProfile(s);
/** Started by `docker compose up` (no profile). */
export const inProductionDeployment = (s: Service): boolean => s.profiles.length === 0;

const limitsRule: Rule = {
  id: 'limits',
  summary: 'every service has a memory and a CPU limit (seed 000: all services have explicit limits)',
  check(model) {
    const out: Finding[] = [];
    for (const s of model.services) {
      const missing: string[] = [];
      if (!s.memory) missing.push('memory');
      if (!s.cpus) missing.push('CPU');
      if (missing.length)
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'limits',
          message: `no ${missing.join(' and no ')} limit (expected deploy.resources.limits.memory and .cpus; found ${s.memory ? `memory ${s.memory.raw}` : 'no memory'}, ${s.cpus ? `cpus ${s.cpus.raw}` : 'no cpus'})`,
          fix: 'add deploy: {resources: {limits: {memory: 256M, cpus: "0.5"}}} sized from measured peak memory plus headroom',
        });
      if (s.memory && !s.memory.bytes)
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'limits',
          message:
            s.memory.bytes === 0
              ? `memory limit "${s.memory.raw}" is 0, which Docker reads as unlimited`
              : `memory limit "${s.memory.raw}" is not a size`,
          fix: 'write the limit as a size, e.g. 256M or 1G',
        });
      if (s.cpus && (s.cpus.value === undefined || s.cpus.value <= 0))
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'limits',
          message: `CPU limit "${s.cpus.raw}" is not a positive number`,
          fix: 'write the limit as a number of CPUs, e.g. "0.5"',
        });
    }
    return out;
  },
};

const healthcheckRule: Rule = {
  id: 'healthcheck',
  summary: 'every long-running service declares a healthcheck (one-shot init services excepted)',
  check(model) {
    return model.services
      .filter((s) => !s.oneShot && s.healthcheck !== 'declared')
      .map((s) => ({
        file: fileOf(s),
        service: s.name,
        rule: 'healthcheck',
        message:
          s.healthcheck === 'disabled'
            ? 'healthcheck is disabled: nothing can wait for this service to be ready'
            : 'no healthcheck in the compose file: `up --wait` and depends_on cannot tell when it is ready (an image HEALTHCHECK is invisible here)',
        fix: 'add healthcheck: {test: ["CMD", "curl", "-fsS", "http://127.0.0.1:<port>/health"], interval: 5s, retries: 12}; an init job others wait on with condition: service_completed_successfully needs none',
      }));
  },
};

/** Keys naming an InfluxDB org / bucket a client writes to (not the server's own DOCKER_INFLUXDB_INIT_*). */
const isInfluxKey = (k: string, what: 'ORG' | 'BUCKET'): boolean =>
  /INFLUX/i.test(k) && k.toUpperCase().endsWith(what) && !/^DOCKER_INFLUXDB_INIT_/i.test(k);
const SQLITE_VALUE = /\.(db|sqlite3?)\b/i;

const testTargetsRule: Rule = {
  id: 'test-targets',
  summary: `test-profile services use org ${deployment.test.org}, bucket ${deployment.test.bucket} and SQLite ${deployment.test.sqlite} (seed 000, stories 40.3 and 40.4)`,
  check(model) {
    const out: Finding[] = [];
    for (const s of model.services.filter(inTestProfile)) {
      const bad = (key: string, value: string, expected: string, fix: string) =>
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'test-targets',
          message: `${key}=${value} in the test profile (expected ${expected})`,
          fix,
        });
      for (const [k, v] of s.environment) {
        if (isInfluxKey(k, 'ORG') && v !== deployment.test.org)
          bad(k, v, deployment.test.org, `set ${k}=${deployment.test.org} (the test org)`);
        else if (isInfluxKey(k, 'BUCKET') && v !== deployment.test.bucket)
          bad(k, v, deployment.test.bucket, `set ${k}=${deployment.test.bucket} (the test bucket)`);
        else if (
          SQLITE_VALUE.test(v) &&
          /(DATABASE|SQLITE|DB_)/i.test(k) &&
          !v.includes(deployment.test.sqlite)
        )
          bad(k, v, `a path ending in ${deployment.test.sqlite}`, `point ${k} at ${deployment.test.sqlite}`);
        else if (k === 'DEPLOYMENT_MODE' && v !== 'test')
          bad(k, v, 'test', 'set DEPLOYMENT_MODE=test for every test-profile service');
      }
    }
    return out;
  },
};

const GENERATOR_NAME = /(^|[-_])(data-?generator|generator|synthetic|mock-data|seeder)([-_]|$)/i;
const GENERATOR_FLAGS = ['ENABLE_SYNTHETIC_DATA_GENERATION', 'ENABLE_MOCK_DATA_CREATION'] as const;
const isGeneratorName = (name: string): boolean =>
  (generators as readonly string[]).includes(name) || GENERATOR_NAME.test(name);

const generatorRule: Rule = {
  id: 'generator-profile',
  summary: 'data generators run only in the test profile (seed 000, story 40.2: production blocks them)',
  check(model) {
    const out: Finding[] = [];
    for (const s of model.services) {
      const onlyTest = s.profiles.length > 0 && s.profiles.every((p) => p === 'test');
      if (onlyTest) continue;
      const where = s.profiles.length
        ? `profiles ${JSON.stringify(s.profiles)}`
        : 'no profile (starts in production)';
      if (isGeneratorName(s.name))
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'generator-profile',
          message: `data generator outside the test profile: ${where} (expected profiles: ["test"])`,
          fix: 'give it profiles: ["test"] only, so `docker compose up` (production) never starts it',
        });
      for (const flag of GENERATOR_FLAGS) {
        if (s.environment.get(flag)?.toLowerCase() === 'true')
          out.push({
            file: fileOf(s),
            service: s.name,
            rule: 'generator-profile',
            message: `${flag}=true outside the test profile: ${where} (expected false)`,
            fix: `set ${flag}=false here, or move the service to profiles: ["test"]`,
          });
      }
    }
    return out;
  },
};

/** The repository part of an image reference names InfluxDB (influxdb, homeiq/influxdb, docker.io/library/influxdb). */
const INFLUX_IMAGE = /^(?:[^\s/]+\/)*influxdb(?=$|[:@])/i;

/** Tag of an image reference ("" when untagged, "@" + digest when pinned by digest). */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : '';
}

const influxTagRule: Rule = {
  id: 'influxdb-tag',
  summary:
    'InfluxDB images carry a pinned 2.x tag: `latest` is InfluxDB 3, which has no Flux (CONTRACTS section 5)',
  check(model) {
    const out: Finding[] = [];
    for (const s of model.services) {
      if (!s.image || !INFLUX_IMAGE.test(s.image)) continue;
      const tag = imageTag(s.image);
      const finding = (message: string) =>
        out.push({
          file: fileOf(s),
          service: s.name,
          rule: 'influxdb-tag',
          message,
          fix: 'pin a 2.x release, e.g. image: influxdb:2.8.0 (upgrade deliberately: npm run test with INFLUXDB_VERSION)',
        });
      if (tag.startsWith('@')) continue;
      if (tag === '') finding(`image ${s.image} has no tag, which means latest = InfluxDB 3 (no Flux)`);
      else if (tag === 'latest') finding(`image ${s.image}: latest is InfluxDB 3, which has no Flux`);
      else if (!/^2(\.|$|-)/.test(tag)) finding(`image ${s.image}: tag ${tag} is not InfluxDB 2.x`);
      else if (!/^2\.\d+\.\d+/.test(tag))
        finding(`image ${s.image}: tag ${tag} floats across 2.x releases (2.9 turns on token hashing)`);
    }
    return out;
  },
};

function budgetFindings(label: string, services: Service[]): Finding[] {
  if (services.length === 0) return [];
  let bytes = 0;
  let cpus = 0;
  const unbounded: string[] = [];
  for (const s of services) {
    if (!s.memory?.bytes || !s.cpus?.value) unbounded.push(s.name);
    bytes += (s.memory?.bytes ?? 0) * s.replicas;
    cpus += (s.cpus?.value ?? 0) * s.replicas;
  }
  const top = [...services]
    .filter((s) => s.memory?.bytes !== undefined)
    .sort((a, b) => (b.memory?.bytes ?? 0) * b.replicas - (a.memory?.bytes ?? 0) * a.replicas)
    .slice(0, 3)
    .map((s) => `${s.name} ${mib((s.memory?.bytes ?? 0) * s.replicas)}`)
    .join(', ');
  const files = [...new Set(services.flatMap((s) => s.files))].join('+');
  const out: Finding[] = [];
  const partial = unbounded.length ? ` (${unbounded.length} service(s) without limits not counted)` : '';
  if (bytes >= limits.stackMemoryBytes)
    out.push({
      file: files,
      service: `(${label})`,
      rule: 'nuc-budget',
      message: `memory limits total ${gib(bytes)} over ${services.length} services (expected < ${gib(limits.stackMemoryBytes)} on an 8 GB NUC)${partial}; largest: ${top}`,
      fix: 'lower the largest limits to measured peak plus headroom, or leave services out of this deployment',
    });
  if (cpus >= limits.stackCpus)
    out.push({
      file: files,
      service: `(${label})`,
      rule: 'nuc-budget',
      message: `CPU limits total ${cpus.toFixed(2)} over ${services.length} services (expected < ${limits.stackCpus})${partial}`,
      fix: 'lower the CPU limits of idle-most services (collectors, AI services at rest need ~0.05-0.2)',
    });
  return out;
}

const budgetRule: Rule = {
  id: 'nuc-budget',
  summary: `each deployment's limits total < ${limits.stackMemoryBytes / 1024 ** 3} GiB and < ${limits.stackCpus} CPUs (seed 000, NUC constraints)`,
  check(model) {
    return [
      ...budgetFindings('test deployment', model.services.filter(inTestDeployment)),
      ...budgetFindings('production deployment', model.services.filter(inProductionDeployment)),
    ];
  },
};

/** Collector name -> its ENABLE_* flag (seed 000, env.test). */
const COLLECTOR_FLAGS: ReadonlyMap<string, string> = new Map([
  ['weather-api', 'ENABLE_WEATHER_API'],
  ['carbon-intensity-service', 'ENABLE_CARBON_INTENSITY'],
  ['electricity-pricing-service', 'ENABLE_ELECTRICITY_PRICING'],
  ['air-quality-service', 'ENABLE_AIR_QUALITY'],
  ['calendar-service', 'ENABLE_CALENDAR'],
  ['smart-meter-service', 'ENABLE_SMART_METER'],
  ['sports-data', 'ENABLE_SPORTS_DATA'],
]);
const stem = (name: string): string => name.toLowerCase().replace(/[-_](service|api|data)$/, '');

/** The collector a service is (by name, with or without a -service/-api suffix), if any. */
export function collectorOf(serviceName: string): string | undefined {
  const s = stem(serviceName);
  return collectors.find((c) => stem(c) === s || serviceName === c);
}

const collectorsRule: Rule = {
  id: 'collectors-disabled',
  summary:
    'external-API collectors are off in the test deployment: DEPLOYMENT_MODE=test or ENABLE_<X>=false (seed 000, story 40.5)',
  check(model) {
    const out: Finding[] = [];
    for (const s of model.services.filter(inTestDeployment)) {
      const collector = collectorOf(s.name);
      const mode = s.environment.get('DEPLOYMENT_MODE');
      if (collector) {
        const flag = COLLECTOR_FLAGS.get(collector) ?? '';
        const flagValue = s.environment.get(flag);
        const off = mode === 'test' || flagValue?.toLowerCase() === 'false';
        if (!off)
          out.push({
            file: fileOf(s),
            service: s.name,
            rule: 'collectors-disabled',
            message: `external-API collector starts enabled in the test deployment (DEPLOYMENT_MODE=${mode ?? 'unset'}, ${flag}=${flagValue ?? 'unset'}; expected DEPLOYMENT_MODE=test or ${flag}=false)`,
            fix: s.profiles.length
              ? `set DEPLOYMENT_MODE=test and ${flag}=false for this service`
              : `give it profiles: ["production"] or set ${flag}=false / DEPLOYMENT_MODE=test in the test deployment`,
          });
      }
      if (!inTestProfile(s)) continue;
      for (const [name, flag] of COLLECTOR_FLAGS) {
        if (s.environment.get(flag)?.toLowerCase() === 'true')
          out.push({
            file: fileOf(s),
            service: s.name,
            rule: 'collectors-disabled',
            message: `${flag}=true in the test profile (expected false: ${name} must not call its external API in test)`,
            fix: `set ${flag}=false (env.test disables all seven collectors)`,
          });
      }
    }
    return out;
  },
};

export const rules: readonly Rule[] = [
  limitsRule,
  healthcheckRule,
  testTargetsRule,
  generatorRule,
  influxTagRule,
  budgetRule,
  collectorsRule,
];

/** Every finding of the model: what loading found, then each rule's, in rule order. */
export function lintModel(model: ComposeModel): Finding[] {
  return [...model.findings, ...rules.flatMap((r) => r.check(model))];
}

/** One line: `file: service: [rule] message; fix: ...`. */
export function formatFinding(f: Finding): string {
  return `${f.file}: ${f.service}: [${f.rule}] ${f.message}; fix: ${f.fix}`;
}
