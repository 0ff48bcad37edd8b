/**
 * One-shot onboarding for compose (service `influxdb-init`): waits for InfluxDB's /health,
 * onboards idempotently (onboarding.ts), writes the org tokens to INFLUXDB_TOKENS_DIR when set,
 * prints a JSON summary on stdout and exits 0. Exit 1 with one line on stderr otherwise.
 *
 * Env: INFLUXDB_URL, INFLUXDB_ADMIN_USER, INFLUXDB_ADMIN_PASSWORD, INFLUXDB_ADMIN_TOKEN,
 * INFLUXDB_PROD_TOKEN, INFLUXDB_TEST_TOKEN (desired values: InfluxDB cannot create a token with
 * a chosen value, so they are only reused when already valid), INFLUXDB_TOKENS_DIR,
 * INFLUXDB_WAIT_MS (default 60000), and the layout (a stack profile's names; default the
 * contract's): INFLUXDB_PROD_ORG, INFLUXDB_PROD_BUCKET, INFLUXDB_TEST_ORG, INFLUXDB_TEST_BUCKET;
 * INFLUXDB_TOKEN_SCOPE (org|bucket; default bucket when both deployments share one org).
 */
import { intInput, parseCli, requiredInput, urlInput } from '../cli/args.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { InfluxError } from './errors.ts';
import { PRODUCTION_TARGET, TEST_TARGET } from './layout.ts';
import { onboard } from './onboarding.ts';
import { readTokenFile, readTokenRecord, writeTokenFile, writeTokenRecord } from './token-files.ts';

const log = createLogger('influxdb-init');

// All configuration is checked before anything is called: one line, exit 2.
parseCli(
  'influxdb-init',
  `usage: INFLUXDB_URL=... INFLUXDB_ADMIN_USER=... INFLUXDB_ADMIN_PASSWORD=... INFLUXDB_ADMIN_TOKEN=...
       node harness/influx/onboard-cli.ts

Onboards InfluxDB idempotently (both orgs, buckets and tokens), writes the org tokens to
INFLUXDB_TOKENS_DIR when set, prints a JSON summary. Optional: INFLUXDB_PROD_TOKEN,
INFLUXDB_TEST_TOKEN, INFLUXDB_TOKENS_DIR, INFLUXDB_WAIT_MS (default 60000).`,
  {},
);
urlInput('influxdb-init', 'INFLUXDB_URL', process.env.INFLUXDB_URL);
for (const name of ['INFLUXDB_ADMIN_USER', 'INFLUXDB_ADMIN_PASSWORD', 'INFLUXDB_ADMIN_TOKEN'])
  requiredInput('influxdb-init', name, process.env[name], 'a non-empty value');
const waitMs = intInput(
  'influxdb-init',
  'INFLUXDB_WAIT_MS',
  process.env.INFLUXDB_WAIT_MS,
  60_000,
  1_000,
  3_600_000,
);

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new InfluxError('INFLUX_CONFIG', `influxdb-init: env ${name} is required but empty`);
  return v;
}

async function main(): Promise<void> {
  const url = required('INFLUXDB_URL');
  const dir = process.env.INFLUXDB_TOKENS_DIR || undefined;
  await waitFor(
    async () => {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
      return { done: res.status === 200, seen: `GET /health -> ${res.status}` };
    },
    {
      what: `influxdb at ${url} /health to return 200`,
      timeoutMs: waitMs,
    },
  );
  const desired = {
    production: process.env.INFLUXDB_PROD_TOKEN || undefined,
    test: process.env.INFLUXDB_TEST_TOKEN || undefined,
  };
  const known = {
    production: (dir && (await readTokenFile(dir, 'production'))) || desired.production,
    test: (dir && (await readTokenFile(dir, 'test'))) || desired.test,
  };
  const env = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
  const layout = {
    production: {
      org: env('INFLUXDB_PROD_ORG', PRODUCTION_TARGET.org),
      bucket: env('INFLUXDB_PROD_BUCKET', PRODUCTION_TARGET.bucket),
    },
    test: {
      org: env('INFLUXDB_TEST_ORG', TEST_TARGET.org),
      bucket: env('INFLUXDB_TEST_BUCKET', TEST_TARGET.bucket),
    },
  };
  const scope = process.env.INFLUXDB_TOKEN_SCOPE?.trim() || undefined;
  if (scope !== undefined && scope !== 'org' && scope !== 'bucket')
    throw new InfluxError(
      'INFLUX_CONFIG',
      `influxdb-init: INFLUXDB_TOKEN_SCOPE="${scope}" is invalid: expected org or bucket`,
    );
  // Only tokens this record lists may be replaced; any other unreadable token is refused.
  const record = dir ? await readTokenRecord(dir) : {};
  const result = await onboard({
    createdTokenIds: Object.keys(record),
    layout,
    ...(scope ? { tokenScope: scope } : {}),
    url,
    adminUser: required('INFLUXDB_ADMIN_USER'),
    adminPassword: required('INFLUXDB_ADMIN_PASSWORD'),
    adminToken: required('INFLUXDB_ADMIN_TOKEN'),
    known,
    log,
  });
  const files: Record<string, string> = {};
  if (dir) {
    for (const which of ['production', 'test'] as const) {
      const t = result[which];
      for (const id of t.deletedTokenIds) delete record[id];
      if (t.tokenAction === 'created' || t.tokenAction === 'replaced')
        record[t.tokenId] = {
          org: t.org,
          description: t.tokenDescription,
          createdAt: new Date().toISOString(),
        };
    }
    files.record = await writeTokenRecord(dir, record);
  }
  for (const which of ['production', 'test'] as const) {
    const token = result[which].token;
    if (dir) files[which] = await writeTokenFile(dir, which, token);
    else if (desired[which] && desired[which] !== token) {
      throw new InfluxError(
        'INFLUX_TOKEN',
        `influxdb-init: ${which} token could not take the desired value (InfluxDB generates token values); set INFLUXDB_TOKENS_DIR so services read it from a file`,
      );
    }
  }
  const summary = {
    setup: result.setup,
    production: {
      org: result.production.org,
      bucket: result.production.bucket,
      token: result.production.token,
      tokenAction: result.production.tokenAction,
    },
    test: {
      org: result.test.org,
      bucket: result.test.bucket,
      token: result.test.token,
      tokenAction: result.test.tokenAction,
    },
    files,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  log.info(
    `done: setup ${result.setup}, tokens production=${result.production.tokenAction} test=${result.test.tokenAction}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`influxdb-init failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
