/**
 * The harness configuration as environment variables. Keys ARE the variable names, so a zod
 * issue path names the variable the user has to fix. Every variable carries a description
 * (`.describe`): the README's environment reference is generated from this file
 * (harness/config/env-reference.ts), so it cannot go stale.
 *
 * Where a tool users already know has a variable with the same meaning, the harness uses that
 * name: Compose's COMPOSE_FILE / COMPOSE_PROFILES, the influx CLI's INFLUX_HOST / INFLUX_TOKEN /
 * INFLUX_ORG, and one HA_URL + HA_TOKEN pair.
 */
import { z } from 'zod';
import { MAX_MIN_GAP_MS } from '../mock-ha/home/world.ts';
import { limits, rates } from './defaults.ts';
import pins from './pins.json' with { type: 'json' };

const list = (separator: RegExp) =>
  z
    .string()
    .optional()
    .transform((s) =>
      s === undefined || s.trim() === ''
        ? undefined
        : s
            .split(separator)
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

const httpUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .regex(/^https?:\/\/[^/\s]+/, { message: 'an absolute http(s) URL' })
    .transform((s) => s.trim().replace(/\/$/, ''))
    .optional(),
);

/** InfluxDB org and bucket names (same rule as the stack profile's). */
const influxName = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .regex(/^[^_\s][^\s]{0,63}$/, {
      message: 'an InfluxDB name (1-64 characters, no spaces, not starting with "_")',
    })
    .optional(),
);

export const targets = ['compose', 'attach', 'local'] as const;
export type TargetKind = (typeof targets)[number];

/** Variables the harness used to read, and what replaced them (a set one is refused, naming the new one). */
export const renamedVariables: Record<string, string> = {
  HOMEIQ_COMPOSE_FILES: 'COMPOSE_FILE (Compose\'s own variable; files separated by ":")',
  HOMEIQ_COMPOSE_PROFILES: "COMPOSE_PROFILES (Compose's own variable; comma-separated)",
  HOMEIQ_HOST_PORTS:
    'nothing: the compose target publishes no host ports (it reaches services on their run-scoped network)',
  INFLUXDB_ADMIN_TOKEN: "INFLUX_TOKEN (the influx CLI's name for the operator token)",
};

export const envSchema = z.object({
  HOMEIQ_TARGET: z
    .enum(targets, { message: `one of ${targets.join(', ')}` })
    .default('compose')
    .describe(
      'Which stack to judge: `compose` boots it, `attach` uses a running one, `local` runs the reference services as processes.',
    ),
  HOMEIQ_PROFILE: optionalText.describe(
    "Stack profile file (JSON) mapping roles to your services; relative to the repository root. Default: the reference stack's `fixtures/reference-stack/stack.profile.json`.",
  ),
  COMPOSE_FILE: list(/[:]/).describe(
    'Compose files to boot, separated by ":" (Compose\'s own variable and meaning). Default: the profile\'s `compose.files`.',
  ),
  COMPOSE_PROFILES: list(/,/)
    .refine((ps) => ps === undefined || ps.every((p) => /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(p)), {
      message: 'comma-separated compose profile names (letters, digits, "_", ".", "-")',
    })
    .describe(
      "Compose profiles to activate, comma-separated (Compose's own variable). Default: the profile's `compose.profiles`.",
    ),
  HOMEIQ_PROJECT_NAME: z
    .preprocess((v) => (v === '' ? undefined : v), projectName.optional())
    .describe('Compose project name of the run. Default: a new one per run (`homeiq-h<pid>-<random>`).'),
  HOMEIQ_STACK_ENV_FILE: optionalText.describe(
    "Env file of your stack the harness reads tokens from (never writes). Default: the profile's `envFile`, none when it has none.",
  ),
  HOMEIQ_LOCAL_PORT_OFFSET: int(0, 0, 50_000).describe(
    'Local target: port offset passed to run-local.ts (contract ports + offset).',
  ),
  HOMEIQ_FAULT: z
    .preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^[a-z0-9-]+(?:,[a-z0-9-]+)*$/, {
          message: 'a fault name from fixtures/faults (lowercase, digits, "-"), or several separated by ","',
        })
        .refine((s) => new Set(s.split(',')).size === s.split(',').length, {
          message: 'each fault name once',
        })
        .optional(),
    )
    .describe(
      "A planted fault: `<name>.env` and/or `<name>.compose.yml` in the profile's `faults/` directory next to it, else in fixtures/faults. Several, comma-separated (`a,b`), are applied together in one boot (their env values must not disagree).",
    ),
  HOMEIQ_STARTUP_TIMEOUT_MS: int(300_000, 1_000, 3_600_000).describe(
    'Deadline for the stack to become healthy, ms.',
  ),
  HOMEIQ_APP_IMAGE: imageRef
    .default(pins.appImage)
    .describe(
      'The project image (mock HA, InfluxDB init, fake upstreams, reference services); built by preflight.',
    ),
  INFLUXDB_VERSION: z
    .enum(Object.keys(pins.influxdb.versions) as [string, ...string[]])
    .default(pins.influxdb.baseline)
    .describe('InfluxDB version of the stack (pinned ones only); the pre-upgrade check sets the candidate.'),
  INFLUXDB_IMAGE: z
    .preprocess((v) => (v === '' ? undefined : v), imageRef.optional())
    .describe('An explicit InfluxDB image; wins over INFLUXDB_VERSION (e.g. the official `influxdb:2.x`).'),
  HOMEIQ_ATTACH_HOST: hostName
    .default('127.0.0.1')
    .describe('Attach target: host of the deployment. Per-service URLs: `HOMEIQ_URL_<SERVICE_NAME>`.'),
  HOMEIQ_ATTACH_PROJECT: z
    .preprocess((v) => (v === '' ? undefined : v), projectName.optional())
    .describe(
      "Attach target: the deployment's compose project on this Docker engine (gives logs, memory and files).",
    ),
  INFLUX_HOST: httpUrl.describe(
    "InfluxDB URL as the influx CLI means it (attach target: where the deployment's InfluxDB answers).",
  ),
  INFLUX_TOKEN: token.describe(
    'Operator (all-access) token as the influx CLI means it: compose/local onboard InfluxDB with it (default: a new one per run); attach reads with it.',
  ),
  INFLUX_ORG: influxName.describe(
    "Org of the test deployment (the org the harness works in). Default: the profile's `roles.influxdb.test.org`.",
  ),
  HOMEIQ_TEST_BUCKET: influxName.describe(
    "Bucket of the test deployment. Default: the profile's `roles.influxdb.test.bucket`.",
  ),
  HOMEIQ_PROD_ORG: influxName.describe(
    "Org of the production deployment. Default: the profile's `roles.influxdb.production.org`.",
  ),
  HOMEIQ_PROD_BUCKET: influxName.describe(
    "Bucket of the production deployment (never written by the harness). Default: the profile's `roles.influxdb.production.bucket`.",
  ),
  INFLUXDB_TEST_TOKEN: token.describe(
    'Test-scoped token of the deployment (attach target). Compose: read from the token volume the harness fills.',
  ),
  INFLUXDB_PROD_TOKEN: token.describe(
    'Production token of the deployment (attach target; the harness only reads with it).',
  ),
  HA_URL: httpUrl.describe(
    'Home Assistant (the mock) as the harness reaches it (attach target). Compose: the mock HA service.',
  ),
  HA_TOKEN: token.describe(
    'Access token clients present to Home Assistant: the mock accepts it and your ingestion is given it. Default (compose): a new one per run.',
  ),
  MOCK_HA_CONTROL_TOKEN: token.describe(
    "Token of the mock HA's control API. Default (compose): a new one per run.",
  ),
  HOMEIQ_SEED: int(40, 0, 2 ** 31 - 1).describe(
    'Seed of every generator (events, homes); printed in reports.',
  ),
  HOMEIQ_BASELINE_RATE: int(rates.baselinePerSec, 1, 5_000).describe('Baseline event rate, events/s.'),
  HOMEIQ_BURST_RATE: int(rates.burstPerSec, 1, 5_000).describe('Burst event rate, events/s.'),
  HOMEIQ_BURST_SECONDS: int(rates.burstSeconds, 1, 600).describe('Length of one burst, s.'),
  HOMEIQ_BATCH_TIMEOUT_MS: int(limits.batchTimeoutMs, 100, 60_000).describe(
    "The ingestion's batch timeout, ms: the latency budget is this + 2 s (p99).",
  ),
  HOMEIQ_MIN_GAP_MS: int(1_000, 1, MAX_MIN_GAP_MS).describe(
    'Plausible minimum gap between two updates of one entity, ms: throughput and capacity runs size the home to the rate with it (entities >= 1.5 x rate x gap).',
  ),
  HOMEIQ_CAPACITY_BUDGET_S: int(300, 30, 3_600).describe(
    'Capacity search (`npm run capacity`): the most it may take, s; no step starts that would end later.',
  ),
  HOMEIQ_CAPACITY_STEP_S: int(10, 3, 120).describe(
    'Capacity search: length of each steady step at one event rate, s.',
  ),
  HOMEIQ_CAPACITY_START_RATE: int(250, 10, 50_000).describe(
    "Capacity search: the first step's event rate, ev/s (then x2 until a stop condition, then bisection).",
  ),
  HOMEIQ_CAPACITY_MAX_RATE: int(4_000, 10, 100_000).describe(
    "Capacity search: the highest event rate it tries, ev/s (8x the seed's 500 ev/s peak; a home for twice it must fit the mock's largest home: lower HOMEIQ_MIN_GAP_MS to search higher).",
  ),
});

export type RawEnv = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
