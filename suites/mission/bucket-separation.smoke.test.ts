/**
 * Bucket separation (seed 000, stories 40.1 and 40.3): every event fired during the run lands in
 * home_assistant_events_test exactly once and never in home_assistant_events; the test token
 * cannot touch the production bucket; SQLite metadata lands in the test database only.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { deployment } from '../../harness/config/defaults.ts';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { health } from '../../harness/probes/http.ts';
import { probeWritePermission } from '../../harness/safety/influx-writer.ts';
import { requireCapability } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import {
  type DriveResult,
  describeCounters,
  driveScenario,
  INGESTION,
} from '../../harness/verify/ingestion.ts';
import { describeLedger } from '../../harness/verify/ledger.ts';
import { checkPragmas, checkSeparation, inspectFile } from '../../harness/verify/sqlite.ts';

const DATA_API = 'data-api';

describe('bucket separation: test data stays in the test bucket and the test database', () => {
  const stack = useStack();
  let run: DriveResult;

  beforeAll(async () => {
    run = await driveScenario(stack(), { kind: 'steady', rate: 50, durationS: 10 });
  });

  it('writes every fired event into home_assistant_events_test exactly once', (ctx) => {
    withFailureContext(ctx, stack(), [INGESTION]);
    check(run.match.fired > 0 && run.match.missing.length === 0 && run.match.duplicated.length === 0, {
      service: INGESTION,
      what: `fired events stored in "${deployment.test.bucket}" (missing + duplicated)`,
      expected: `each of ${run.match.fired} exactly once`,
      measured: `${run.match.missing.length} missing, ${run.match.duplicated.length} duplicated (${describeCounters(run.counters)})`,
      detail: describeLedger(run.match, INGESTION),
    });
  });

  it('writes none of them into the production bucket home_assistant_events', (ctx) => {
    withFailureContext(ctx, stack(), [INGESTION]);
    check(run.match.misplaced.length === 0, {
      service: INGESTION,
      what: `fired events found in production bucket "${deployment.production.bucket}"`,
      expected: 0,
      measured: run.match.misplaced.length,
      detail: describeLedger(run.match, INGESTION),
    });
  });

  it('gives the test token no access to the production bucket (and full access to its own)', async (ctx) => {
    withFailureContext(ctx, stack(), ['influxdb-init']);
    const token = stack().tokens.influxTest;
    check(token !== undefined, {
      service: 'influxdb-init',
      what: 'test token',
      expected: 'known',
      measured: 'unknown',
    });
    const url = stack().url('influxdb');
    const prod = await probeWritePermission({ url, token: token as string, ...deployment.production });
    const own = await probeWritePermission({ url, token: token as string, ...deployment.test });
    checkAll(
      [
        {
          ok: !prod.allowed,
          e: {
            service: 'influxdb',
            what: `write permission of the test token on ${deployment.production.org}/${deployment.production.bucket}`,
            expected: 'denied (401/403/404)',
            measured: `HTTP ${prod.status}`,
          },
        },
        {
          ok: own.allowed,
          e: {
            service: 'influxdb',
            what: `write permission of the test token on ${deployment.test.org}/${deployment.test.bucket} (positive control)`,
            expected: 'allowed (204/400 on an empty write)',
            measured: `HTTP ${own.status}`,
          },
        },
      ],
      'test token scope',
    );
  });

  it('keeps SQLite metadata in data/test/metadata.db only, in WAL mode with the NUC pragmas, with content', async (ctx) => {
    withFailureContext(ctx, stack(), [DATA_API]);
    requireCapability(stack(), 'files', 'reading the SQLite files of data-api');
    const h = await health(stack().url(DATA_API));
    const files = await stack().readFiles(DATA_API, '/app/data');
    const dir = mkdtempSync(join(tmpdir(), 'homeiq-sqlite-'));
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.name)), { recursive: true });
      writeFileSync(join(dir, f.name), f.data);
    }
    const names = files.map((f) => f.name).filter((n) => n.endsWith('.db'));
    const findings = [
      ...checkSeparation(names, DATA_API),
      ...checkPragmas((h.json ?? {}) as Record<string, unknown>, DATA_API),
    ];
    const testDb = files.some((f) => f.name === 'test/metadata.db')
      ? inspectFile(join(dir, 'test/metadata.db'))
      : undefined;
    const entities = testDb?.tables.entities ?? 0;
    findings.push({
      ok: testDb?.journalMode === 'wal',
      what: `${DATA_API}: journal mode of test/metadata.db on disk`,
      expected: 'wal',
      measured: String(testDb?.journalMode ?? '(no file)'),
    });
    findings.push({
      ok: entities > 0,
      what: `${DATA_API}: entities discovered from the mock HA in test/metadata.db`,
      expected: '> 0',
      measured: `${entities} (tables ${JSON.stringify(testDb?.tables ?? {})})`,
    });
    checkAll(
      findings.map((f) => ({
        ok: f.ok,
        e: {
          service: DATA_API,
          what: f.what.replace(`${DATA_API}: `, ''),
          expected: f.expected,
          measured: f.measured,
        },
      })),
      'SQLite separation and settings',
    );
  });
});
