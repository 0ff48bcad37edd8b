/**
 * The harness configuration as environment variables. Keys ARE the variable names, so a zod
 * issue path names the variable the user has to fix.
 */
import { z } from 'zod';
import { limits, rates } from './defaults.ts';
import pins from './pins.json' with { type: 'json' };

const list = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    );

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .default(String(def))
    .refine((s) => /^\d+$/.test(s.trim()), { message: `an integer between ${min} and ${max}` })
    .transform((s) => Number(s.trim()))
    .refine((n) => n >= min && n <= max, { message: `an integer between ${min} and ${max}` });

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

/** A secret as a service reads it: printable ASCII without spaces (a space is a copy-paste slip). */
const token = optionalText.refine((s) => s === undefined || /^[\x21-\x7e]+$/.test(s), {
  message: 'printable ASCII without spaces or quotes around it',
});

/** A Docker image reference: [registry/]name[:tag][@digest], lowercase name. */
const imageRef = z
  .string()
  .regex(/^[a-z0-9]+(?:[._/:-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/, {
    message: 'a Docker image reference such as homeiq/app:local',
  });

/** A host name or IP address (no scheme, no port, no path). */
const hostName = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/,
    {
      message: 'a host name or IP address (no scheme, port or path), e.g. 127.0.0.1',
    },
  );

/** Compose's rules for a project name. */
const projectName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'lowercase letters, digits, "-" and "_"' });

export const targets = ['compose', 'attach', 'local'] as const;
export type TargetKind = (typeof targets)[number];

export const envSchema = z.object({
  HOMEIQ_TARGET: z.enum(targets, { message: `one of ${targets.join(', ')}` }).default('compose'),
  /** Compose target: files (relative to the repository root), profiles, and a project name. */
  HOMEIQ_COMPOSE_FILES: list('docker-compose.test.yml'),
  HOMEIQ_COMPOSE_PROFILES: list('test').refine(
    (ps) => ps.every((p) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(p)),
    {
      message: 'comma-separated compose profile names (letters, digits, "_", ".", "-")',
    },
  ),
  HOMEIQ_PROJECT_NAME: z.preprocess((v) => (v === '' ? undefined : v), projectName.optional()),
  /** The stack's env file: the harness reads tokens and names from it (never writes it). */
  /** Host ports of the compose target: free ones (default; no clash with other stacks) or the contract's. */
  HOMEIQ_HOST_PORTS: z.enum(['free', 'contract'], { message: 'one of free, contract' }).default('free'),
  /** Local target: port offset passed to run-local.ts --port-offset (contract ports + offset). */
  HOMEIQ_LOCAL_PORT_OFFSET: int(0, 0, 50_000),
  HOMEIQ_STACK_ENV_FILE: z.string().default('fixtures/env/env.test'),
  /** A planted fault: fixtures/faults/<name>.env and/or fixtures/faults/<name>.compose.yml. */
  HOMEIQ_FAULT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[a-z0-9-]+$/, { message: 'a fault name from fixtures/faults (lowercase, digits, "-")' })
      .optional(),
  ),
  HOMEIQ_STARTUP_TIMEOUT_MS: int(300_000, 1_000, 3_600_000),
  HOMEIQ_APP_IMAGE: imageRef.default(pins.appImage),
  /** InfluxDB version of the stack (pinned ones only): the pre-upgrade check sets the candidate. */
  INFLUXDB_VERSION: z
    .enum(Object.keys(pins.influxdb.versions) as [string, ...string[]])
    .default(pins.influxdb.baseline),
  /** An explicit image wins over INFLUXDB_VERSION (e.g. the official influxdb:2.x image). */
  INFLUXDB_IMAGE: z.preprocess((v) => (v === '' ? undefined : v), imageRef.optional()),
  /** Attach target: where the deployment is. Per-service overrides: HOMEIQ_URL_<SERVICE_NAME>. */
  HOMEIQ_ATTACH_HOST: hostName.default('127.0.0.1'),
  /**
   * Attach target: the deployment's compose project on this Docker engine, when it runs here. Gives
   * the attach target container ids, logs and files (memory, egress and SQLite checks).
   */
  HOMEIQ_ATTACH_PROJECT: z.preprocess((v) => (v === '' ? undefined : v), projectName.optional()),
  /** Tokens. Compose and local fill them from the stack env file unless set here. */
  INFLUXDB_ADMIN_TOKEN: token,
  INFLUXDB_TEST_TOKEN: token,
  INFLUXDB_PROD_TOKEN: token,
  HA_TOKEN: token,
  MOCK_HA_CONTROL_TOKEN: token,
  /** Determinism and load shape. */
  HOMEIQ_SEED: int(40, 0, 2 ** 31 - 1),
  HOMEIQ_BASELINE_RATE: int(rates.baselinePerSec, 1, 5_000),
  HOMEIQ_BURST_RATE: int(rates.burstPerSec, 1, 5_000),
  HOMEIQ_BURST_SECONDS: int(rates.burstSeconds, 1, 600),
  HOMEIQ_BATCH_TIMEOUT_MS: int(limits.batchTimeoutMs, 100, 60_000),
});

export type RawEnv = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
