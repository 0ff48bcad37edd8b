/**
 * Pre-upgrade check of InfluxDB on the home's own data (issue 13): `from` -> `to` on the same data
 * volume, verified against a capture, with the mission checks on the upgraded stack and a rollback
 * probe. Options come from HOMEIQ_UPGRADE_FROM / _TO / _FROM_VOLUME / _FROM_BACKUP (set by
 * `npm run test:upgrade -- --from ... --to ...`); defaults: pinned baseline -> candidate.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.ts';
import pins from '../../harness/config/pins.json' with { type: 'json' };
import { check } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordLatency, recordMeasurement } from '../../harness/report/measurements.ts';
import { recordVerdict } from '../../harness/report/verdicts.ts';
import { probeWritePermission } from '../../harness/safety/influx-writer.ts';
import { bucketTotal } from '../../harness/upgrade/capture.ts';
import { compareBuckets, compareCounts, compareFlux, compareSample } from '../../harness/upgrade/compare.ts';
import { assertFinding, type Finding, listed } from '../../harness/upgrade/findings.ts';
import {
  resolveUpgradeOptions,
  type UpgradeOptions,
  upgradeOptionsFromEnv,
} from '../../harness/upgrade/options.ts';
import {
  applyImageFault,
  type BootResult,
  boot,
  influxdbService,
  type RollbackResult,
  removeFaultImage,
  rollback,
  type UpgradeResult,
  upgrade,
} from '../../harness/upgrade/run.ts';
import { compareSqlite } from '../../harness/upgrade/sqlite.ts';
import { dockerLookup } from '../../harness/upgrade/starting-point.ts';
import { stopFinding } from '../../harness/upgrade/stop.ts';
import { upgradeTargets } from '../../harness/upgrade/targets.ts';
import {
  compareTokenScopes,
  HASHING_OFF,
  hashingVerdict,
  unheldTokens,
} from '../../harness/upgrade/token-audit.ts';
import { describeCustody, describeCustodyDetail } from '../../harness/verify/custody.ts';
import { ingestionReady, roles } from '../../harness/verify/evidence.ts';
import { type DriveResult, driveScenario } from '../../harness/verify/ingestion.ts';
import { formatLatency, latencyStats } from '../../harness/verify/latency.ts';

const raw = upgradeOptionsFromEnv(process.env);
const cfg = loadConfig();
const fromName = raw.from ?? pins.influxdb.baseline;
const toName = raw.to ?? pins.influxdb.candidate;
/** The ingestion service of the stack under test (its profile's role). */
const ingestion = () => roles().ingestion.service;
/** The InfluxDB service and the test/production org+bucket of the stack under test (its profile). */
const INFLUXDB = influxdbService();
const deployment = upgradeTargets();
/** A run's chain of custody in the figures these checks judge (misplaced: stored outside the test bucket). */
const custodyFigures = (r: DriveResult) => {
  const s = r.custody.summary;
  return {
    fired: s.fired,
    missing: s.missingTotal,
    duplicated: s.duplicated,
    misplaced: s.missing['stored-elsewhere'] + s.alsoElsewhere,
  };
};

describe(`InfluxDB upgrade ${fromName} -> ${toName} on the same data volume`, () => {
  let opts: UpgradeOptions;
  let b: BootResult;
  let u: UpgradeResult;
  // A phase that failed makes every check that needs it red (with its error), never skipped.
  const failed: { boot?: unknown; mission?: unknown; rollback?: unknown } = {};
  const ready = (...phases: (keyof typeof failed)[]) => {
    for (const p of ['boot', ...phases] as const) if (failed[p] !== undefined) throw failed[p];
  };
  const stack = () => {
    ready();
    return b.stack;
  };
  const upgraded = () => {
    check(u.after !== undefined, {
      service: INFLUXDB,
      what: `capture of ${opts.to.image} after the upgrade`,
      expected: 'readable with the operator token',
      measured: u.afterError ?? '(none)',
    });
    return u.after as NonNullable<UpgradeResult['after']>;
  };

  beforeAll(async () => {
    try {
      const planted = await applyImageFault(await resolveUpgradeOptions(raw, dockerLookup), process.env);
      opts = planted.opts;
      b = await boot(opts, cfg.seed, planted.env);
      u = await upgrade(b, opts);
    } catch (err) {
      failed.boot = err;
      return;
    }
    recordVerdict(
      'upgrade',
      {
        kind: 'value',
        label: `first start of ${opts.to.image} on the old volume`,
        value: Math.round(u.first.firstStartMs),
        unit: 'ms',
        limit: 'passes /health',
      },
      {
        kind: 'value',
        label: `docker stop of ${opts.from.image} (${u.stop.signal})`,
        value: `exit ${u.stop.exitCode} in ${u.stop.durationMs} ms`,
        limit: 'exit 0, shutdown logged',
      },
      {
        kind: 'value',
        label: 'field values captured',
        value: b.before.counts.reduce((n, x) => n + x.count, 0),
        limit: 'identical after',
      },
    );
    recordMeasurement('upgrade', {
      from: opts.from.image,
      to: opts.to.image,
      start: opts.start.kind,
      firstStartMs: Math.round(u.first.firstStartMs),
      stop: { signal: u.stop.signal, exitCode: u.stop.exitCode, ms: u.stop.durationMs },
      fieldValues: Object.fromEntries(b.before.buckets.map((x) => [x.name, bucketTotal(b.before, x.name)])),
      authorizations: b.before.authorizations.length,
      fired: b.drive.custody.summary.fired,
      reference: b.reference,
      seed: cfg.seed,
    });
    // Boot (HOMEIQ_STARTUP_TIMEOUT_MS, 300 s), drive + drain (~130 s), capture, stop (grace 15 s) and
    // first start of `to` (180 s) each have their own deadline; the hook only bounds their sum.
  }, 1_200_000);

  afterAll(async () => {
    await b?.stack.down();
    await removeFaultImage(opts?.to.image);
  });

  describe(`on ${fromName}: the known data set`, () => {
    it('went through the real ingestion: every fired event stored exactly once in the test bucket', (ctx) => {
      ready();
      withFailureContext(ctx, stack(), [ingestion()]);
      const m = custodyFigures(b.drive);
      const run = b.drive;
      check(m.fired > 0 && m.missing === 0 && m.duplicated === 0 && m.misplaced === 0, {
        service: ingestion(),
        what: `events of the seeded scenario stored in ${deployment.test.bucket} on ${opts.from.image}`,
        expected: `each of ${m.fired} exactly once, none in ${deployment.production.bucket}`,
        measured: `${m.missing} missing, ${m.duplicated} duplicated, ${m.misplaced} misplaced`,
        detail: `${describeCustody(run.custody, ingestion())}\n${describeCustodyDetail(run.custody)}`,
      });
    });

    it('names every authorization in use whose plaintext nobody holds (before the upgrade)', (ctx) => {
      ready();
      assertFinding(unheldTokens(b.before, b.held, opts.to.image), ctx.annotate);
    });
  });

  describe(`${fromName} -> ${toName}`, () => {
    it(`${fromName} stops cleanly on docker stop (its stop signal, exit 0, shutdown logged)`, (ctx) => {
      ready();
      assertFinding(stopFinding(u.stop, `stopping ${fromName} before the upgrade`), ctx.annotate);
    });

    it(`${toName} starts on the old volume, reports its version and passes /health`, (ctx) => {
      ready();
      withFailureContext(ctx, stack(), [INFLUXDB]);
      recordLatency(`first start of ${opts.to.image} on the ${fromName} volume`, [u.first.firstStartMs]);
      const wanted = opts.to.version;
      assertFinding(
        {
          id: 'first-start',
          ok: !u.first.failure && (wanted === undefined || u.first.version === wanted),
          severity: 'fail',
          service: INFLUXDB,
          what: `first start of ${opts.to.image} on the data volume of ${opts.from.image}`,
          expected: `/health "pass"${wanted ? ` with version ${wanted}` : ''}`,
          measured:
            u.first.failure ??
            `pass, version ${u.first.version}, after ${(u.first.firstStartMs / 1000).toFixed(1)} s`,
        },
        ctx.annotate,
      );
    });

    it('keeps every bucket (the new version really runs on the old data)', (ctx) => {
      ready();
      assertFinding(compareBuckets(b.before, upgraded()), ctx.annotate);
    });

    it('keeps every point: exact counts per bucket, measurement, field and entity', (ctx) => {
      ready();
      assertFinding(compareCounts(b.before, upgraded()), ctx.annotate);
    });

    it('keeps every sampled value at its timestamp', (ctx) => {
      ready();
      assertFinding(compareSample(b.before, upgraded()), ctx.annotate);
    });

    it('answers the fixed Flux queries identically (count, last, windowed mean, group by tag)', (ctx) => {
      ready();
      assertFinding(compareFlux(b.before, upgraded()), ctx.annotate);
    });

    it('every token with a known plaintext still authenticates with the same scope', (ctx) => {
      ready();
      const checks = b.known.map((k) => ({
        label: k.label,
        ...(k.authId ? { authId: k.authId } : {}),
        before: b.scopesBefore.get(k.label) ?? { status: 0, buckets: [] },
        after: u.scopesAfter.get(k.label) ?? { status: 0, buckets: [] },
      }));
      assertFinding(compareTokenScopes(checks, b.before, upgraded()), ctx.annotate);
    });

    it("the harness's remembered plaintext tokens (operator, prod.token, test.token) still work", (ctx) => {
      ready();
      const bad = [...b.held.keys()].filter((label) => u.scopesAfter.get(label)?.status !== 200);
      assertFinding(
        {
          id: 'held-tokens',
          ok: bad.length === 0 && b.held.size > 0,
          severity: 'fail',
          service: INFLUXDB,
          what: `plaintext tokens the harness remembers (${b.held.size}) on ${opts.to.image}`,
          expected: 'each accepted (HTTP 200)',
          measured: bad.length
            ? `${bad.length} refused: ${bad.map((l) => `${l} -> ${u.scopesAfter.get(l)?.status}`).join(', ')}`
            : `all ${b.held.size} accepted`,
        },
        ctx.annotate,
      );
    });

    it('the test token still cannot touch the production bucket', async (ctx) => {
      ready();
      const token = stack().tokens.influxTest as string;
      const url = stack().url(INFLUXDB);
      const prod = await probeWritePermission({ url, token, ...deployment.production });
      const own = await probeWritePermission({ url, token, ...deployment.test });
      assertFinding(
        {
          id: 'test-token-scope',
          ok: !prod.allowed && own.allowed,
          severity: 'fail',
          service: INFLUXDB,
          what: `write permission of the test token on ${opts.to.image}: ${deployment.production.bucket} / ${deployment.test.bucket}`,
          expected: 'denied (401/403/404) / allowed (204/400 on an empty write)',
          measured: `HTTP ${prod.status} / HTTP ${own.status}`,
        },
        ctx.annotate,
      );
    });

    it(`reports whether ${toName} hashes tokens, from the API and its migration log`, (ctx) => {
      ready();
      const v = hashingVerdict(b.before, upgraded(), u.first.logs);
      assertFinding(v, ctx.annotate);
      recordMeasurement('upgrade-tokens', {
        hashed: v.hashed.length,
        authorizations: b.before.authorizations.length,
        safePath: `${HASHING_OFF.env}=${HASHING_OFF.value}`,
      });
    });

    it('keeps the SQLite metadata of the stack', (ctx) => {
      ready();
      assertFinding(compareSqlite(b.sqlite, u.sqlite), ctx.annotate);
    });
  });

  describe(`mission checks on the upgraded stack (${toName})`, () => {
    let separation: DriveResult;
    let throughput: DriveResult;
    const spec = {
      kind: 'burst' as const,
      baseRate: cfg.load.baselinePerSec,
      burstRate: cfg.load.burstPerSec,
      burstS: cfg.load.burstSeconds,
      periodS: cfg.load.burstSeconds * 2,
      durationS: cfg.load.burstSeconds * 4,
    };
    beforeAll(async () => {
      if (failed.boot !== undefined) return;
      try {
        await ingestionReady(stack());
        separation = await driveScenario(stack(), { kind: 'steady', rate: 50, durationS: 10 });
        throughput = await driveScenario(stack(), spec);
      } catch (err) {
        failed.mission = err;
      }
    });

    it('bucket separation: every fired event in the test bucket exactly once, none in production', (ctx) => {
      ready('mission');
      withFailureContext(ctx, stack(), [ingestion(), INFLUXDB]);
      const m = custodyFigures(separation);
      const run = separation;
      check(m.fired > 0 && m.missing === 0 && m.duplicated === 0 && m.misplaced === 0, {
        service: ingestion(),
        what: `events fired after the upgrade to ${opts.to.image}, in ${deployment.test.bucket} / ${deployment.production.bucket}`,
        expected: `each of ${m.fired} exactly once / none`,
        measured: `${m.missing} missing, ${m.duplicated} duplicated / ${m.misplaced} misplaced`,
        detail: `${describeCustody(run.custody, ingestion())}\n${describeCustodyDetail(run.custody)}`,
      });
    });

    it(`throughput: bursts of ${cfg.load.burstPerSec} ev/s without loss, queryable within batch timeout + 2 s (p99)`, (ctx) => {
      ready('mission');
      withFailureContext(ctx, stack(), [ingestion(), INFLUXDB]);
      const m = custodyFigures(throughput);
      const run = throughput;
      const l = latencyStats(throughput.latenciesMs);
      const limit = cfg.load.batchTimeoutMs + 2_000;
      recordLatency(
        `after the upgrade to ${opts.to.image}: intended fire time -> queryable`,
        throughput.latenciesMs,
        {
          percentile: 'p99',
          maxMs: limit,
        },
      );
      const rateOk = Math.abs(throughput.report.rate_error ?? Number.NaN) <= 0.05;
      check(
        rateOk &&
          m.missing === 0 &&
          m.duplicated === 0 &&
          l.count > 0 &&
          l.p99 <= limit &&
          throughput.unseen === 0,
        {
          service: ingestion(),
          what: `burst scenario ${JSON.stringify(spec)} on ${opts.to.image}`,
          expected: `rate within 5%, 0 missing, 0 duplicated, p99 <= ${limit} ms`,
          measured: `${throughput.report.achieved_rate?.toFixed(1)} ev/s of ${throughput.report.intended_rate?.toFixed(1)}, ${m.missing} missing of ${m.fired}, ${m.duplicated} duplicated, ${formatLatency(l)}, ${throughput.unseen} unseen`,
          detail: `${describeCustody(run.custody, ingestion())}\n${describeCustodyDetail(run.custody)}`,
        },
      );
    });
  });

  describe(`rollback probe: ${toName} -> ${fromName} on the same volume (reported, never fails the run)`, () => {
    let r: RollbackResult;
    beforeAll(async () => {
      if (failed.boot !== undefined) return;
      try {
        r = await rollback(b, opts);
      } catch (err) {
        failed.rollback = err;
        return;
      }
      recordMeasurement('upgrade-rollback', {
        started: !r.first.failure,
        firstStartMs: Math.round(r.first.firstStartMs),
        warnings: r.hashedTokenWarnings,
        readableTokens: r.after?.authorizations.filter((a) => a.readable).length,
      });
    });

    it(`${toName} stops cleanly on docker stop`, (ctx) => {
      ready('rollback');
      assertFinding(stopFinding(r.stop, `stopping ${toName} for the rollback`), ctx.annotate);
    });

    it(`reports what a rollback to ${fromName} keeps: data, tokens, and its warnings about hashed tokens`, (ctx) => {
      ready('rollback');
      const findings: Finding[] = [];
      if (!r.after) {
        findings.push({
          id: 'rollback-start',
          ok: false,
          severity: 'warn',
          service: INFLUXDB,
          what: `rollback: ${opts.from.image} on the volume ${opts.to.image} wrote`,
          expected: 'starts and passes /health',
          measured: r.afterError ?? '(no capture)',
          action: `keep a backup made BEFORE the upgrade (influx backup): a rollback cannot start on the upgraded volume`,
        });
      } else {
        for (const f of [compareBuckets(b.before, r.after, 'warn'), compareCounts(b.before, r.after, 'warn')])
          findings.push({ ...f, id: `rollback-${f.id}`, what: `rollback to ${opts.from.image}: ${f.what}` });
        const refused = b.known.filter((k) => r.scopesAfter.get(k.label)?.status !== 200);
        const unreadable = r.after.authorizations.filter((a) => !a.readable);
        findings.push({
          id: 'rollback-tokens',
          ok: refused.length === 0 && unreadable.length === 0,
          severity: 'info',
          service: INFLUXDB,
          what: `rollback to ${opts.from.image}: tokens`,
          expected: 'every known token accepted and readable as before the upgrade',
          measured: `${b.known.length - refused.length} of ${b.known.length} known tokens accepted${refused.length ? ` (refused: ${refused.map((k) => k.label).join(', ')})` : ''}; ${unreadable.length} of ${r.after.authorizations.length} can no longer be read from the API${unreadable.length ? `: ${listed(unreadable, (a) => `${a.id} "${a.description}"`)}` : ''}; ${r.hashedTokenWarnings.length} warning(s) about hashed tokens in its log${r.hashedTokenWarnings.length ? `: ${JSON.stringify(r.hashedTokenWarnings[0]?.slice(0, 200))}` : ''}`,
          action: unreadable.length
            ? `expected after hashing: a rollback keeps the hashes (the tokens still authenticate) but never the plaintexts; store plaintexts before upgrading`
            : 'none',
        });
      }
      for (const f of findings) assertFinding(f, ctx.annotate);
    });
  });
});
