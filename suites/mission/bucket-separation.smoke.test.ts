/**
 * Bucket separation (seed 000, stories 40.1, 40.2 and 40.3): every event fired during the run lands
 * in the test bucket exactly once and nowhere else; no production bucket grows while the test
 * deployment runs, whatever is written; the test token cannot touch the production bucket; SQLite
 * metadata lands in the test database only.
 *
 * Roles, orgs and buckets come from the stack profile; the evidence is the mock HA (ledger and
 * deliveries), InfluxDB read with the admin token, and the metadata store's files through Docker.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordMeasurement } from '../../harness/report/measurements.ts';
import { probeWritePermission } from '../../harness/safety/influx-writer.ts';
import { requireCapability } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { describeCustody, describeCustodyDetail } from '../../harness/verify/custody.ts';
import { recordCustody } from '../../harness/verify/custody-report.ts';
import { roles } from '../../harness/verify/evidence.ts';
import { describeGrowth, type SeriesGrowth } from '../../harness/verify/influx-evidence.ts';
import { type DriveResult, driveScenario } from '../../harness/verify/ingestion.ts';
import {
  describeSnapshot,
  type ProductionSnapshot,
  productionGrowth,
  snapshotProduction,
} from '../../harness/verify/production.ts';
import { inspectFile } from '../../harness/verify/sqlite.ts';

const log = createLogger('separation');
const ingestion = () => roles().ingestion.service;
const influx = () => roles().influxdb;
const where = (b: { org: string; bucket: string }) => `${b.org}/${b.bucket}`;

describe('bucket separation: test data stays in the test bucket and the test database', () => {
  const stack = useStack({ shares: true });
  let run: DriveResult;
  let before: ProductionSnapshot;
  let growth: SeriesGrowth[];

  beforeAll(async () => {
    before = await snapshotProduction(stack());
    log.info(`production before the run: ${describeSnapshot(before)}`);
    run = await driveScenario(stack(), { kind: 'steady', rate: 50, durationS: 10 });
    recordCustody('bucket-separation', ingestion(), run.custody);
    growth = await productionGrowth(stack(), before);
    recordMeasurement('production-contamination', {
      before: describeSnapshot(before),
      grown: growth.map(describeGrowth),
    });
  });

  it('writes every fired event into the test bucket exactly once', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const s = run.custody.summary;
    check(s.fired > 0 && s.missingTotal === 0 && s.duplicated === 0, {
      service: ingestion(),
      what: `fired events stored in ${where(influx().test)} (missing + duplicated)`,
      expected: `each of ${s.fired} exactly once`,
      measured: describeCustody(run.custody, ingestion()),
      detail: describeCustodyDetail(run.custody),
    });
  });

  it('writes none of them anywhere else (another bucket, org or measurement)', (ctx) => {
    withFailureContext(ctx, stack(), () => [ingestion()]);
    const s = run.custody.summary;
    const elsewhere = [...new Set(run.custody.rows.flatMap((r) => r.elsewhere))];
    check(s.missing['stored-elsewhere'] + s.alsoElsewhere === 0, {
      service: ingestion(),
      what: `fired events stored outside ${where(influx().test)}/${influx().measurement}`,
      expected: 0,
      measured: `${s.missing['stored-elsewhere'] + s.alsoElsewhere} (in ${elsewhere.join(', ') || '-'}): ${describeCustody(run.custody, ingestion())}`,
      detail: describeCustodyDetail(run.custody),
    });
  });

  it('grows no production bucket while the test deployment runs, whatever is written', (ctx) => {
    withFailureContext(ctx, stack(), () => stack().services());
    check(growth.length === 0, {
      service: influx().service,
      what: `series of the production buckets (${before.buckets.map(where).join(', ')}) that gained points during the run`,
      expected: 'none',
      measured: `${growth.length} series grew`,
      detail: growth.map((g) => `  ${describeGrowth(g)}`).join('\n'),
    });
  });

  it('gives the test token no access to the production bucket (and full access to its own)', async () => {
    const token = stack().tokens.influxTest;
    check(token !== undefined, {
      service: influx().service,
      what: 'test token (the one the ingestion is given)',
      expected: 'known to the harness',
      measured: 'unknown',
    });
    const url = stack().url(influx().service);
    const prod = await probeWritePermission({ url, token: token as string, ...influx().production });
    const own = await probeWritePermission({ url, token: token as string, ...influx().test });
    checkAll(
      [
        {
          ok: !prod.allowed,
          e: {
            service: influx().service,
            what: `write permission of the test token on ${where(influx().production)}`,
            expected: 'denied (401/403/404)',
            measured: `HTTP ${prod.status}`,
          },
        },
        {
          ok: own.allowed,
          e: {
            service: influx().service,
            what: `write permission of the test token on ${where(influx().test)} (positive control)`,
            expected: 'allowed (204/400 on an empty write)',
            measured: `HTTP ${own.status}`,
          },
        },
      ],
      'test token scope',
    );
  });

  it('keeps SQLite metadata in the test database only, in WAL mode, with content', async (ctx) => {
    const store = roles().metadataStore;
    check(store !== undefined, {
      service: ingestion(),
      what: 'metadata store role in the stack profile',
      expected: 'a service and its SQLite paths',
      measured: 'none declared',
    });
    if (!store) return;
    withFailureContext(ctx, stack(), [store.service]);
    requireCapability(stack(), 'files', `reading the SQLite files of ${store.service}`);
    const files = await stack().readFiles(store.service, store.dataDir);
    const dir = mkdtempSync(join(tmpdir(), 'homeiq-sqlite-'));
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.name)), { recursive: true });
      writeFileSync(join(dir, f.name), f.data);
    }
    const names = files.map((f) => f.name.replace(/^\.?\//, ''));
    const testDb = names.includes(store.testPath) ? inspectFile(join(dir, store.testPath)) : undefined;
    const rows = Object.values(testDb?.tables ?? {}).reduce((a, b) => a + b, 0);
    const at = (p: string) => `${store.dataDir}/${p}`;
    checkAll(
      [
        {
          ok: testDb !== undefined,
          e: {
            service: store.service,
            what: `test database ${at(store.testPath)}`,
            expected: 'present',
            measured: testDb ? 'present' : `absent (files: ${names.join(', ') || 'none'})`,
          },
        },
        {
          ok: !names.includes(store.productionPath),
          e: {
            service: store.service,
            what: `production database ${at(store.productionPath)}`,
            expected: 'absent',
            measured: names.includes(store.productionPath) ? 'present' : 'absent',
          },
        },
        {
          ok: testDb?.journalMode === 'wal',
          e: {
            service: store.service,
            what: `journal mode of ${at(store.testPath)} on disk`,
            expected: 'wal',
            measured: String(testDb?.journalMode ?? '(no file)'),
          },
        },
        {
          ok: rows > 0,
          e: {
            service: store.service,
            what: `rows in ${at(store.testPath)}`,
            expected: '> 0',
            measured: `${rows} (tables ${JSON.stringify(testDb?.tables ?? {})})`,
          },
        },
      ],
      'SQLite separation',
    );
  });
});
