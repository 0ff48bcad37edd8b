/**
 * Options of the pre-upgrade check (`npm run test:upgrade`), from command-line flags or from the
 * environment the suite reads (HOMEIQ_UPGRADE_*). Validated once, before anything starts: a bad
 * value is ONE line naming the option, the value and what is allowed (UpgradeConfigError; the
 * CLI exits 2).
 *
 *   --from <version|image>   what the home runs today (default: pins.influxdb.baseline)
 *   --to <version|image>     the candidate (default: pins.influxdb.candidate)
 *   --from-volume <name>     rehearse on a COPY of this Docker volume (an InfluxDB 2.x data dir)
 *   --from-backup <dir>      rehearse on a restore of this `influx backup` directory
 *
 * A version must be pinned in harness/config/pins.json (its image is homeiq/influxdb:<version>);
 * anything else is taken as an image reference that must exist on this Docker engine.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import pins from '../config/pins.json' with { type: 'json' };

export class UpgradeConfigError extends Error {
  override readonly name = 'UpgradeConfigError';
  readonly code = 'UPGRADE_CONFIG';
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** The flags and the environment variable each maps to (the suite reads the variables). */
export const UPGRADE_OPTIONS = {
  from: 'HOMEIQ_UPGRADE_FROM',
  to: 'HOMEIQ_UPGRADE_TO',
  'from-volume': 'HOMEIQ_UPGRADE_FROM_VOLUME',
  'from-backup': 'HOMEIQ_UPGRADE_FROM_BACKUP',
} as const;
export type UpgradeOption = keyof typeof UPGRADE_OPTIONS;

export const USAGE = `usage: npm run test:upgrade -- [--from <version|image>] [--to <version|image>] [--from-volume <name> | --from-backup <dir>]

Pre-upgrade check of InfluxDB on the home's own data: boots the test profile on --from, drives a
seeded scenario through the real ingestion, captures counts, values, tokens and Flux answers, stops
InfluxDB, starts --to on the same data volume, verifies everything against the capture, runs the
bucket-separation and throughput checks on the upgraded stack, then probes a rollback to --from.
Results: reports/junit.xml and reports/report.html (findings with what to do).

  --from <version|image>  InfluxDB the home runs today (default ${pins.influxdb.baseline})
  --to <version|image>    the upgrade candidate (default ${pins.influxdb.candidate})
  --from-volume <name>    start from a copy of this Docker volume (an InfluxDB 2.x data directory;
                          the volume itself is only read). Needs INFLUX_TOKEN of that InfluxDB.
  --from-backup <dir>     start from a restore of this \`influx backup\` directory (full backup)
  --help                  this text

A version is one of ${Object.keys(pins.influxdb.versions).join(', ')} (harness/config/pins.json, image ${pins.influxdb.localImage});
anything else is an image reference present on this Docker engine.
Exit: 0 passed, 1 a check failed, 2 bad input.`;

export interface RawUpgradeOptions {
  from?: string | undefined;
  to?: string | undefined;
  fromVolume?: string | undefined;
  fromBackup?: string | undefined;
}

export interface InfluxTarget {
  /** As given by the user (a version or an image reference). */
  given: string;
  image: string;
  /** The pinned version, when given as one. */
  version?: string;
}

export type StartingPoint =
  | { kind: 'fresh' }
  | { kind: 'volume'; volume: string }
  | { kind: 'backup'; dir: string; manifest: BackupManifest };

export interface UpgradeOptions {
  from: InfluxTarget;
  to: InfluxTarget;
  start: StartingPoint;
}

/** `influx backup` manifest (the fields the restore uses). */
export interface BackupManifest {
  file: string;
  kv: { fileName: string; compression?: string };
  sql?: { fileName: string; compression?: string } | undefined;
  buckets: {
    organizationID: string;
    organizationName: string;
    bucketID: string;
    bucketName: string;
    shards: { id: number; fileName: string; compression?: string }[];
  }[];
}

/** Flags -> raw options. `--help` returns 'help'. Unknown flags and missing values are refused. */
export function parseUpgradeArgs(argv: readonly string[]): RawUpgradeOptions | 'help' {
  const out: RawUpgradeOptions = {};
  const keys: Record<UpgradeOption, keyof RawUpgradeOptions> = {
    from: 'from',
    to: 'to',
    'from-volume': 'fromVolume',
    'from-backup': 'fromBackup',
  };
  const allowed = `${Object.keys(keys)
    .map((k) => `--${k}`)
    .join(', ')}, --help`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1];
    if (!m || !name || !Object.hasOwn(keys, name))
      throw new UpgradeConfigError(
        arg,
        `${JSON.stringify(arg)} is not an option of test:upgrade: expected one of ${allowed}`,
      );
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new UpgradeConfigError(`--${name}`, `--${name} needs a value: expected ${hint(name)}`);
      value = next;
      i++;
    }
    const key = keys[name as UpgradeOption];
    if (out[key] !== undefined)
      throw new UpgradeConfigError(`--${name}`, `--${name} is given twice: expected it at most once`);
    out[key] = value;
  }
  return out;
}

function hint(option: string): string {
  switch (option) {
    case 'from':
    case 'to':
      return `a pinned version (${Object.keys(pins.influxdb.versions).join(', ')}) or an image on this Docker engine`;
    case 'from-volume':
      return 'the name of an existing Docker volume holding an InfluxDB 2.x data directory (influxd.bolt, engine/)';
    default:
      return 'a directory written by `influx backup` (a *.manifest file, the *.bolt.gz it names)';
  }
}

/** The raw options from the environment the suite runs in. */
export function upgradeOptionsFromEnv(env: Record<string, string | undefined>): RawUpgradeOptions {
  const get = (k: string) => (env[k]?.trim() ? env[k]?.trim() : undefined);
  return {
    from: get(UPGRADE_OPTIONS.from),
    to: get(UPGRADE_OPTIONS.to),
    fromVolume: get(UPGRADE_OPTIONS['from-volume']),
    fromBackup: get(UPGRADE_OPTIONS['from-backup']),
  };
}

/** Raw options -> environment variables (what the CLI hands to the suite). */
export function upgradeEnv(raw: RawUpgradeOptions): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw.from) out[UPGRADE_OPTIONS.from] = raw.from;
  if (raw.to) out[UPGRADE_OPTIONS.to] = raw.to;
  if (raw.fromVolume) out[UPGRADE_OPTIONS['from-volume']] = raw.fromVolume;
  if (raw.fromBackup) out[UPGRADE_OPTIONS['from-backup']] = raw.fromBackup;
  return out;
}

/** What the check needs from Docker to validate (injectable for unit tests). */
export interface DockerLookup {
  imageExists(image: string): Promise<boolean>;
  volumeExists(volume: string): Promise<boolean>;
  /** True when the volume holds an InfluxDB 2.x data directory (influxd.bolt at its root). */
  volumeHoldsInfluxData(volume: string): Promise<boolean>;
}

const IMAGE_REF = /^[a-z0-9][a-z0-9._\-/]*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const VERSION_LIKE = /^v?\d+\.\d+(?:\.\d+)?$/;

/** Syntax and pins only (no Docker): a pinned version or an image reference. */
function parseTarget(option: 'from' | 'to', given: string): InfluxTarget {
  const versions = Object.keys(pins.influxdb.versions);
  const allowed = `expected a pinned version (${versions.join(', ')}) or an image present on this Docker engine`;
  if (VERSION_LIKE.test(given)) {
    const version = given.replace(/^v/, '');
    if (!versions.includes(version))
      throw new UpgradeConfigError(
        `--${option}`,
        `--${option}="${given}" is not a pinned InfluxDB version: ${allowed} (pin it in harness/config/pins.json, then npm run setup)`,
      );
    return { given, image: pins.influxdb.localImage.replace('{version}', version), version };
  }
  if (!IMAGE_REF.test(given) || given.length > 255)
    throw new UpgradeConfigError(
      `--${option}`,
      `--${option}="${given}" is neither a version nor an image reference: ${allowed}`,
    );
  return { given, image: given };
}

async function requireImage(option: 'from' | 'to', t: InfluxTarget, docker: DockerLookup): Promise<void> {
  if (await docker.imageExists(t.image)) return;
  throw new UpgradeConfigError(
    `--${option}`,
    t.version
      ? `--${option}="${t.given}": its image ${t.image} is not on this Docker engine: run npm run setup (it builds every pinned version)`
      : `--${option}="${t.given}": no such image on this Docker engine (docker image ls): expected a pinned version (${Object.keys(pins.influxdb.versions).join(', ')}) or an image present on this Docker engine`,
  );
}

/** Reads and checks an `influx backup` directory; throws UpgradeConfigError naming --from-backup. */
export function readBackupManifest(dir: string): BackupManifest {
  const bad = (why: string) =>
    new UpgradeConfigError(
      '--from-backup',
      `--from-backup="${dir}" is not an InfluxDB backup: ${why}; expected ${hint('from-backup')}`,
    );
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw bad('not a directory');
    entries = readdirSync(dir);
  } catch (err) {
    if (err instanceof UpgradeConfigError) throw err;
    throw bad('no such directory');
  }
  const manifests = entries.filter((f) => f.endsWith('.manifest')).sort();
  const file = manifests.at(-1);
  if (!file) throw bad('no *.manifest file in it');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch {
    throw bad(`${file} is not JSON`);
  }
  const m = (json ?? {}) as Record<string, unknown>;
  const kv = m.kv as { fileName?: unknown; compression?: unknown } | undefined;
  if (!kv || typeof kv.fileName !== 'string' || !kv.fileName)
    throw bad(
      `${file} names no kv (bolt) file: a bucket-only backup cannot be upgraded; make a full backup (influx backup <dir>)`,
    );
  const need = (f: string) => {
    if (f.includes('/') || f.includes('..') || !existsSync(join(dir, f)))
      throw bad(`${file} names ${f}, which is missing`);
  };
  need(kv.fileName);
  const sqlRaw = m.sql as { fileName?: unknown; compression?: unknown } | undefined;
  const sql =
    sqlRaw && typeof sqlRaw.fileName === 'string'
      ? { fileName: sqlRaw.fileName, compression: String(sqlRaw.compression ?? '') }
      : undefined;
  if (sql) need(sql.fileName);
  const buckets: BackupManifest['buckets'] = [];
  for (const b of Array.isArray(m.buckets) ? (m.buckets as Record<string, unknown>[]) : []) {
    const shards: BackupManifest['buckets'][number]['shards'] = [];
    const rps = Array.isArray(b.retentionPolicies) ? (b.retentionPolicies as Record<string, unknown>[]) : [];
    for (const rp of rps)
      for (const sg of Array.isArray(rp.shardGroups) ? (rp.shardGroups as Record<string, unknown>[]) : [])
        for (const sh of Array.isArray(sg.shards) ? (sg.shards as Record<string, unknown>[]) : []) {
          if (typeof sh.fileName !== 'string') continue;
          need(sh.fileName);
          shards.push({
            id: Number(sh.id),
            fileName: sh.fileName,
            compression: String(sh.compression ?? ''),
          });
        }
    buckets.push({
      organizationID: String(b.organizationID ?? ''),
      organizationName: String(b.organizationName ?? ''),
      bucketID: String(b.bucketID ?? ''),
      bucketName: String(b.bucketName ?? ''),
      shards,
    });
  }
  return { file, kv: { fileName: kv.fileName, compression: String(kv.compression ?? '') }, sql, buckets };
}

/** Validate everything before anything starts. Throws UpgradeConfigError (one line). */
export async function resolveUpgradeOptions(
  raw: RawUpgradeOptions,
  docker: DockerLookup,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Promise<UpgradeOptions> {
  if (raw.fromVolume !== undefined && raw.fromBackup !== undefined)
    throw new UpgradeConfigError(
      '--from-volume',
      `--from-volume and --from-backup were both given: expected at most one starting point`,
    );
  // Syntax and pins first, then the starting point's files, then what Docker has.
  const from = parseTarget('from', raw.from ?? pins.influxdb.baseline);
  const to = parseTarget('to', raw.to ?? pins.influxdb.candidate);
  if (from.image === to.image)
    throw new UpgradeConfigError(
      '--to',
      `--to="${to.given}" is the same image as --from (${from.image}): expected another version or image`,
    );
  let start: StartingPoint = { kind: 'fresh' };
  if (raw.fromBackup !== undefined) {
    const dir = isAbsolute(raw.fromBackup) ? raw.fromBackup : resolve(cwd, raw.fromBackup);
    start = { kind: 'backup', dir, manifest: readBackupManifest(dir) };
  }
  const v = raw.fromVolume;
  if (v !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v))
    throw new UpgradeConfigError(
      '--from-volume',
      `--from-volume="${v}" is not a volume name: expected ${hint('from-volume')}`,
    );
  await requireImage('from', from, docker);
  await requireImage('to', to, docker);
  if (v !== undefined) {
    if (!(await docker.volumeExists(v)))
      throw new UpgradeConfigError(
        '--from-volume',
        `--from-volume="${v}": no such Docker volume on this engine (docker volume ls): expected ${hint('from-volume')}`,
      );
    if (!(await docker.volumeHoldsInfluxData(v)))
      throw new UpgradeConfigError(
        '--from-volume',
        `--from-volume="${v}" holds no InfluxDB 2.x data (no influxd.bolt at its root): expected ${hint('from-volume')}`,
      );
    if (!env.INFLUX_TOKEN?.trim())
      throw new UpgradeConfigError(
        '--from-volume',
        `--from-volume="${v}" needs INFLUX_TOKEN: expected the operator token of the InfluxDB that volume belongs to (the harness reads its data and tokens with it)`,
      );
    start = { kind: 'volume', volume: v };
  }
  return { from, to, start };
}
