/**
 * The `compose` target: Testcontainers' DockerComposeEnvironment boots the configured compose
 * files and profiles, waits on healthchecks, and everything is torn down (with volumes) by
 * down(), by a failed boot, and on SIGINT/SIGTERM (Ryuk is not available here).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment } from 'testcontainers';
import { harnessHealthcheck } from '../config/defaults.ts';
import type { HarnessConfig } from '../config/load.ts';
import { readStackEnv } from '../config/load.ts';
import { ownerLabels } from '../docker/identity.ts';
import { health } from '../probes/http.ts';
import { checkAgainstCompose, ProfileError } from '../profile/load.ts';
import type { StackProfile } from '../profile/types.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { progressLine } from '../util/progress.ts';
import { WaitTimeoutError, waitFor } from '../util/wait.ts';
import { bootServices, bootWatcher } from './boot-progress.ts';
import { onInterrupt } from './cleanup.ts';
import {
  type ComposeCli,
  composeConfig,
  composeDown,
  detectCompose,
  spawnDetachedDown,
} from './compose-cli.ts';
import {
  type ComposeModel,
  INIT_SERVICE,
  PHASE2_TOKEN_VARIABLE,
  rewriteForRun,
  TOKENS_DIR,
} from './compose-rewrite.ts';
import { type ArchivedFile, readContainerPath } from './container-files.ts';
import {
  cloneContainer,
  docker,
  inspect,
  projectContainers,
  redact,
  releaseGate,
  removeContainer,
  signalContainer,
  tailLogs,
  urlOf,
} from './docker.ts';
import {
  type Capability,
  StackError,
  type StackTokens,
  type StartedStack,
  type VariantOptions,
  type VariantResult,
} from './types.ts';

export interface ComposePlan {
  project: string;
  /** The stack's compose files (the profile's or COMPOSE_FILE), plus a planted fault's override. */
  files: string[];
  profiles: string[];
  /** Environment of `docker compose` (interpolation): images, run-scoped tokens, fault values. */
  environment: Record<string, string>;
  /** Values a planted fault set (they win over what the stack wrote, e.g. a token the harness uses). */
  faultEnvironment: Record<string, string>;
}

const secret = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Where a planted fault lives: next to the profile (`<profile dir>/faults/`), else fixtures/faults. */
export function faultFiles(
  cfg: HarnessConfig,
  fault: string,
): { env?: string; compose?: string; looked: string[] } {
  const dirs = [join(dirname(cfg.profile.source), 'faults'), join(cfg.repoRoot, 'fixtures', 'faults')];
  const looked: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const env = join(dir, `${fault}.env`);
    const compose = join(dir, `${fault}.compose.yml`);
    looked.push(env, compose);
    if (existsSync(env) || existsSync(compose))
      return {
        ...(existsSync(env) ? { env } : {}),
        ...(existsSync(compose) ? { compose } : {}),
        looked,
      };
  }
  return { looked };
}

/** Resolve files, profiles and environment, including a planted fault. */
export async function planCompose(
  cfg: HarnessConfig,
  _env: Record<string, string | undefined> = process.env,
  project?: string,
): Promise<ComposePlan> {
  const files = [...cfg.compose.files];
  const environment: Record<string, string> = { ...cfg.compose.environment };
  const faultEnvironment: Record<string, string> = {};
  // Tokens the harness must know: the user's (configuration) or new ones for this run only.
  environment.INFLUXDB_ADMIN_TOKEN = cfg.tokens.influxAdmin ?? secret('homeiq-harness-admin-');
  environment.MOCK_HA_CONTROL_TOKEN = cfg.tokens.mockHaControl ?? secret('homeiq-harness-control.');
  environment.HA_TOKEN = cfg.tokens.ha ?? secret('homeiq-harness-ha.');
  for (const [k, v] of Object.entries(harnessHealthcheck)) environment[k] = _env[k] ?? v;
  environment.INFLUXDB_TOKENS_DIR = _env.INFLUXDB_TOKENS_DIR ?? TOKENS_DIR;
  environment[PHASE2_TOKEN_VARIABLE] = '';
  // Planted faults (HOMEIQ_FAULT=a,b): each one's overrides, in order; two that set one variable
  // to different values cannot share a boot.
  const setBy: Record<string, string> = {};
  for (const fault of cfg.faults) {
    const found = faultFiles(cfg, fault);
    if (!found.env && !found.compose)
      throw new StackError(
        'STACK_BOOT_FAILED',
        `HOMEIQ_FAULT="${cfg.fault}": none of ${found.looked.join(', ')} exists`,
      );
    if (found.env)
      for (const [k, v] of Object.entries(readStackEnv(found.env))) {
        const other = Object.hasOwn(setBy, k) ? setBy[k] : undefined;
        if (other !== undefined && faultEnvironment[k] !== v)
          throw new StackError(
            'STACK_BOOT_FAILED',
            `HOMEIQ_FAULT="${cfg.fault}": ${other} and ${fault} set ${k} to different values ("${faultEnvironment[k]}", "${v}"): expected faults that share a boot to set different variables`,
          );
        faultEnvironment[k] = v;
        setBy[k] = fault;
      }
    if (found.compose) files.push(found.compose);
  }
  const name =
    project ?? cfg.compose.projectName ?? `homeiq-h${process.pid}-${randomBytes(3).toString('hex')}`;
  Object.assign(environment, faultEnvironment);
  return { project: name, files, profiles: cfg.compose.profiles, environment, faultEnvironment };
}

/** The stack's compose config as Compose renders it (interpolation, env_file, extends, profiles). */
export function renderComposeConfig(cli: ComposeCli, plan: ComposePlan, cwd: string): Promise<ComposeModel> {
  return composeConfig<ComposeModel>(cli, plan, cwd);
}

/** Container port of each service the profile maps (the one its URL uses). */
export function rolePorts(profile: StackProfile): Map<string, number> {
  const r = profile.roles;
  const out = new Map<string, number>();
  const add = (service: string, port: number | undefined) => {
    if (port !== undefined && !out.has(service)) out.set(service, port);
  };
  add(r.ingestion.service, r.ingestion.port);
  add(r.influxdb.service, r.influxdb.port);
  add(r.mockHa.service, r.mockHa.port);
  if (r.metadataStore) add(r.metadataStore.service, r.metadataStore.port);
  if (r.dataGenerator) add(r.dataGenerator.service, r.dataGenerator.port);
  for (const c of r.collectors) add(c.service, c.port);
  for (const a of r.aiServices) add(a.service, a.port);
  return out;
}

/** What the run will start, in words (printed before anything starts). */
export function describeStart(model: ComposeModel, profile: StackProfile, notes: string[]): string {
  const r = profile.roles;
  const roles = new Map<string, string>([
    [r.ingestion.service, 'ingestion'],
    [r.influxdb.service, 'InfluxDB'],
    [r.mockHa.service, 'mock HA'],
  ]);
  if (r.metadataStore) roles.set(r.metadataStore.service, 'metadata store');
  if (r.dataGenerator) roles.set(r.dataGenerator.service, 'data generator');
  for (const c of r.collectors) roles.set(c.service, 'collector');
  for (const a of r.aiServices) roles.set(a.service, 'AI service');
  const services = Object.entries(model.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, s]) => `  ${name}${roles.has(name) ? ` [${roles.get(name)}]` : ''}: ${s.image ?? '(build)'}`,
    );
  return [
    `will start ${services.length} services of profile "${profile.name}" (${profile.source}):`,
    ...services,
    'rewritten for this run:',
    ...notes.map((n) => `  ${n}`),
  ].join('\n');
}

/**
 * Poll the project's containers during boot: print a progress line whenever the set of ready
 * services changes ("7 of 19 services ready (+data-api); waiting for ..."), and keep the last log
 * lines of services not healthy, for a failed boot.
 */
function watchBoot(
  plan: ComposePlan,
  cfg: HarnessConfig,
  log: Logger,
): { stop: () => Promise<Map<string, string>> } {
  const { project } = plan;
  const seen = new Map<string, string>();
  const expected = bootServices(plan.files, plan.profiles, plan.environment, cfg.repoRoot);
  const progress = progressLine(`${project}:boot`, { write: (line) => log.info(`boot: ${line}`) });
  const observe = expected ? bootWatcher(expected, (line) => progress.update(line)) : undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const containers = await projectContainers(project);
        observe?.(containers);
        for (const c of containers) {
          if (c.state === 'running' && c.health !== 'unhealthy' && c.health !== 'health: starting') continue;
          const tail = await tailLogs(c.id, 25).catch(() => '');
          seen.set(c.service || c.name, `[${c.state}${c.health ? `, ${c.health}` : ''}]\n${tail}`);
        }
      } catch (err) {
        log.debug(`boot watch: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 3_000));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      // One last look, so the final line shows the state the boot ended in (all ready, or who failed).
      const last = await projectContainers(project).catch(() => undefined);
      if (last) observe?.(last);
      progress.done();
      return seen;
    },
  };
}

async function tokenFilesFromVolume(containerIds: string[], dir: string | undefined): Promise<StackTokens> {
  if (!dir) return {};
  for (const id of containerIds) {
    try {
      const files = await readContainerPath(id, dir);
      const get = (n: string) =>
        files
          .find((f) => f.name === n)
          ?.data.toString('utf8')
          .trim() || undefined;
      const found = { influxProd: get('prod.token'), influxTest: get('test.token') };
      if (found.influxProd || found.influxTest) return found;
    } catch {
      // not mounted in this container
    }
  }
  return {};
}

export async function startComposeStack(
  cfg: HarnessConfig,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const { cli, run } = await prepareRun(cfg, log);
  return bootRun(cfg, cli, run, log);
}

/**
 * Boot a stack that later files of the same run adopt (./shared-boot.ts). `handOver(run)` records
 * the boot where the run's owner (the test runner's global setup) finds it; once it returned, this
 * process no longer tears the project down on SIGINT/SIGTERM (a test worker is SIGTERMed when its
 * file ends), and the returned handle's down() only removes what this handle started (variants).
 * If `handOver` throws, the stack is torn down and the error rethrown.
 */
export async function startSharedComposeStack(
  cfg: HarnessConfig,
  handOver: (run: ComposeRun) => void,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const { cli, run } = await prepareRun(cfg, log);
  const stack = await bootRun(cfg, cli, run, log);
  try {
    handOver(run);
  } catch (err) {
    await stack.down();
    throw err;
  }
  stack.handOver();
  return stack;
}

/**
 * A handle on a compose project booted by another process of this run (startSharedComposeStack):
 * the same StartedStack (URLs, tokens, logs, files, variants), found by the project's containers.
 * Its down() only removes what this handle started; signal, stopService and restartWithEnv refuse
 * (a shared boot must stay as booted: a suite that changes the stack boots its own).
 */
export async function adoptComposeStack(
  cfg: HarnessConfig,
  run: ComposeRun,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const stack = await ComposeStack.create(cfg, detectCompose(), run, undefined, () => undefined, log);
  stack.handOver();
  return stack;
}

/**
 * Tear down a compose project of this run by its generated config (the owner of a shared boot, at
 * the end of the run): `compose down -v --remove-orphans -t 0`, then any container still carrying
 * the project's labels (replaced services, variants), then the run directory. Throws with what
 * failed; `spawnDetachedDown` is the fire-and-forget variant for signals.
 */
export async function downComposeRun(run: ComposeRun): Promise<void> {
  const errors: string[] = [];
  const failed = await composeDown(detectCompose(), run.plan.project, [run.file], run.runDir);
  if (failed) errors.push(failed);
  for (const c of await projectContainers(run.plan.project).catch(() => []))
    await removeContainer(c.id).catch((err: unknown) => errors.push(`${c.name}: ${String(err)}`));
  rmSync(run.runDir, { recursive: true, force: true });
  if (errors.length)
    throw new StackError(
      'STACK_DOCKER_FAILED',
      `compose down of ${run.plan.project} failed: ${errors.join('; ')}`,
    );
}

/** Validate and render the configuration, rewrite it for this run, and write the generated config. */
async function prepareRun(cfg: HarnessConfig, log: Logger): Promise<{ cli: ComposeCli; run: ComposeRun }> {
  // Ryuk (the reaper) cannot be pulled here: teardown is ours (down(), failed boot, SIGINT/SIGTERM).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const cli = detectCompose();
  const plan = await planCompose(cfg);
  // Validated before anything starts: the profile against the config, then the rewrite.
  const rendered = await renderComposeConfig(cli, plan, cfg.repoRoot);
  const missing = checkAgainstCompose(cfg.profile, Object.keys(rendered.services ?? {}));
  if (missing.length > 0) throw new ProfileError(missing);
  const rewrite = rewriteForRun(rendered, {
    profile: cfg.profile,
    appImage: cfg.images.app,
    allowedBindRoots: [cfg.repoRoot, dirname(cfg.profile.source), ...plan.files.map((f) => dirname(f))],
    adds: cfg.profile.harnessAdds,
    project: plan.project,
    // Every container, network and volume compose creates carries this run's owner labels.
    labels: ownerLabels(),
  });
  // Every service of the rendered config is active: profiles are settled, so the run needs none.
  for (const svc of Object.values(rewrite.model.services)) delete svc.profiles;
  const runDir = mkdtempSync(join(tmpdir(), `homeiq-${plan.project}-`));
  const file = join(runDir, 'compose.json');
  writeFileSync(file, JSON.stringify(rewrite.model, null, 2), { mode: 0o600 });
  log.info(describeStart(rewrite.model, cfg.profile, rewrite.notes));
  const run: ComposeRun = { plan, file, runDir, phase1: rewrite.phase1 };
  return { cli, run };
}

export interface ComposeRun {
  plan: ComposePlan;
  /** The generated config (mode 0600 in a 0700 run directory: it holds the stack's rendered env). */
  file: string;
  runDir: string;
  phase1?: string[] | undefined;
}

async function bootRun(
  cfg: HarnessConfig,
  cli: ComposeCli,
  run: ComposeRun,
  log: Logger,
): Promise<ComposeStack> {
  const { plan } = run;
  const unregister = onInterrupt(`compose ${plan.project}`, () => {
    spawnDetachedDown(cli, plan.project, [run.file], [], run.runDir, run.runDir);
  });
  log.info(
    `compose up ${plan.project}: files ${plan.files.join(', ')}; profiles ${plan.profiles.join(',')}; images ${cfg.images.app}, ${cfg.images.influxdb}${cfg.fault ? `; fault ${cfg.fault}` : ''}; generated ${run.file} (${cli.argv.join(' ')} ${cli.version})`,
  );
  const started = performance.now();
  // Progress and failure tails watch the generated config (harness services included).
  const watch = watchBoot({ ...plan, files: [run.file], profiles: [] }, cfg, log);
  const environment = { ...plan.environment };
  const compose = () =>
    new DockerComposeEnvironment(run.runDir, [run.file])
      .withProjectName(plan.project)
      .withEnvironment(environment)
      .withStartupTimeout(cfg.startupTimeoutMs)
      .withClientOptions({ executable: cli.executable });
  let env: StartedDockerComposeEnvironment;
  try {
    if (run.phase1) {
      // Two-phase boot: a service reads its token from the environment only, and the token exists
      // once InfluxDB's init has run.
      log.info(`compose up ${plan.project}: phase 1: ${run.phase1.join(', ')}`);
      await compose().up(run.phase1);
      // A one-shot init has no healthcheck: wait for it to exit 0 (give up at once on another code).
      await waitFor(
        async () => {
          const init = (await projectContainers(plan.project)).find((c) => c.service === INIT_SERVICE);
          if (!init) return { done: false, seen: `no ${INIT_SERVICE} container yet` };
          const st = (await inspect(init.id)).State;
          if (st.Running || st.Status === 'created')
            return { done: false, seen: `${INIT_SERVICE} ${st.Status}` };
          if (st.ExitCode === 0) return { done: true, seen: `${INIT_SERVICE} exited 0` };
          return {
            done: false,
            seen: `${INIT_SERVICE} exited ${st.ExitCode}`,
            fatal: `${INIT_SERVICE} exited ${st.ExitCode}: ${(await tailLogs(init.id, 5)).trim()}`,
          };
        },
        {
          what: `${INIT_SERVICE} to onboard InfluxDB and exit 0`,
          timeoutMs: cfg.startupTimeoutMs,
          intervalMs: 250,
        },
      );
      const ids = (await projectContainers(plan.project)).map((c) => c.id);
      const token = (await tokenFilesFromVolume(ids, TOKENS_DIR)).influxTest;
      if (!token)
        throw new StackError(
          'STACK_BOOT_FAILED',
          `phase 1 of ${plan.project}: ${INIT_SERVICE} left no test token in ${TOKENS_DIR}`,
        );
      environment[PHASE2_TOKEN_VARIABLE] = token;
      log.info(
        `compose up ${plan.project}: phase 2: the rest, with the test-scoped token in the environment`,
      );
    }
    env = await compose().up();
  } catch (err) {
    const logs = await watch.stop();
    spawnDetachedDown(cli, plan.project, [run.file], [], run.runDir, run.runDir);
    unregister();
    const detail = [...logs].map(([svc, tail]) => `--- ${svc} ${tail}`).join('\n');
    throw new StackError(
      'STACK_BOOT_FAILED',
      `compose up of ${plan.files.join(', ')} (profiles ${plan.profiles.join(',')}) failed after ${Math.round((performance.now() - started) / 1000)}s: ${err instanceof Error ? err.message : String(err)}${detail ? `\nlast log lines of services not healthy:\n${detail}` : ''}`,
    );
  }
  await watch.stop();
  log.info(`compose up ${plan.project}: healthy after ${Math.round((performance.now() - started) / 1000)}s`);
  return ComposeStack.create(cfg, cli, run, env, unregister, log);
}

class ComposeStack implements StartedStack {
  readonly target = 'compose' as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'logs',
    'signal',
    'stop',
    'restart-with-env',
    'run-variant',
    'containers',
    'files',
  ]);
  readonly tokens: StackTokens;
  readonly project: string;
  #ids = new Map<string, string>();
  #urls = new Map<string, string>();
  /** Undefined on an adopted handle: the project is torn down by its owner. */
  #env: StartedDockerComposeEnvironment | undefined;
  /** True once the project belongs to the run's owner (./shared-boot.ts): down() releases only. */
  #shared = false;
  #unregister: () => void;
  #variants = new Set<string>();
  #downed = false;
  #cli: ComposeCli;
  #run: ComposeRun;
  #ports: Map<string, number>;
  #log: Logger;

  private constructor(
    cfg: HarnessConfig,
    cli: ComposeCli,
    run: ComposeRun,
    env: StartedDockerComposeEnvironment | undefined,
    unregister: () => void,
    tokens: StackTokens,
    log: Logger,
  ) {
    this.#cli = cli;
    this.#run = run;
    this.#ports = rolePorts(cfg.profile);
    this.project = run.plan.project;
    this.#env = env;
    this.#unregister = unregister;
    this.tokens = tokens;
    this.#log = log;
  }

  static async create(
    cfg: HarnessConfig,
    cli: ComposeCli,
    run: ComposeRun,
    env: StartedDockerComposeEnvironment | undefined,
    unregister: () => void,
    log: Logger,
  ): Promise<ComposeStack> {
    const { plan } = run;
    const stackEnv = readStackEnv(cfg.stackEnvFile);
    const containers = await projectContainers(plan.project);
    const fromFiles = await tokenFilesFromVolume(
      containers.map((c) => c.id),
      plan.environment.INFLUXDB_TOKENS_DIR ?? stackEnv.INFLUXDB_TOKENS_DIR,
    );
    const pick = (...vals: (string | undefined)[]) => vals.find((v) => v !== undefined && v !== '');
    const fault = plan.faultEnvironment;
    const tokens: StackTokens = {
      influxAdmin: pick(
        cfg.tokens.influxAdmin,
        plan.environment.INFLUXDB_ADMIN_TOKEN,
        stackEnv.INFLUXDB_ADMIN_TOKEN,
      ),
      influxTest: pick(
        cfg.tokens.influxTest,
        fault.INFLUXDB_TEST_TOKEN,
        fromFiles.influxTest,
        plan.environment.INFLUXDB_TEST_TOKEN,
        stackEnv.INFLUXDB_TEST_TOKEN,
      ),
      influxProd: pick(
        cfg.tokens.influxProd,
        fault.INFLUXDB_PROD_TOKEN,
        fromFiles.influxProd,
        plan.environment.INFLUXDB_PROD_TOKEN,
        stackEnv.INFLUXDB_PROD_TOKEN,
      ),
      ha: pick(cfg.tokens.ha, stackEnv.HA_TOKEN, plan.environment.HA_TOKEN),
      mockHaControl: pick(
        cfg.tokens.mockHaControl,
        plan.environment.MOCK_HA_CONTROL_TOKEN,
        stackEnv.MOCK_HA_CONTROL_TOKEN,
      ),
    };
    const stack = new ComposeStack(cfg, cli, run, env, unregister, tokens, log);
    for (const c of containers) if (c.service) await stack.#track(c.service, c.id);
    return stack;
  }

  /**
   * The project now belongs to the run's owner: no emergency teardown from this process, down()
   * releases this handle only, and the controls that change the stack refuse.
   */
  handOver(): void {
    this.#shared = true;
    this.#unregister();
  }

  #refuseShared(what: string): void {
    if (this.#shared)
      throw new StackError(
        'STACK_SHARED',
        `${what} would change the shared boot ${this.project}, which other suites of this run observe: a suite that stops, signals or replaces a service declares it (useStack({ changes: '...' }) in harness/stack/use-stack.ts) and gets a boot of its own`,
      );
  }

  async #track(service: string, id: string): Promise<void> {
    this.#ids.set(service, id);
    const url = urlOf(await inspect(id), this.#ports.get(service));
    if (url) this.#urls.set(service, url);
  }

  #id(service: string): string {
    const id = this.#ids.get(service);
    if (!id)
      throw new StackError(
        'STACK_UNKNOWN_SERVICE',
        `no service "${service}" in compose project ${this.project} (services: ${this.services().join(', ')})`,
      );
    return id;
  }

  services(): string[] {
    return [...this.#ids.keys()].sort();
  }

  url(service: string): string {
    const url = this.#urls.get(service);
    if (!url) {
      this.#id(service);
      throw new StackError(
        'STACK_UNKNOWN_SERVICE',
        `service "${service}" publishes no TCP port and has no bridge address`,
      );
    }
    return url;
  }

  async readFiles(service: string, path: string): Promise<ArchivedFile[]> {
    const id = this.containerId(service);
    if (!id)
      throw new StackError(
        'STACK_UNKNOWN_SERVICE',
        `compose project ${this.project} has no container for ${service}`,
      );
    return readContainerPath(id, path);
  }

  containerId(service: string): string | undefined {
    return this.#ids.get(service);
  }

  logs(service: string, lines = 50): Promise<string> {
    return tailLogs(this.#id(service), lines);
  }

  async signal(service: string, signal: NodeJS.Signals): Promise<void> {
    this.#refuseShared(`sending ${signal} to ${service}`);
    return signalContainer(this.#id(service), signal);
  }

  async stopService(service: string, timeoutSec = 10): Promise<void> {
    this.#refuseShared(`stopping ${service}`);
    await docker().getContainer(this.#id(service)).stop({ t: timeoutSec });
  }

  async restartWithEnv(
    service: string,
    env: Record<string, string>,
    opts: { image?: string } = {},
  ): Promise<void> {
    this.#refuseShared(`replacing ${service}`);
    const id = await cloneContainer(this.#id(service), {
      env,
      project: this.project,
      replace: true,
      ...(opts.image ? { image: opts.image } : {}),
    });
    await this.#track(service, id);
    this.#log.info(
      `${service} replaced with ${JSON.stringify(redact(env))}${opts.image ? ` on image ${opts.image}` : ''} (container ${id.slice(0, 12)})`,
    );
  }

  async runVariant(
    service: string,
    env: Record<string, string>,
    opts: VariantOptions = {},
  ): Promise<VariantResult> {
    const gated = opts.beforeStart !== undefined;
    const id = await cloneContainer(this.#id(service), { env, project: this.project, replace: false, gated });
    this.#variants.add(id);
    try {
      if (opts.beforeStart) {
        await opts.beforeStart(id);
        await releaseGate(id);
      }
      const info = await inspect(id);
      const url = urlOf(info, this.#ports.get(service));
      const started = performance.now();
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const awaited = `copy of ${service} with ${JSON.stringify(redact(env))} to exit or answer /health`;
      let last: unknown = '(no /health answer yet)';
      const outcome = await waitFor(
        async () => {
          const s = (await inspect(id)).State;
          if (!s.Running)
            return {
              done: true,
              value: { exitCode: s.ExitCode as number | undefined, health: undefined as unknown },
              seen: `exited ${s.ExitCode}`,
            };
          if (!url) return { done: false, seen: 'running, no address to probe' };
          const h = await health(url, '/health', 2_000).catch((e: unknown) => ({
            status: 0,
            json: String(e),
            text: '',
          }));
          last = { http_status: h.status, body: h.json ?? h.text.slice(0, 200) };
          if (h.status === 200)
            return { done: true, value: { exitCode: undefined, health: h.json }, seen: 'health 200' };
          return {
            done: false,
            seen: `running, /health ${h.status === 0 ? `not answering (${String(h.json).slice(0, 120)})` : `${h.status} ${JSON.stringify(last).slice(0, 160)}`}`,
          };
        },
        { what: awaited, timeoutMs, intervalMs: 250 },
      ).catch(async (err: unknown) => {
        // Still running without a healthy answer at its deadline: that is a result too (the check
        // says what it expected); the deadline record says what was awaited and last seen.
        if (err instanceof WaitTimeoutError && (await inspect(id)).State.Running)
          return {
            exitCode: undefined,
            health: last,
            deadline: { timeoutMs, awaited, lastSeen: err.lastSeen },
          };
        throw err;
      });
      const elapsedMs = Math.round(performance.now() - started);
      await opts.whileRunning?.(id);
      const output = await tailLogs(id, 200);
      return {
        service,
        env: redact(env),
        exitCode: outcome.exitCode,
        output,
        health: outcome.health,
        elapsedMs,
        ...('deadline' in outcome && outcome.deadline ? { deadline: outcome.deadline } : {}),
      };
    } finally {
      await removeContainer(id);
      this.#variants.delete(id);
    }
  }

  async down(): Promise<void> {
    if (this.#downed) return;
    this.#downed = true;
    for (const id of this.#variants) await removeContainer(id);
    if (this.#shared || !this.#env) {
      this.#log.info(`released ${this.project} (a shared boot: torn down once, at the end of the run)`);
      return;
    }
    const started = performance.now();
    try {
      await this.#env.down({ removeVolumes: true, timeout: 0 });
      rmSync(this.#run.runDir, { recursive: true, force: true });
    } catch (err) {
      this.#log.warn(`compose down ${this.project} failed (${String(err)}); falling back to a detached down`);
      spawnDetachedDown(this.#cli, this.project, [this.#run.file], [], this.#run.runDir, this.#run.runDir);
    }
    // Replaced containers carry compose labels, variants our own: remove whatever is left.
    for (const c of await projectContainers(this.project).catch(() => [])) await removeContainer(c.id);
    this.#unregister();
    this.#log.info(`compose down ${this.project}: ${Math.round(performance.now() - started)}ms`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }
}
