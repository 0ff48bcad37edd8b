/**
 * Load and validate the harness configuration once: process environment over an optional env
 * file (HOMEIQ_ENV_FILE) over the defaults of the seeds. A bad value gets ONE line naming the
 * variable, the value and what is allowed.
 */

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { profileFor } from '../profile/index.ts';
import type { StackProfile } from '../profile/types.ts';
import { readEnvFile as readComposeEnvFile } from './env-file.ts';
import pins from './pins.json' with { type: 'json' };
import { envSchema, type ParsedEnv, renamedVariables, type TargetKind } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: 'CONFIG_INVALID' | 'CONFIG_FILE_UNREADABLE';
  constructor(code: 'CONFIG_INVALID' | 'CONFIG_FILE_UNREADABLE', message: string) {
    super(message);
    this.code = code;
  }
}

export interface HarnessConfig {
  target: TargetKind;
  repoRoot: string;
  /** The stack profile (HOMEIQ_PROFILE), org and bucket overrides applied. */
  profile: StackProfile;
  compose: {
    /** COMPOSE_FILE, else the profile's compose files (absolute). */
    files: string[];
    /** COMPOSE_PROFILES, else the profile's. */
    profiles: string[];
    projectName: string | undefined;
    /** Extra environment given to `docker compose` (image names, planted-fault overrides). */
    environment: Record<string, string>;
  };
  /** The stack's env file (HOMEIQ_STACK_ENV_FILE, else the profile's envFile); undefined = none. */
  stackEnvFile: string | undefined;
  /** HOMEIQ_FAULT as given (for display); undefined = none. */
  fault: string | undefined;
  /** The planted faults, in the order they are applied (HOMEIQ_FAULT=a,b). */
  faults: string[];
  startupTimeoutMs: number;
  images: { app: string; influxdb: string };
  attach: { host: string; urls: Record<string, string>; project?: string | undefined };
  local: { portOffset: number };
  tokens: {
    influxAdmin?: string | undefined;
    influxTest?: string | undefined;
    influxProd?: string | undefined;
    ha?: string | undefined;
    mockHaControl?: string | undefined;
  };
  seed: number;
  load: {
    baselinePerSec: number;
    burstPerSec: number;
    burstSeconds: number;
    batchTimeoutMs: number;
    /** Plausible minimum gap between two updates of one entity, ms (homes are sized to the rate). */
    minGapMs: number;
  };
  /** The capacity search (harness/capacity). */
  capacity: { budgetS: number; stepS: number; startRate: number; maxRate: number };
}

/** The repository root: two levels above this file (harness/config/load.ts). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

function readEnvFile(
  path: string,
  variable: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  try {
    return readComposeEnvFile(path, env);
  } catch (err) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      `${variable}="${path}" cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function firstIssueLine(issue: z.core.$ZodIssue, merged: Record<string, string | undefined>): string {
  const variable = String(issue.path[0] ?? '(configuration)');
  const value = merged[variable];
  const shown = value === undefined ? 'is missing' : `="${value}" is invalid`;
  return `${variable}${shown}: expected ${issue.message}`;
}

/** Service URL overrides for the attach target: HOMEIQ_URL_WEBSOCKET_INGESTION_TEST -> websocket-ingestion-test. */
function urlOverrides(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('HOMEIQ_URL_') || !value) continue;
    const service = key.slice('HOMEIQ_URL_'.length).toLowerCase().replaceAll('_', '-');
    if (!/^https?:\/\/[^/]+/.test(value)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `${key}="${value}" is invalid: expected an absolute http(s) URL`,
      );
    }
    out[service] = value.replace(/\/$/, '');
  }
  return out;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  root = repoRoot,
): HarnessConfig {
  const fileVars = env.HOMEIQ_ENV_FILE
    ? readEnvFile(
        isAbsolute(env.HOMEIQ_ENV_FILE) ? env.HOMEIQ_ENV_FILE : resolve(root, env.HOMEIQ_ENV_FILE),
        'HOMEIQ_ENV_FILE',
        env,
      )
    : {};
  const merged: Record<string, string | undefined> = { ...fileVars };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  for (const [old, replacement] of Object.entries(renamedVariables))
    if (merged[old] !== undefined && merged[old] !== '')
      throw new ConfigError(
        'CONFIG_INVALID',
        `${old}="${merged[old]}" is no longer read: expected ${replacement}`,
      );
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('CONFIG_INVALID', issue ? firstIssueLine(issue, merged) : 'configuration invalid');
  }
  return toConfig(parsed.data, merged, root);
}

const influxImage = (e: ParsedEnv): string =>
  e.INFLUXDB_IMAGE ?? pins.influxdb.localImage.replace('{version}', e.INFLUXDB_VERSION);

function toConfig(e: ParsedEnv, merged: Record<string, string | undefined>, root: string): HarnessConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  const profile = profileFor(merged);
  const urls = urlOverrides(merged);
  if (e.INFLUX_HOST) urls[profile.roles.influxdb.service] ??= e.INFLUX_HOST;
  if (e.HA_URL) urls[profile.roles.mockHa.service] ??= e.HA_URL;
  return {
    target: e.HOMEIQ_TARGET,
    repoRoot: root,
    profile,
    compose: {
      files: e.COMPOSE_FILE?.map(abs) ?? profile.compose.files,
      profiles: e.COMPOSE_PROFILES ?? profile.compose.profiles,
      projectName: e.HOMEIQ_PROJECT_NAME,
      environment: { APP_IMAGE: e.HOMEIQ_APP_IMAGE, INFLUXDB_IMAGE: influxImage(e) },
    },
    stackEnvFile: e.HOMEIQ_STACK_ENV_FILE ? abs(e.HOMEIQ_STACK_ENV_FILE) : profile.envFile,
    fault: e.HOMEIQ_FAULT,
    faults: e.HOMEIQ_FAULT ? e.HOMEIQ_FAULT.split(',') : [],
    startupTimeoutMs: e.HOMEIQ_STARTUP_TIMEOUT_MS,
    images: { app: e.HOMEIQ_APP_IMAGE, influxdb: influxImage(e) },
    attach: { host: e.HOMEIQ_ATTACH_HOST, urls, project: e.HOMEIQ_ATTACH_PROJECT },
    local: { portOffset: e.HOMEIQ_LOCAL_PORT_OFFSET },
    tokens: {
      influxAdmin: e.INFLUX_TOKEN,
      influxTest: e.INFLUXDB_TEST_TOKEN,
      influxProd: e.INFLUXDB_PROD_TOKEN,
      ha: e.HA_TOKEN,
      mockHaControl: e.MOCK_HA_CONTROL_TOKEN,
    },
    seed: e.HOMEIQ_SEED,
    load: {
      baselinePerSec: e.HOMEIQ_BASELINE_RATE,
      burstPerSec: e.HOMEIQ_BURST_RATE,
      burstSeconds: e.HOMEIQ_BURST_SECONDS,
      batchTimeoutMs: e.HOMEIQ_BATCH_TIMEOUT_MS,
      minGapMs: e.HOMEIQ_MIN_GAP_MS,
    },
    capacity: {
      budgetS: e.HOMEIQ_CAPACITY_BUDGET_S,
      stepS: e.HOMEIQ_CAPACITY_STEP_S,
      startRate: e.HOMEIQ_CAPACITY_START_RATE,
      maxRate: e.HOMEIQ_CAPACITY_MAX_RATE,
    },
  };
}

/**
 * Read an env file of the stack (tokens, names) with Compose's rules (./env-file.ts), so the
 * harness sees the values Compose gives the containers. Missing file -> empty (the stack may not
 * define one; undefined = none); a syntax error throws ConfigError naming the file and line.
 */
export function readStackEnv(path: string | undefined): Record<string, string> {
  if (path === undefined || !existsSync(path)) return {};
  try {
    return readComposeEnvFile(path);
  } catch (err) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', err instanceof Error ? err.message : String(err));
  }
}
