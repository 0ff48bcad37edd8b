/**
 * The phases of the pre-upgrade check, as a library the suite (suites/upgrade) calls:
 *   1. boot(): the test profile on `from` (compose target, INFLUXDB_IMAGE=from), on a fresh volume
 *      or a copy of the home's; drive a seeded scenario through the real ingestion (ledger);
 *      on a fresh instance write the reference set into the production bucket (admin path) and
 *      create a client token nobody holds (the stand-in for a home's dashboard); capture.
 *   2. upgrade(): stop InfluxDB as `docker stop` does (judged from outside), start `to` on the
 *      same volume, time its first start, capture again, probe every known token's scope.
 *   3. rollback(): stop `to`, start `from` on the same volume, capture (reported, never fails).
 */

import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load.ts';
import { influxApi } from '../influx/http.ts';
import { HARNESS_TOKEN_PREFIX } from '../influx/tokens.ts';
import { onInterrupt } from '../stack/cleanup.ts';
import { docker } from '../stack/docker.ts';
import { startStack } from '../stack/index.ts';
import type { StartedStack } from '../stack/types.ts';
import { createLogger } from '../util/log.ts';
import { type DriveResult, driveScenario } from '../verify/ingestion.ts';
import { type Capture, capture } from './capture.ts';
import { buildFaultImage, isImageFault } from './faults.ts';
import type { UpgradeOptions } from './options.ts';
import { type ReferenceSetResult, writeReferenceSet } from './reference-set.ts';
import { captureSqlite, type SqliteCapture } from './sqlite.ts';
import { prepareDataVolume } from './starting-point.ts';
import { type StopVerdict, stopAndJudge } from './stop.ts';
import { type FirstStart, startOnSameVolume } from './swap.ts';
import { upgradeTargets } from './targets.ts';
import { type HeldTokens, probeScope, type ScopeProbe } from './token-audit.ts';

/** The InfluxDB service the check stops and swaps: the active profile's roles.influxdb.service. */
export const influxdbService = (): string => upgradeTargets().influxdb;
const log = createLogger('upgrade');

/** Description of the stand-in client token (read on the production bucket) nobody holds. */
export const CLIENT_TOKEN_DESCRIPTION = `${HARNESS_TOKEN_PREFIX}upgrade-check:dashboard-read (plaintext deliberately not kept)`;

export interface KnownToken {
  label: string;
  token: string;
  authId?: string;
}

export interface BootResult {
  stack: StartedStack;
  project: string;
  runStartedMs: number;
  drive: DriveResult;
  reference?: ReferenceSetResult;
  sqlite: SqliteCapture;
  before: Capture;
  /** Plaintexts held outside InfluxDB (the harness's config and token files). */
  held: HeldTokens;
  /** Every plaintext known before the upgrade (held + read from the API), and what each could see. */
  known: KnownToken[];
  scopesBefore: Map<string, ScopeProbe>;
}

export interface UpgradeResult {
  stop: StopVerdict;
  first: FirstStart;
  after?: Capture;
  afterError?: string;
  scopesAfter: Map<string, ScopeProbe>;
  sqlite: SqliteCapture;
}

export interface RollbackResult {
  stop: StopVerdict;
  first: FirstStart;
  after?: Capture;
  afterError?: string;
  scopesAfter: Map<string, ScopeProbe>;
  /** Lines `from` logged about hashed tokens. */
  hashedTokenWarnings: string[];
}

/** The harness's own plaintexts: operator token and the deployments' token files. */
function heldByHarness(stack: StartedStack): Map<string, string> {
  const held = new Map<string, string>();
  if (stack.tokens.influxAdmin) held.set('INFLUX_TOKEN (harness config)', stack.tokens.influxAdmin);
  if (stack.tokens.influxProd) held.set('prod.token (influxdb-init token file)', stack.tokens.influxProd);
  if (stack.tokens.influxTest) held.set('test.token (influxdb-init token file)', stack.tokens.influxTest);
  return held;
}

async function scopes(url: string, known: KnownToken[]): Promise<Map<string, ScopeProbe>> {
  const out = new Map<string, ScopeProbe>();
  for (const k of known)
    out.set(k.label, await probeScope(url, k.token).catch(() => ({ status: 0, buckets: [] })));
  return out;
}

/**
 * A planted `to`-image fault (HOMEIQ_FAULT=<name> with fixtures/faults/<name>.Dockerfile): build it
 * FROM the candidate and upgrade to it; the stack itself then runs without a fault.
 */
export async function applyImageFault(
  opts: UpgradeOptions,
  env: Record<string, string | undefined>,
): Promise<{ opts: UpgradeOptions; env: Record<string, string | undefined> }> {
  const name = env.HOMEIQ_FAULT?.trim();
  if (!name || !isImageFault(name)) return { opts, env };
  const image = await buildFaultImage(name, opts.to.image);
  log.info(`planted fault ${name}: upgrading to ${image} (built FROM ${opts.to.image})`);
  return {
    opts: { ...opts, to: { ...opts.to, given: `${opts.to.given} + fault ${name}`, image } },
    env: { ...env, HOMEIQ_FAULT: '' },
  };
}

/** Remove an image built by applyImageFault (nothing else). */
export async function removeFaultImage(image: string | undefined): Promise<void> {
  if (!image?.startsWith('homeiq/influxdb:fault-')) return;
  await docker()
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
}

/** Phase 1. The stack stays up for the later phases; the caller tears it down (stack.down()). */
export async function boot(
  opts: UpgradeOptions,
  seed: number,
  env: Record<string, string | undefined> = process.env,
): Promise<BootResult> {
  const runStartedMs = Date.now();
  const project = `homeiq-upgrade-${process.pid}-${randomBytes(3).toString('hex')}`;
  // A copied volume exists before compose does: remove it on Ctrl-C too.
  const unregister = onInterrupt(`upgrade volume ${project}`, () => {
    void docker()
      .getVolume(`${project}_influxdb-data`)
      .remove()
      .catch(() => undefined);
  });
  let stack: StartedStack;
  try {
    const prepared = await prepareDataVolume(project, opts.start, opts.from.image, env);
    // The operator token of a copied volume or restored backup: the config's INFLUX_TOKEN
    // (the compose target hands it to InfluxDB and influxdb-init).
    if (prepared?.adminToken) env = { ...env, INFLUX_TOKEN: prepared.adminToken };
    stack = await startStack(
      loadConfig({ ...env, INFLUXDB_IMAGE: opts.from.image, HOMEIQ_PROJECT_NAME: project }),
    );
  } catch (err) {
    await docker()
      .getVolume(`${project}_influxdb-data`)
      .remove()
      .catch(() => undefined);
    throw err;
  } finally {
    unregister();
  }
  try {
    const targets = upgradeTargets();
    const url = stack.url(targets.influxdb);
    const adminToken = stack.tokens.influxAdmin as string;
    log.info(`${project}: ${opts.from.image} up at ${url}; driving a seeded scenario through the ingestion`);
    const drive = await driveScenario(stack, { kind: 'steady', rate: 50, durationS: 10 });
    let reference: ReferenceSetResult | undefined;
    const held = heldByHarness(stack);
    if (opts.start.kind === 'fresh') {
      reference = await writeReferenceSet({ url, adminToken, seed, runStartedMs, ...targets.production });
      // A client token whose plaintext the harness deliberately forgets: what a home's dashboard holds.
      const api = influxApi(url, adminToken);
      const org = (
        await api.call<{ orgs?: { id: string }[] }>(
          'GET',
          `/api/v2/orgs?org=${encodeURIComponent(targets.production.org)}`,
        )
      ).body.orgs?.[0];
      if (org)
        await api.call('POST', '/api/v2/authorizations', {
          body: {
            orgID: org.id,
            description: CLIENT_TOKEN_DESCRIPTION,
            permissions: [{ action: 'read', resource: { type: 'buckets', orgID: org.id } }],
          },
          expect: [201],
        });
    }
    const sqlite = await captureSqlite(stack);
    const before = await capture({ url, adminToken });
    const known: KnownToken[] = [...held].map(([label, token]) => ({ label, token }));
    for (const a of before.authorizations)
      if (a.plaintext && !known.some((k) => k.token === a.plaintext))
        known.push({
          label: `${a.id} "${a.description}" (read from the API)`,
          token: a.plaintext,
          authId: a.id,
        });
    const scopesBefore = await scopes(url, known);
    return {
      stack,
      project,
      runStartedMs,
      drive,
      ...(reference ? { reference } : {}),
      sqlite,
      before,
      held,
      known,
      scopesBefore,
    };
  } catch (err) {
    await stack.down();
    throw err;
  }
}

async function captureOrError(
  url: string,
  adminToken: string,
  cutoff: string,
): Promise<{ after?: Capture; afterError?: string }> {
  try {
    return { after: await capture({ url, adminToken, cutoff }) };
  } catch (err) {
    return { afterError: err instanceof Error ? err.message : String(err) };
  }
}

/** Phase 2: stop `from` (judged), start `to` on the same volume, capture. */
export async function upgrade(
  b: BootResult,
  opts: UpgradeOptions,
  env: Record<string, string> = {},
): Promise<UpgradeResult> {
  const influxdb = influxdbService();
  const stop = await stopAndJudge(influxdb, b.stack.containerId(influxdb) as string);
  log.info(`stopped ${opts.from.image}: ${stop.signal} -> exit ${stop.exitCode} in ${stop.durationMs} ms`);
  const first = await startOnSameVolume(b.stack, influxdb, opts.to.image, { env });
  log.info(
    `${opts.to.image} first start: ${Math.round(first.firstStartMs)} ms${first.failure ? ` (${first.failure})` : ''}`,
  );
  const url = b.stack.url(influxdb);
  const got = first.failure
    ? { afterError: first.failure }
    : await captureOrError(url, b.stack.tokens.influxAdmin as string, b.before.cutoff);
  const scopesAfter = await scopes(url, b.known);
  const sqlite = await captureSqlite(b.stack);
  return { stop, first, ...got, scopesAfter, sqlite };
}

/** Phase 3: stop `to`, start `from` on the same volume; report only. */
export async function rollback(b: BootResult, opts: UpgradeOptions): Promise<RollbackResult> {
  const influxdb = influxdbService();
  const stop = await stopAndJudge(influxdb, b.stack.containerId(influxdb) as string);
  const first = await startOnSameVolume(b.stack, influxdb, opts.from.image, { timeoutMs: 90_000 });
  const url = b.stack.url(influxdb);
  const got = first.failure
    ? { afterError: first.failure }
    : await captureOrError(url, b.stack.tokens.influxAdmin as string, b.before.cutoff);
  const scopesAfter = await scopes(url, b.known);
  const hashedTokenWarnings = first.logs
    .split('\n')
    .filter((l) => /hash/i.test(l) && /warn|error|lvl=warn|level=warn/i.test(l))
    .map((l) => l.trim());
  return { stop, first, ...got, scopesAfter, hashedTokenWarnings };
}
