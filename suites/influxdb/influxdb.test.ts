/**
 * The real InfluxDB 2.x server (image homeiq/influxdb:<version>, INFLUXDB_VERSION or the pinned
 * baseline) in a container: harness onboarding, token isolation between the two deployments,
 * exact Flux counts and lookup by context_id. Run on the candidate with
 * `INFLUXDB_VERSION=2.9.1 npx vitest run suites/influxdb/influxdb.test.ts`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedInflux, startInfluxContainer } from '../../harness/influx/container.ts';
import {
  connect,
  countByTag,
  countPoints,
  EVENTS_MEASUREMENT,
  findByFieldValues,
  InfluxError,
  influxApi,
  type OnboardResult,
  onboard,
  PRODUCTION_TARGET,
  queryRows,
  TEST_TARGET,
  writePoints,
} from '../../harness/influx/index.ts';
import { tokenDescription } from '../../harness/influx/layout.ts';
import { sampleEventPoints } from '../../harness/influx/sample-events.ts';

const SEED = Number(process.env.HOMEIQ_SEED ?? 4242);
const admin = {
  adminUser: 'homeiq-admin',
  adminPassword: 'homeiq-admin-password',
  adminToken: 'homeiq-admin-token-0123456789abcdef',
};

let server: StartedInflux;
let first: OnboardResult;
let second: OnboardResult;

beforeAll(async () => {
  server = await startInfluxContainer();
  first = await onboard({ url: server.url, ...admin });
  second = await onboard({
    url: server.url,
    ...admin,
    known: { production: first.production.token, test: first.test.token },
  });
});

afterAll(async () => {
  await server?.stop();
});

/** Status of the InfluxError an operation threw (undefined: it did not throw one). */
async function refusedStatus(op: () => Promise<unknown>): Promise<number | string> {
  try {
    await op();
    return 'accepted';
  } catch (err) {
    if (err instanceof InfluxError) return err.status ?? err.message;
    throw err;
  }
}

describe(`InfluxDB server (seed ${SEED})`, () => {
  it('runs the requested version', async () => {
    const { body } = await influxApi(server.url).call<{ status: string; version: string }>('GET', '/health');
    expect(body.status).toBe('pass');
    expect(body.version.replace(/^v/, '')).toBe(server.version);
  });

  it('onboarding is idempotent: a second run finds setup, orgs, buckets and tokens and reuses them', async () => {
    expect(first.setup).toBe('performed');
    expect(second.setup).toBe('already-done');
    for (const which of ['production', 'test'] as const) {
      expect(second[which].orgID, `${which} org id after re-run`).toBe(first[which].orgID);
      expect(second[which].bucketID, `${which} bucket id after re-run`).toBe(first[which].bucketID);
      expect(second[which].token, `${which} token after re-run`).toBe(first[which].token);
      expect(second[which].tokenAction, `${which} token action on re-run`).not.toBe('created');
    }
    const api = influxApi(server.url, admin.adminToken);
    for (const t of [PRODUCTION_TARGET, TEST_TARGET]) {
      const orgs = await api.call<{ orgs: { name: string }[] }>('GET', '/api/v2/orgs?limit=100');
      expect(orgs.body.orgs.filter((o) => o.name === t.org)).toHaveLength(1);
      const orgID = (t === PRODUCTION_TARGET ? first.production : first.test).orgID;
      const buckets = await api.call<{ buckets: { name: string }[] }>(
        'GET',
        `/api/v2/buckets?orgID=${orgID}&limit=100`,
      );
      expect(buckets.body.buckets.filter((b) => b.name === t.bucket)).toHaveLength(1);
      const auths = await api.call<{ authorizations: { description?: string }[] }>(
        'GET',
        `/api/v2/authorizations?orgID=${orgID}`,
      );
      expect(auths.body.authorizations.filter((a) => a.description === tokenDescription(t.org))).toHaveLength(
        1,
      );
    }
  });

  it('a point written with the test token lands in the test bucket only', async () => {
    const marker = `isolation-${SEED}`;
    const { points } = sampleEventPoints({
      seed: SEED,
      count: 7,
      startMs: Date.UTC(2026, 0, 1),
      runTag: { run: marker },
    });
    await writePoints(connect(server.url, first.test.token), TEST_TARGET, points);
    const filter = { measurement: EVENTS_MEASUREMENT, field: 'state_value', tags: { run: marker } };
    const asAdmin = connect(server.url, admin.adminToken);
    expect(await countPoints(asAdmin, TEST_TARGET.org, { bucket: TEST_TARGET.bucket, ...filter })).toBe(7);
    expect(
      await countPoints(asAdmin, PRODUCTION_TARGET.org, { bucket: PRODUCTION_TARGET.bucket, ...filter }),
    ).toBe(0);
  });

  it('the test token is refused on the production bucket, for writes and queries', async () => {
    const asTest = connect(server.url, first.test.token);
    const { points } = sampleEventPoints({ seed: SEED, count: 1, startMs: Date.UTC(2026, 0, 2) });
    const write = await refusedStatus(() => writePoints(asTest, PRODUCTION_TARGET, points));
    const query = await refusedStatus(() =>
      queryRows(
        asTest,
        PRODUCTION_TARGET.org,
        `from(bucket: "${PRODUCTION_TARGET.bucket}") |> range(start: 0) |> limit(n: 1)`,
      ),
    );
    expect([401, 403, 404]).toContain(write);
    expect([401, 403, 404]).toContain(query);
    // and the production token, conversely, is refused on the test bucket
    const asProd = connect(server.url, first.production.token);
    expect([401, 403, 404]).toContain(await refusedStatus(() => writePoints(asProd, TEST_TARGET, points)));
  });

  it('a Flux count matches what was written, per entity, and every context_id is found exactly once', async () => {
    const marker = `count-${SEED}`;
    const { points, perEntity } = sampleEventPoints({
      seed: SEED + 1,
      count: 2500,
      startMs: Date.UTC(2026, 0, 3),
      runTag: { run: marker },
    });
    const asTest = connect(server.url, first.test.token);
    await writePoints(asTest, TEST_TARGET, points, 1000);
    const filter = {
      bucket: TEST_TARGET.bucket,
      measurement: EVENTS_MEASUREMENT,
      field: 'state_value',
      tags: { run: marker },
    };
    expect(await countPoints(asTest, TEST_TARGET.org, filter)).toBe(points.length);
    expect(Object.fromEntries(await countByTag(asTest, TEST_TARGET.org, filter, 'entity_id'))).toEqual(
      Object.fromEntries(perEntity),
    );
    const ids = points.map((p) => String(p.fields.context_id));
    const found = await findByFieldValues(asTest, TEST_TARGET.org, { ...filter, field: 'context_id' }, [
      ...ids,
      'ctx-never-written',
    ]);
    expect(found.size).toBe(ids.length);
    expect(found.has('ctx-never-written')).toBe(false);
    expect([...found.values()].filter((hits) => hits.length !== 1)).toEqual([]);
    expect(found.get(ids[0] ?? '')?.[0]?.tags.entity_id).toBe(points[0]?.tags?.entity_id);
  });

  it('onboard-cli exits 0 twice, writes working token files and keeps them on the re-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'homeiq-tokens-'));
    try {
      const env = {
        ...process.env,
        INFLUXDB_URL: server.url,
        INFLUXDB_ADMIN_USER: admin.adminUser,
        INFLUXDB_ADMIN_PASSWORD: admin.adminPassword,
        INFLUXDB_ADMIN_TOKEN: admin.adminToken,
        INFLUXDB_TOKENS_DIR: dir,
        // The tokens exist already (created above, outside this token dir's record): on 2.9+ they
        // are hashed, and the CLI must be given their values, it never replaces them.
        INFLUXDB_PROD_TOKEN: first.production.token,
        INFLUXDB_TEST_TOKEN: first.test.token,
      };
      const run = async () => {
        const { stdout } = await promisify(execFile)(process.execPath, ['harness/influx/onboard-cli.ts'], {
          env,
        });
        return JSON.parse(stdout) as { setup: string; test: { token: string; tokenAction: string } };
      };
      const a = await run();
      const fileToken = (await readFile(join(dir, 'test.token'), 'utf8')).trim();
      const b = await run();
      expect(a.setup).toBe('already-done');
      expect(fileToken).toBe(a.test.token);
      expect(b.test.token).toBe(a.test.token);
      expect(b.test.tokenAction).not.toBe('created');
      const asFile = connect(server.url, (await readFile(join(dir, 'test.token'), 'utf8')).trim());
      const { points } = sampleEventPoints({
        seed: SEED + 2,
        count: 3,
        startMs: Date.UTC(2026, 0, 4),
        runTag: { run: `cli-${SEED}` },
      });
      await writePoints(asFile, TEST_TARGET, points);
      expect(
        await countPoints(asFile, TEST_TARGET.org, {
          bucket: TEST_TARGET.bucket,
          field: 'state_value',
          tags: { run: `cli-${SEED}` },
        }),
      ).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Last: on 2.9+ this replaces the org tokens that earlier tests used.
  it('a re-run that remembers no token values still ends with working, org-scoped tokens (harness-created ones only)', async () => {
    const record = [first.production.tokenId, first.test.tokenId];
    // Without the record of what the harness created, an unreadable token is never touched.
    const blind = await refusedStatus(() => onboard({ url: server.url, ...admin }));
    const auths = await influxApi(server.url, admin.adminToken).call<{
      authorizations: { id: string; token?: string }[];
    }>('GET', `/api/v2/authorizations?orgID=${first.test.orgID}`);
    const hashed = auths.body.authorizations.every((a) => !a.token);
    if (hashed) {
      expect(String(blind)).toMatch(
        /cannot be read back .* left untouched .* provide its value in INFLUXDB_PROD_TOKEN/,
      );
      expect(auths.body.authorizations.map((a) => a.id)).toContain(first.test.tokenId);
    } else expect(blind).toBe('accepted');
    const before = await onboard({ url: server.url, ...admin, createdTokenIds: record });
    const again = await onboard({
      url: server.url,
      ...admin,
      createdTokenIds: [...record, before.production.tokenId, before.test.tokenId],
    });
    const marker = `forgetful-${SEED}`;
    const { points } = sampleEventPoints({
      seed: SEED + 3,
      count: 5,
      startMs: Date.UTC(2026, 0, 5),
      runTag: { run: marker },
    });
    const asTest = connect(server.url, again.test.token);
    await writePoints(asTest, TEST_TARGET, points);
    const filter = { bucket: TEST_TARGET.bucket, field: 'state_value', tags: { run: marker } };
    expect(await countPoints(asTest, TEST_TARGET.org, filter)).toBe(5);
    expect([401, 403, 404]).toContain(
      await refusedStatus(() => writePoints(asTest, PRODUCTION_TARGET, points)),
    );
    // a replaced token must be dead, a reused one must be the same value
    if (again.test.tokenAction === 'replaced') {
      expect(
        await refusedStatus(() => writePoints(connect(server.url, before.test.token), TEST_TARGET, points)),
      ).toBe(401);
    } else {
      expect(again.test.token).toBe(before.test.token);
    }
  });
});
