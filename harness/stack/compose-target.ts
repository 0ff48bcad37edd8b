/**
 * The `compose` target: Testcontainers' DockerComposeEnvironment boots the configured compose
 * files and profiles, waits on healthchecks, and everything is torn down (with volumes) by
 * down(), by a failed boot, and on SIGINT/SIGTERM (Ryuk is not available here).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment } from 'testcontainers';
import { contractPorts, harnessHealthcheck } from '../config/defaults.ts';
import type { HarnessConfig } from '../config/load.ts';
import { readStackEnv } from '../config/load.ts';
import { health } from '../probes/http.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { progressLine } from '../util/progress.ts';
import { WaitTimeoutError, waitFor } from '../util/wait.ts';
import { bootServices, bootWatcher } from './boot-progress.ts';
import { onInterrupt } from './cleanup.ts';
import { type ComposeCli, detectCompose, spawnDetachedDown } from './compose-cli.ts';
import { writeOwnerOverride } from './compose-owner.ts';
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
  files: string[];
  profiles: string[];
  environment: Record<string, string>;
  /** Values a planted fault set (they win over what the stack wrote, e.g. a token the harness uses). */
  faultEnvironment: Record<string, string>;
}

/** `home-assistant-test` -> `HOME_ASSISTANT_TEST_HOST_PORT` (the variable docker-compose.test.yml reads). */
export const hostPortVariable = (service: string) =>
  `${service.toUpperCase().replaceAll('-', '_')}_HOST_PORT`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolve files, profiles and environment, including a planted fault (fixtures/faults/<name>.*). */
export async function planCompose(
  cfg: HarnessConfig,
  env: Record<string, string | undefined> = process.env,
  project?: string,
): Promise<ComposePlan> {
  const files = [...cfg.compose.files];
  const environment: Record<string, string> = { ...cfg.compose.environment };
  const faultEnvironment: Record<string, string> = {};
  if (cfg.compose.hostPorts === 'free') {
    for (const service of Object.keys(contractPorts)) {
      const v = hostPortVariable(service);
      if (!env[v]) environment[v] = String(await freePort());
    }
  }
  // Tokens the harness must know: chosen here unless the user chose them.
  const chosen = (name: string, make: () => string) => {
    if (!env[name]) environment[name] = make();
  };
  chosen('INFLUXDB_ADMIN_TOKEN', () => `homeiq-harness-admin-${randomBytes(12).toString('hex')}`);
  chosen('MOCK_HA_CONTROL_TOKEN', () => `homeiq-harness-control.${randomBytes(12).toString('hex')}`);
  for (const [k, v] of Object.entries(harnessHealthcheck)) chosen(k, () => v);
  environment.INFLUXDB_TOKENS_DIR ??= env.INFLUXDB_TOKENS_DIR ?? '/run/homeiq/influxdb-tokens';
  if (cfg.fault) {
    const base = join(cfg.repoRoot, 'fixtures', 'faults', cfg.fault);
    const envFile = `${base}.env`;
    const composeFile = `${base}.compose.yml`;
    if (!existsSync(envFile) && !existsSync(composeFile))
      throw new StackError(
        'STACK_BOOT_FAILED',
        `HOMEIQ_FAULT="${cfg.fault}": neither ${envFile} nor ${composeFile} exists`,
      );
    if (existsSync(envFile)) Object.assign(faultEnvironment, readStackEnv(envFile));
    if (existsSync(composeFile)) files.push(composeFile);
  }
  const name =
    project ?? cfg.compose.projectName ?? `homeiq-h${process.pid}-${randomBytes(3).toString('hex')}`;
  Object.assign(environment, faultEnvironment);
  return { project: name, files, profiles: cfg.compose.profiles, environment, faultEnvironment };
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
  // Ryuk (the reaper) cannot be pulled here: teardown is ours (down(), failed boot, SIGINT/SIGTERM).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootOnce(cfg, log);
    } catch (err) {
      // A free port picked for us can be taken by someone else before compose binds it: re-plan.
      const raced =
        err instanceof StackError && /port is already allocated|address already in use/.test(err.message);
      if (!raced || cfg.compose.hostPorts !== 'free' || attempt >= 3) throw err;
      log.warn(
        `compose up attempt ${attempt}: a chosen host port was taken meanwhile; retrying with new ports`,
      );
    }
  }
}

async function bootOnce(cfg: HarnessConfig, log: Logger): Promise<StartedStack> {
  const cli = detectCompose();
  const plan = await planCompose(cfg);
  // Every container, network and volume compose creates carries this run's owner labels.
  const owner = await writeOwnerOverride(cli, plan, cfg.repoRoot);
  plan.files.push(owner.file);
  const unregister = onInterrupt(`compose ${plan.project}`, () =>
    spawnDetachedDown(cli, plan.project, plan.files, plan.profiles, cfg.repoRoot),
  );
  log.info(
    `compose up ${plan.project}: files ${plan.files.join(', ')}; profiles ${plan.profiles.join(',')}; images ${cfg.images.app}, ${cfg.images.influxdb}${cfg.fault ? `; fault ${cfg.fault}` : ''} (${cli.argv.join(' ')} ${cli.version})`,
  );
  const started = performance.now();
  const watch = watchBoot(plan, cfg, log);
  let env: StartedDockerComposeEnvironment;
  try {
    env = await new DockerComposeEnvironment(cfg.repoRoot, plan.files)
      .withProjectName(plan.project)
      .withProfiles(...plan.profiles)
      .withEnvironment(plan.environment)
      .withStartupTimeout(cfg.startupTimeoutMs)
      .withClientOptions({ executable: cli.executable })
      .up();
  } catch (err) {
    const logs = await watch.stop();
    spawnDetachedDown(cli, plan.project, plan.files, plan.profiles, cfg.repoRoot, owner.file);
    unregister();
    const detail = [...logs].map(([svc, tail]) => `--- ${svc} ${tail}`).join('\n');
    throw new StackError(
      'STACK_BOOT_FAILED',
      `compose up of ${plan.files.join(', ')} (profiles ${plan.profiles.join(',')}) failed after ${Math.round((performance.now() - started) / 1000)}s: ${err instanceof Error ? err.message : String(err)}${detail ? `\nlast log lines of services not healthy:\n${detail}` : ''}`,
    );
  }
  await watch.stop();
  log.info(`compose up ${plan.project}: healthy after ${Math.round((performance.now() - started) / 1000)}s`);
  return ComposeStack.create(cfg, cli, plan, env, unregister, log);
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
  #env: StartedDockerComposeEnvironment;
  #unregister: () => void;
  #variants = new Set<string>();
  #downed = false;
  #cli: ComposeCli;
  #plan: ComposePlan;
  #cfg: HarnessConfig;
  #log: Logger;

  private constructor(
    cfg: HarnessConfig,
    cli: ComposeCli,
    plan: ComposePlan,
    env: StartedDockerComposeEnvironment,
    unregister: () => void,
    tokens: StackTokens,
    log: Logger,
  ) {
    this.#cfg = cfg;
    this.#cli = cli;
    this.#plan = plan;
    this.project = plan.project;
    this.#env = env;
    this.#unregister = unregister;
    this.tokens = tokens;
    this.#log = log;
  }

  static async create(
    cfg: HarnessConfig,
    cli: ComposeCli,
    plan: ComposePlan,
    env: StartedDockerComposeEnvironment,
    unregister: () => void,
    log: Logger,
  ): Promise<ComposeStack> {
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
      ha: pick(cfg.tokens.ha, plan.environment.HA_TOKEN, stackEnv.HA_TOKEN),
      mockHaControl: pick(
        cfg.tokens.mockHaControl,
        plan.environment.MOCK_HA_CONTROL_TOKEN,
        stackEnv.MOCK_HA_CONTROL_TOKEN,
      ),
    };
    const stack = new ComposeStack(cfg, cli, plan, env, unregister, tokens, log);
    for (const c of containers) if (c.service) await stack.#track(c.service, c.id);
    return stack;
  }

  async #track(service: string, id: string): Promise<void> {
    this.#ids.set(service, id);
    const url = urlOf(await inspect(id));
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

  signal(service: string, signal: NodeJS.Signals): Promise<void> {
    return signalContainer(this.#id(service), signal);
  }

  async stopService(service: string, timeoutSec = 10): Promise<void> {
    await docker().getContainer(this.#id(service)).stop({ t: timeoutSec });
  }

  async restartWithEnv(service: string, env: Record<string, string>): Promise<void> {
    const id = await cloneContainer(this.#id(service), { env, project: this.project, replace: true });
    await this.#track(service, id);
    this.#log.info(`${service} replaced with ${JSON.stringify(redact(env))} (container ${id.slice(0, 12)})`);
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
      const url = urlOf(info);
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
          return { done: false, seen: `running, /health ${h.status}` };
        },
        {
          what: `copy of ${service} with ${JSON.stringify(redact(env))} to exit or answer /health`,
          timeoutMs: opts.timeoutMs ?? 60_000,
          intervalMs: 250,
        },
      ).catch(async (err: unknown) => {
        // Still running without a healthy answer: that is a result too (the check says what it expected).
        if (err instanceof WaitTimeoutError && (await inspect(id)).State.Running)
          return { exitCode: undefined, health: last };
        throw err;
      });
      await opts.whileRunning?.(id);
      const output = await tailLogs(id, 200);
      return { service, env: redact(env), exitCode: outcome.exitCode, output, health: outcome.health };
    } finally {
      await removeContainer(id);
      this.#variants.delete(id);
    }
  }

  async down(): Promise<void> {
    if (this.#downed) return;
    this.#downed = true;
    for (const id of this.#variants) await removeContainer(id);
    const started = performance.now();
    try {
      await this.#env.down({ removeVolumes: true, timeout: 0 });
    } catch (err) {
      this.#log.warn(`compose down ${this.project} failed (${String(err)}); falling back to a detached down`);
      spawnDetachedDown(this.#cli, this.project, this.#plan.files, this.#plan.profiles, this.#cfg.repoRoot);
    }
    // The owner override (last compose file) is ours, in the temporary directory.
    const override = this.#plan.files.at(-1);
    if (override?.endsWith('.owner.yml')) rmSync(override, { force: true });
    // Replaced containers carry compose labels, variants our own: remove whatever is left.
    for (const c of await projectContainers(this.project).catch(() => [])) await removeContainer(c.id);
    this.#unregister();
    this.#log.info(`compose down ${this.project}: ${Math.round(performance.now() - started)}ms`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }
}
