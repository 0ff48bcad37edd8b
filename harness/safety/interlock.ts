/**
 * The safety interlock before synthetic events are fired at an ingestion (issue 9): it never
 * fires unless it has PROOF that they can only land in the test bucket, and it does not need the
 * service to report a deployment mode. Evidence, from the outside:
 *
 * 1. the token the service was given (the profile's token delivery), read from the container
 *    (Docker inspect for `env`, the container's file for `file`);
 * 2. that token's scope, measured: an empty write (InfluxDB authorises it before parsing) to
 *    every bucket of every org: it must be allowed on the test bucket and denied on every other
 *    non-system bucket. This is the proof; it holds on InfluxDB 2.8 and 2.9 (hashed tokens);
 * 3. refusal evidence: the container's mode variable (profile `modeVariable`) or the mapped
 *    health field saying `production` refuses at once.
 *
 * A refusal says which evidence was missing and how to give it.
 */
import { influxApi } from '../influx/http.ts';
import { health } from '../probes/http.ts';
import type { StackProfile } from '../profile/types.ts';
import { inspect } from '../stack/docker.ts';
import type { StartedStack } from '../stack/types.ts';
import { SafetyError } from './guard.ts';
import { probeWritePermission } from './influx-writer.ts';

export interface BucketProbe {
  org: string;
  bucket: string;
  allowed: boolean;
  status: number;
}

/** What the harness could learn about one ingestion before firing; absent = could not be learned. */
export interface FiringEvidence {
  service: string;
  /** Why an item could not be learned, keyed by item (`token`, `scope`, `environment`, `health`). */
  missing: Record<string, string>;
  /** The mode variable's value in the container's environment (undefined: not set there). */
  containerMode?: { variable: string; value: string | undefined } | undefined;
  /** The mapped health field's value (only when the profile maps `health.deploymentMode`). */
  healthMode?: { field: string; value: unknown } | undefined;
  /** How the token was obtained (e.g. `env INFLUXDB_TOKEN of the container`). */
  tokenSource?: string | undefined;
  /** Empty-write probes of that token on every bucket. */
  scope?: BucketProbe[] | undefined;
}

const isSystem = (bucket: string) => bucket.startsWith('_');

/**
 * Judge the evidence (pure). Returns the proof lines, or throws SafetyError
 * (SAFETY_PRODUCTION_SERVICE when evidence says production, SAFETY_UNVERIFIED_SERVICE when the
 * proof is missing or the token reaches another bucket).
 */
export function judgeFiring(profile: StackProfile, ev: FiringEvidence): string[] {
  const { test } = profile.roles.influxdb;
  const target = `${test.org}/${test.bucket}`;
  if (ev.containerMode?.value === 'production')
    throw new SafetyError(
      'SAFETY_PRODUCTION_SERVICE',
      `refused: synthetic events to ${ev.service}: its container runs with ${ev.containerMode.variable}=production (expected test)`,
    );
  if (ev.healthMode?.value === 'production')
    throw new SafetyError(
      'SAFETY_PRODUCTION_SERVICE',
      `refused: synthetic events to ${ev.service}: its health field ${ev.healthMode.field} says production (expected test)`,
    );
  const missing: string[] = [];
  if (!ev.scope) {
    const why = ev.missing.token ?? ev.missing.scope ?? 'unknown';
    missing.push(`the scope of the InfluxDB token ${ev.service} was given (${why})`);
  } else {
    const own = ev.scope.find((b) => b.org === test.org && b.bucket === test.bucket);
    const beyond = ev.scope.filter(
      (b) => b.allowed && !isSystem(b.bucket) && !(b.org === test.org && b.bucket === test.bucket),
    );
    if (beyond.length > 0)
      throw new SafetyError(
        'SAFETY_UNVERIFIED_SERVICE',
        `refused: synthetic events to ${ev.service}: the token it was given (${ev.tokenSource}) can write ${beyond.map((b) => `${b.org}/${b.bucket} (HTTP ${b.status})`).join(', ')}, not only the test bucket ${target}; expected a token scoped to ${target} (roles.ingestion.token of ${profile.source})`,
      );
    if (!own?.allowed)
      missing.push(
        `a token that can write the test bucket ${target} (${ev.tokenSource}: ${own ? `HTTP ${own.status}` : 'bucket not found'})`,
      );
  }
  if (missing.length > 0) {
    const how = Object.entries(ev.missing)
      .filter(([k]) => k !== 'token' && k !== 'scope')
      .map(([k, v]) => `${k}: ${v}`);
    throw new SafetyError(
      'SAFETY_UNVERIFIED_SERVICE',
      `refused: synthetic events to ${ev.service}: no proof they can only land in ${target}; missing ${missing.join('; ')}${how.length ? ` (also unknown: ${how.join('; ')})` : ''}`,
    );
  }
  const proof = [
    `token (${ev.tokenSource}) writes ${target} and no other bucket (${ev.scope?.length} probed)`,
  ];
  if (ev.containerMode?.value !== undefined)
    proof.push(`${ev.containerMode.variable}=${ev.containerMode.value}`);
  if (ev.healthMode) proof.push(`health ${ev.healthMode.field}=${JSON.stringify(ev.healthMode.value)}`);
  return proof;
}

function field(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Every bucket of every org, as the operator token sees them. */
async function allBuckets(url: string, adminToken: string): Promise<Array<{ org: string; bucket: string }>> {
  const api = influxApi(url, adminToken);
  const orgs = (
    await api.call<{ orgs?: Array<{ id: string; name: string }> }>('GET', '/api/v2/orgs?limit=100')
  ).body.orgs;
  const out: Array<{ org: string; bucket: string }> = [];
  for (const org of orgs ?? []) {
    const res = await api.call<{ buckets?: Array<{ name: string }> }>(
      'GET',
      `/api/v2/buckets?orgID=${encodeURIComponent(org.id)}&limit=100`,
    );
    for (const b of res.body.buckets ?? []) out.push({ org: org.name, bucket: b.name });
  }
  return out;
}

/** Collect the evidence about the profile's ingestion on a started stack. Never throws for missing evidence. */
export async function gatherFiringEvidence(
  stack: StartedStack,
  profile: StackProfile,
): Promise<FiringEvidence> {
  const ing = profile.roles.ingestion;
  const ev: FiringEvidence = { service: ing.service, missing: {} };
  const id = stack.containerId(ing.service);
  let env: Record<string, string> | undefined;
  if (id) {
    try {
      const info = await inspect(id);
      env = Object.fromEntries(
        (info.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      ev.containerMode = { variable: ing.modeVariable, value: env[ing.modeVariable] };
    } catch (err) {
      ev.missing.environment = `docker inspect of ${ing.service} failed: ${String(err)}`;
    }
  } else {
    ev.missing.environment = `the ${stack.target} target has no container for ${ing.service}: run it with HOMEIQ_TARGET=compose, or attach with HOMEIQ_ATTACH_PROJECT=<its compose project>`;
  }
  if (ing.health?.deploymentMode) {
    try {
      const h = await health(stack.url(ing.service), ing.health.path, 5_000);
      ev.healthMode = { field: ing.health.deploymentMode, value: field(h.json, ing.health.deploymentMode) };
    } catch (err) {
      ev.missing.health = `${ing.service} ${ing.health.path} did not answer: ${String(err)}`;
    }
  } else {
    ev.missing.health = `${profile.source} maps no roles.ingestion.health.deploymentMode (optional)`;
  }
  // The token the service was given.
  let token: string | undefined;
  const t = ing.token;
  if (t.kind === 'env') {
    token = env?.[t.variable] || undefined;
    ev.tokenSource = `environment variable ${t.variable} of ${ing.service}`;
    if (!token)
      ev.missing.token = env
        ? `${t.variable} is empty or unset in ${ing.service}'s container (profile: roles.ingestion.token)`
        : `${ing.service}'s container environment is unknown (${ev.missing.environment})`;
  } else {
    // The file the container is pointed at (its variable, when the profile names one and the
    // container sets it) is the token it uses, whatever the profile expects.
    const pointed = t.variable ? env?.[t.variable] : undefined;
    const path = pointed?.startsWith('/') ? pointed : t.path;
    ev.tokenSource = `file ${path} of ${ing.service}${path === t.path ? '' : ` (${t.variable}; the profile expects ${t.path})`}`;
    try {
      const files = await stack.readFiles(ing.service, path.slice(0, path.lastIndexOf('/')) || '/');
      const name = path.slice(path.lastIndexOf('/') + 1);
      token =
        files
          .find((f) => f.name === name)
          ?.data.toString('utf8')
          .trim() || undefined;
      if (!token) ev.missing.token = `${path} is missing or empty in ${ing.service}`;
    } catch (err) {
      ev.missing.token = `cannot read ${path} of ${ing.service} (${err instanceof Error ? err.message : String(err)}): the target needs the "files" capability (HOMEIQ_TARGET=compose, or HOMEIQ_ATTACH_PROJECT)`;
    }
  }
  const admin = stack.tokens.influxAdmin;
  if (token && !admin) ev.missing.scope = 'no operator token to list the buckets: set INFLUX_TOKEN';
  if (token && admin) {
    try {
      const url = stack.url(profile.roles.influxdb.service);
      const buckets = await allBuckets(url, admin);
      ev.scope = [];
      for (const b of buckets) {
        const r = await probeWritePermission({ url, token, org: b.org, bucket: b.bucket });
        ev.scope.push({ ...b, allowed: r.allowed, status: r.status });
      }
    } catch (err) {
      ev.missing.scope = `probing the token's scope failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return ev;
}

/**
 * Gather the evidence and judge it: resolves with the proof lines, or rejects with a
 * SafetyError saying what was missing and how to give it. Call before firing synthetic events.
 */
export async function assertSafeToFire(stack: StartedStack, profile: StackProfile): Promise<string[]> {
  return judgeFiring(profile, await gatherFiringEvidence(stack, profile));
}
