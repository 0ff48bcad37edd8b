/**
 * Everything a run's configuration must satisfy before anything starts, checked once by the
 * test command's preflight: the schema (load.ts), the files it names (env file, compose files,
 * planted fault), the stack profile, and the host ports the stack will bind. Throws ConfigError
 * with ONE line naming the variable, its value and what is allowed (the preflight exits 2); a bad
 * stack profile gives one line per bad entry (file, JSON path, value, what is allowed).
 *
 * Host ports: the compose target publishes none (services are reached on the run's network), so
 * only the local target (the reference services as processes on contract ports +
 * HOMEIQ_LOCAL_PORT_OFFSET) can find a port taken. `<SERVICE>_HOST_PORT` values are still checked
 * for shape: `docker compose config` interpolates them when it renders docker-compose.test.yml.
 */

import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { type FaultFileKind, faultFileName } from '../faults/name.ts';
import { MAX_HOME_ENTITIES } from '../mock-ha/home/home.ts';
import { ProfileError } from '../profile/index.ts';
import { quote } from '../util/quote.ts';
import { entitiesForRate } from '../verify/home-size.ts';
import { contractPorts } from './defaults.ts';
import { ConfigError, type HarnessConfig, loadConfig, readStackEnv, repoRoot } from './load.ts';

/** Seconds a capacity step costs beyond its steady run (settle, home load, sampling): harness/capacity/run.ts. */
export const CAPACITY_STEP_OVERHEAD_S = 20;
/** Seconds between the budget's start and the first step (samplers, Docker's first view). */
const CAPACITY_START_SLACK_S = 5;

/** `home-assistant-test` -> `HOME_ASSISTANT_TEST_HOST_PORT` (the variable docker-compose.test.yml reads). */
export const hostPortVariable = (service: string) =>
  `${service.toUpperCase().replaceAll('-', '_')}_HOST_PORT`;

/** Every `<SERVICE>_HOST_PORT` variable of the stack, from the contract's ports. */
export const hostPortVariables = (): string[] => Object.keys(contractPorts).map(hostPortVariable);

const invalid = (line: string) => new ConfigError('CONFIG_INVALID', line);

function readable(variable: string, value: string, path: string, what: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw invalid(`${variable}="${value}" is invalid: expected ${what} (${path} cannot be read)`);
  }
  // A directory is readable too, and only fails later, inside docker compose.
  if (!statSync(path).isFile())
    throw invalid(`${variable}="${value}" is invalid: expected ${what} (${path} is not a file)`);
}

/** Resolves true when `port` can be bound on `host` right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The planted faults that exist: <name>.env or <name>.compose.yml (stack faults), or <name>.Dockerfile
 * (a `to`-image fault of the pre-upgrade check, harness/upgrade/faults.ts: `HOMEIQ_FAULT=<name> npm run
 * test:upgrade` validates the configuration before building it), in the profile's faults/ directory
 * or fixtures/faults.
 */
export function plantedFaults(root = repoRoot, profileSource?: string): string[] {
  return [...plantedFaultFiles(root, profileSource).keys()].sort();
}

/** The fault dirs the stack looks in, in order: `<profile dir>/faults`, then fixtures/faults. */
const faultDirs = (root: string, profileSource?: string) => [
  ...new Set([
    ...(profileSource ? [join(dirname(profileSource), 'faults')] : []),
    join(root, 'fixtures', 'faults'),
  ]),
];

/**
 * Each planted fault's files (absolute), from the first dir that has it (as the stack finds them:
 * harness/stack/compose-target.ts faultFiles). Names follow the one rule of harness/faults/name.ts.
 */
export function plantedFaultFiles(
  root = repoRoot,
  profileSource?: string,
): Map<string, Partial<Record<FaultFileKind, string>>> {
  const out = new Map<string, Partial<Record<FaultFileKind, string>>>();
  for (const dir of faultDirs(root, profileSource)) {
    if (!existsSync(dir)) continue;
    const here = new Map<string, Partial<Record<FaultFileKind, string>>>();
    for (const f of readdirSync(dir).sort()) {
      const m = faultFileName(f);
      if (!m) continue;
      here.set(m[0], { ...here.get(m[0]), [m[1]]: join(dir, f) });
    }
    for (const [name, files] of here) if (!out.has(name)) out.set(name, files);
  }
  return out;
}

/**
 * Faults that cannot share a boot, found before anything starts (the stack found them only at
 * boot): an upgrade `.Dockerfile` fault with others (or, for the suites, at all), and two faults
 * that set one variable to different values.
 */
function faultConflicts(
  cfg: HarnessConfig,
  files: Map<string, Partial<Record<FaultFileKind, string>>>,
  runner: 'suites' | 'upgrade' | undefined,
): void {
  const imageOnly = cfg.faults.filter((f) => {
    const k = files.get(f);
    return k?.Dockerfile && !k.env && !k['compose.yml'];
  });
  for (const f of imageOnly) {
    if (cfg.faults.length > 1)
      throw invalid(
        `HOMEIQ_FAULT="${cfg.fault}" is invalid: ${f} is an upgrade fault (${f}.Dockerfile): expected it alone, with npm run test:upgrade`,
      );
    if (runner === 'suites')
      throw invalid(
        `HOMEIQ_FAULT="${cfg.fault}" is invalid for the suites: ${f} is an upgrade fault (${f}.Dockerfile): expected it with npm run test:upgrade`,
      );
  }
  const setBy = new Map<string, { fault: string; value: string }>();
  for (const fault of cfg.faults) {
    const env = files.get(fault)?.env;
    if (!env) continue;
    for (const [k, v] of Object.entries(readStackEnv(env))) {
      const other = setBy.get(k);
      if (other && other.value !== v)
        throw invalid(
          `HOMEIQ_FAULT="${cfg.fault}" is invalid: ${other.fault} and ${fault} set ${k} to different values (${JSON.stringify(other.value)}, ${JSON.stringify(v)}): expected faults that set different variables`,
        );
      setBy.set(k, { fault, value: v });
    }
  }
}

async function checkHostPorts(cfg: HarnessConfig, env: Record<string, string | undefined>): Promise<void> {
  for (const service of Object.keys(contractPorts)) {
    const variable = hostPortVariable(service);
    const raw = env[variable];
    if (raw !== undefined && raw !== '' && (!/^\d+$/.test(raw.trim()) || Number(raw) > 65_535))
      throw invalid(
        `${variable}="${raw}" is invalid: expected a TCP port between 0 and 65535 (0: Docker picks one)`,
      );
  }
  if (cfg.target !== 'local') return;
  // The local target binds influxdb and every reference service on 127.0.0.1, contract port + offset.
  const offset = cfg.local.portOffset;
  for (const [service, contractPort] of Object.entries(contractPorts)) {
    const port = contractPort + offset;
    if (port > 65_535)
      throw invalid(
        `HOMEIQ_LOCAL_PORT_OFFSET=${offset} is invalid: ${service}'s port ${contractPort} + ${offset} exceeds 65535`,
      );
    if (!(await portFree(port, '127.0.0.1')))
      throw invalid(
        `HOMEIQ_LOCAL_PORT_OFFSET=${offset}: port ${port} (${service}) on 127.0.0.1 is already in use: set HOMEIQ_LOCAL_PORT_OFFSET to an offset whose ports are free`,
      );
  }
}

/**
 * Validate the whole harness configuration (process environment over HOMEIQ_ENV_FILE).
 * Returns the parsed configuration; throws ConfigError (one line) on the first bad input.
 */
export async function validateHarnessConfig(
  env: Record<string, string | undefined> = process.env,
  root = repoRoot,
  /** Who runs the stack: "suites" also refuses an upgrade (.Dockerfile) fault alone. */
  opts: { runner?: 'suites' | 'upgrade' } = {},
): Promise<HarnessConfig> {
  // loadConfig resolves the stack profile (HOMEIQ_PROFILE, from the environment or HOMEIQ_ENV_FILE).
  const cfg = profileChecked(() => loadConfig(env, root));
  // Where a value came from: the variable when set, else the stack profile that supplies it.
  const from = (k: string) =>
    env[k]?.trim()
      ? { variable: k, value: env[k] as string }
      : { variable: 'HOMEIQ_PROFILE', value: cfg.profile.source };
  if (cfg.stackEnvFile !== undefined) {
    const { variable, value } = from('HOMEIQ_STACK_ENV_FILE');
    readable(variable, value, cfg.stackEnvFile, 'a readable env file of the stack');
  }
  for (const f of cfg.compose.files) {
    const { variable, value } = from('COMPOSE_FILE');
    readable(variable, value, f, 'readable compose files separated by ":"');
  }
  if (cfg.faults.length) {
    const files = plantedFaultFiles(root, cfg.profile.source);
    const faults = [...files.keys()].sort();
    const unknown = cfg.faults.filter((f) => !faults.includes(f));
    if (unknown.length)
      throw invalid(
        `HOMEIQ_FAULT="${cfg.fault}" is invalid: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a planted fault: expected one of ${faults.join(', ')}, or several separated by ","`,
      );
    faultConflicts(cfg, files, opts.runner);
  }
  if (cfg.target === 'local' && !existsSync(join(root, 'fixtures', 'reference-stack', 'run-local.ts')))
    throw invalid(
      'HOMEIQ_TARGET="local" is invalid: this checkout has no fixtures/reference-stack/run-local.ts',
    );
  if (cfg.capacity.startRate > cfg.capacity.maxRate)
    throw invalid(
      `HOMEIQ_CAPACITY_START_RATE=${cfg.capacity.startRate} is invalid: expected at most HOMEIQ_CAPACITY_MAX_RATE (${cfg.capacity.maxRate})`,
    );
  // Set by `npm run capacity` (harness/capacity/cli.ts) for its child run: only "1" turns it on.
  const capacityRun = env.HOMEIQ_CAPACITY_SUITE;
  if (capacityRun !== undefined && capacityRun !== '' && capacityRun !== '0' && capacityRun !== '1')
    throw invalid(
      `HOMEIQ_CAPACITY_SUITE=${quote(capacityRun)} is invalid: expected unset, "0" or "1" (npm run capacity sets it)`,
    );
  // The throughput suite fires its bursts on a home sized to the burst rate (harness/verify/home-load.ts);
  // a capacity run sizes its own homes (capacityBounds).
  const burstHome = entitiesForRate(cfg.load.burstPerSec, cfg.load.minGapMs);
  if (capacityRun !== '1' && burstHome > MAX_HOME_ENTITIES)
    throw invalid(
      `HOMEIQ_BURST_RATE=${cfg.load.burstPerSec} is invalid with HOMEIQ_MIN_GAP_MS=${cfg.load.minGapMs}: a home for that rate with that gap needs ${burstHome} entities: expected at most ${MAX_HOME_ENTITIES} (the mock's largest home; lower the rate or the gap)`,
    );
  if (capacityRun === '1') capacityBounds(cfg);
  await checkHostPorts(cfg, env);
  return cfg;
}

/**
 * What a capacity search can do with its settings (harness/capacity/run.ts): a step is started only
 * when its estimate (step + CAPACITY_STEP_OVERHEAD_S) fits in the budget left a few seconds after
 * the boot, and each step loads a home sized for twice its rate, which the mock caps at
 * MAX_HOME_ENTITIES (harness/mock-ha/home/home.ts). Settings that can run no step, or would fail
 * mid-search loading a home, are refused up front.
 */
function capacityBounds(cfg: HarnessConfig): void {
  const { budgetS, stepS, maxRate } = cfg.capacity;
  const least = stepS + CAPACITY_STEP_OVERHEAD_S + CAPACITY_START_SLACK_S;
  if (budgetS < least)
    throw invalid(
      `HOMEIQ_CAPACITY_BUDGET_S=${budgetS} is invalid: expected at least HOMEIQ_CAPACITY_STEP_S + ${CAPACITY_STEP_OVERHEAD_S + CAPACITY_START_SLACK_S} (${least}): a step is started only when its estimate (step + ${CAPACITY_STEP_OVERHEAD_S} s) fits in the budget left, so a shorter budget runs no step`,
    );
  const entities = entitiesForRate(maxRate * 2, cfg.load.minGapMs);
  if (entities > MAX_HOME_ENTITIES)
    throw invalid(
      `HOMEIQ_CAPACITY_MAX_RATE=${maxRate} is invalid with HOMEIQ_MIN_GAP_MS=${cfg.load.minGapMs}: a home for twice that rate with that gap needs ${entities} entities: expected at most ${MAX_HOME_ENTITIES} (the mock's largest home; lower the max rate or the gap)`,
    );
}

/**
 * The stack profile loads and its org/bucket overrides hold (harness/profile: HOMEIQ_PROFILE,
 * else the reference stack's): a ProfileError (one line per bad entry: file, JSON path, value,
 * what is allowed) becomes the ConfigError the preflight reports with exit 2.
 */
function profileChecked<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ProfileError) throw invalid(err.lines.join('\n'));
    throw err;
  }
}
