/**
 * One boot per configuration per test run, shared by the suites that only observe the stack
 * (harness/stack/use-stack.ts: `useStack({ shares: true })`).
 *
 * Vitest runs each suite file in a fresh module scope (often a fresh worker process), so a boot
 * cannot live in module state. The run's owner (the test runner's global setup,
 * harness/docker/run-owner.setup.ts) makes a private run directory (0700) and provides its path
 * to every file (`inject('homeiqSharedBoots')`). The first file that needs a configuration boots
 * it and writes one record there (`<key>.json`, 0600: the project, its generated config and the
 * run's secrets); later files of the same run adopt the project from that record. The owner tears
 * every recorded project down once, at the end of the run, on SIGINT/SIGTERM (detached), and the
 * run's reaper and the next preflight remove it after a SIGKILL (the containers, networks and
 * volumes carry the runner's owner labels, harness/docker/identity.ts).
 *
 * Key: the effective HarnessConfig (target, profile, compose files and profiles, HOMEIQ_FAULT,
 * images, tokens, overrides...) except `load` and `seed`, which configure the checks, not the
 * stack. A boot that failed is recorded as failed: every later file of the same configuration
 * fails with its error instead of booting again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HarnessConfig } from '../config/load.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { detectCompose, spawnDetachedDown } from './compose-cli.ts';
import {
  adoptComposeStack,
  type ComposeRun,
  downComposeRun,
  startSharedComposeStack,
} from './compose-target.ts';
import { inspect, projectContainers } from './docker.ts';
import { StackError, type StartedStack } from './types.ts';

/** The name under which the run's global setup provides the run directory (vitest provide/inject). */
export const SHARED_BOOTS = 'homeiqSharedBoots';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Run directory of the shared boots (harness/stack/shared-boot.ts); '' when there is none. */
    homeiqSharedBoots: string;
  }
}

export interface SharedBootRecord {
  key: string;
  /** The configuration in words (profile, fault, images). */
  config: string;
  /** The suite file that booted it (or tried to). */
  bootedBy: string;
  state: 'up' | 'failed';
  /** The boot's error, when it failed. */
  error?: string;
  run?: ComposeRun;
  /** Each service's container and start time right after the boot: adopters check them. */
  services?: Record<string, { id: string; startedAt: string; running: boolean }>;
  bootMs?: number;
}

/** The key of a configuration's shared boot: 16 hex digits of a SHA-256 of the config minus load and seed. */
export function sharedBootKey(cfg: HarnessConfig): string {
  const { load: _load, seed: _seed, ...stack } = cfg;
  return createHash('sha256').update(JSON.stringify(stack)).digest('hex').slice(0, 16);
}

function describeConfig(cfg: HarnessConfig): string {
  return [
    `profile "${cfg.profile.name}"`,
    cfg.fault ? `fault ${cfg.fault}` : 'no fault',
    `images ${cfg.images.app}, ${cfg.images.influxdb}`,
  ].join(', ');
}

/** A new private run directory for the shared boots of one test run. */
export function createSharedBootsDir(run: string): string {
  return mkdtempSync(join(tmpdir(), `homeiq-shared-${run.replace(/[^\w.-]/g, '_')}-`));
}

function recordPath(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

function readRecord(path: string): SharedBootRecord | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as SharedBootRecord;
}

function writeRecord(path: string, rec: SharedBootRecord): void {
  writeFileSync(path, JSON.stringify(rec), { mode: 0o600 });
}

/** Every record of a run directory (none when it does not exist). */
export function sharedBootRecords(dir: string): SharedBootRecord[] {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as SharedBootRecord];
      } catch {
        return [];
      }
    });
}

async function snapshotServices(project: string): Promise<NonNullable<SharedBootRecord['services']>> {
  const out: NonNullable<SharedBootRecord['services']> = {};
  for (const c of await projectContainers(project)) {
    if (!c.service) continue;
    const st = (await inspect(c.id)).State;
    out[c.service] = { id: c.id, startedAt: st.StartedAt, running: st.Running };
  }
  return out;
}

/** What changed in a shared boot since it was booted (a service gone, stopped or restarted). */
async function changesSinceBoot(rec: SharedBootRecord): Promise<string[]> {
  const changed: string[] = [];
  for (const [service, was] of Object.entries(rec.services ?? {})) {
    const st = await inspect(was.id).then(
      (i) => i.State,
      () => undefined,
    );
    if (!st) changed.push(`${service}: container ${was.id.slice(0, 12)} is gone`);
    else if (st.StartedAt !== was.startedAt)
      changed.push(`${service}: restarted (started ${was.startedAt}, now ${st.StartedAt})`);
    else if (was.running && !st.Running) changed.push(`${service}: ${st.Status} (exit ${st.ExitCode})`);
  }
  return changed;
}

/**
 * The shared boot of `cfg` in this run: adopted when an earlier file booted it, else booted now
 * and recorded in `dir` (see the module docstring). `file` names the suite file, for messages.
 * Throws StackError STACK_BOOT_FAILED with the boot's error when this configuration's boot failed
 * (now or in an earlier file), STACK_NOT_RUNNING when an earlier file changed the shared boot.
 */
export async function acquireSharedStack(
  cfg: HarnessConfig,
  dir: string,
  file: string,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const key = sharedBootKey(cfg);
  const path = recordPath(dir, key);
  const config = describeConfig(cfg);
  const rec = readRecord(path);
  if (rec?.state === 'failed')
    throw new StackError(
      'STACK_BOOT_FAILED',
      `the shared boot of this run (${rec.config}) failed in ${rec.bootedBy}: ${rec.error}`,
    );
  if (rec?.state === 'up' && rec.run) {
    const changed = await changesSinceBoot(rec);
    if (changed.length > 0)
      throw new StackError(
        'STACK_NOT_RUNNING',
        `the shared boot ${rec.run.plan.project} (${rec.config}) changed since ${rec.bootedBy} booted it: ${changed.join('; ')}. A suite that stops, signals or replaces a service must declare it (useStack({ changes: '...' })) and boot its own stack`,
      );
    const stack = await adoptComposeStack(cfg, rec.run, log);
    log.info(`adopted the shared boot ${rec.run.plan.project} (${rec.config}; booted by ${rec.bootedBy})`);
    return stack;
  }
  const t0 = performance.now();
  try {
    const stack = await startSharedComposeStack(
      cfg,
      (run) => writeRecord(path, { key, config, bootedBy: file, state: 'up', run }),
      log,
    );
    const booted = readRecord(path) as SharedBootRecord;
    booted.bootMs = Math.round(performance.now() - t0);
    booted.services = await snapshotServices(booted.run?.plan.project ?? '');
    writeRecord(path, booted);
    log.info(
      `shared boot ${booted.run?.plan.project} (${config}) up in ${(booted.bootMs / 1000).toFixed(1)} s; later suites of this run adopt it`,
    );
    return stack;
  } catch (err) {
    const prior = readRecord(path);
    writeRecord(path, {
      key,
      config,
      bootedBy: file,
      state: 'failed',
      error: err instanceof Error ? err.message : String(err),
      ...(prior?.run ? { run: prior.run } : {}),
    });
    throw err;
  }
}

/**
 * Tear down every shared boot recorded in `dir`, then remove `dir`: the run's owner calls it at
 * the end of the run. Returns one line per project; throws when a project could not be removed.
 */
export async function tearDownSharedBoots(dir: string): Promise<string[]> {
  const lines: string[] = [];
  const errors: string[] = [];
  for (const rec of sharedBootRecords(dir)) {
    if (!rec.run) continue;
    const t0 = performance.now();
    await downComposeRun(rec.run).then(
      () =>
        lines.push(
          `shared boot ${rec.run?.plan.project} (${rec.config}) down in ${Math.round(performance.now() - t0)} ms`,
        ),
      (err: unknown) => errors.push(err instanceof Error ? err.message : String(err)),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  if (errors.length) throw new StackError('STACK_DOCKER_FAILED', errors.join('\n'));
  return lines;
}

/**
 * The same on SIGINT/SIGTERM, synchronous and fire-and-forget: a detached `compose down` per
 * recorded project, which outlives this process. Never throws.
 */
export function tearDownSharedBootsDetached(dir: string): void {
  try {
    const records = sharedBootRecords(dir).filter((r) => r.run);
    if (records.length > 0) {
      const cli = detectCompose();
      for (const r of records) {
        const run = r.run as ComposeRun;
        spawnDetachedDown(cli, run.plan.project, [run.file], [], run.runDir, run.runDir);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort: the run's reaper and the next preflight remove what is left
  }
}
