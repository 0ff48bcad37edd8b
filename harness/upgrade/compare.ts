/**
 * Compare two captures (before and after an upgrade, or after a rollback) into findings: buckets,
 * exact counts, the value sample and the fixed Flux answers. Pure.
 */
import { type Capture, isSystemBucket, type SeriesCount, seriesKey } from './capture.ts';
import { type Finding, listed, type Severity } from './findings.ts';
import { upgradeTargets } from './targets.ts';

/** Findings name the profile's InfluxDB service (roles.influxdb.service). */
const service = (): string => upgradeTargets().influxdb;

export function compareBuckets(before: Capture, after: Capture, severity: Severity = 'fail'): Finding {
  const name = (b: { org: string; name: string }) => `${b.org}/${b.name}`;
  const had = before.buckets.filter((b) => !isSystemBucket(b.name)).map(name);
  const has = new Set(after.buckets.map(name));
  const lost = had.filter((b) => !has.has(b));
  const notOnboarded = after.setupAllowed
    ? ' (the server is not onboarded: it started on an empty data directory, not on the old volume)'
    : '';
  return {
    id: 'buckets',
    ok: lost.length === 0 && !after.setupAllowed,
    severity,
    service: service(),
    what: `buckets after the change to ${after.version || 'the new version'}`,
    expected: `all ${had.length} of before: ${had.join(', ')}`,
    measured:
      lost.length === 0 && !after.setupAllowed
        ? `all ${had.length} present`
        : `${lost.length} missing: ${lost.join(', ') || '(none listed)'}${notOnboarded}`,
    action:
      'do not upgrade: the new version does not see the old data; check its data path (INFLUXD_BOLT_PATH, INFLUXD_ENGINE_PATH) and volume mount',
  };
}

export function compareCounts(before: Capture, after: Capture, severity: Severity = 'fail'): Finding {
  const now = new Map(after.counts.map((s) => [seriesKey(s), s.count]));
  const then = new Map(before.counts.map((s) => [seriesKey(s), s.count]));
  const diffs: { key: string; before: number; after: number }[] = [];
  for (const s of before.counts) {
    const a = now.get(seriesKey(s)) ?? 0;
    if (a !== s.count) diffs.push({ key: seriesKey(s), before: s.count, after: a });
  }
  for (const s of after.counts)
    if (!then.has(seriesKey(s))) diffs.push({ key: seriesKey(s), before: 0, after: s.count });
  const total = (c: SeriesCount[]) => c.reduce((n, s) => n + s.count, 0);
  const lostPoints = diffs.reduce((n, d) => n + Math.max(0, d.before - d.after), 0);
  return {
    id: 'counts',
    ok: diffs.length === 0 && before.counts.length > 0,
    severity,
    service: service(),
    what: `exact point counts per bucket/measurement/field/entity (${before.counts.length} series)`,
    expected: `${total(before.counts)} field values in ${before.counts.length} series, as before`,
    measured:
      diffs.length === 0
        ? `${total(after.counts)} in ${after.counts.length} series, identical`
        : `${diffs.length} series differ, ${lostPoints} field values lost (total ${total(after.counts)} of ${total(before.counts)})`,
    action:
      'do not upgrade: points were lost or added by the version change; keep the backup and report it upstream',
    detail:
      diffs.length === 0 ? undefined : `  ${listed(diffs, (d) => `${d.key}: ${d.before} -> ${d.after}`)}`,
  };
}

export function compareSample(before: Capture, after: Capture, severity: Severity = 'fail'): Finding {
  const key = (s: Capture['sample'][number]) =>
    `${s.bucket}/${s.measurement}/${s.field}/${s.entity}@${s.time}`;
  const now = new Map(after.sample.map((s) => [key(s), s.value]));
  const wrong = before.sample.filter((s) => now.get(key(s)) !== s.value);
  return {
    id: 'sample',
    ok: wrong.length === 0 && before.sample.length > 0,
    severity,
    service: service(),
    what: `sampled values with their timestamps (${before.sample.length}, first and last of each bucket)`,
    expected: 'every sampled value unchanged at the same timestamp',
    measured:
      wrong.length === 0
        ? `${before.sample.length} identical`
        : `${wrong.length} of ${before.sample.length} missing or changed`,
    action: 'do not upgrade: stored values changed; keep the backup',
    detail:
      wrong.length === 0
        ? undefined
        : `  ${listed(wrong, (s) => `${key(s)}: ${JSON.stringify(s.value)} -> ${JSON.stringify(now.get(key(s)) ?? '(missing)')}`)}`,
  };
}

/** Every fixed Flux answer identical; else the differing rows of each query, precisely. */
export function compareFlux(before: Capture, after: Capture, severity: Severity = 'fail'): Finding {
  const byKey = new Map(after.flux.map((f) => [`${f.bucket}/${f.name}`, f]));
  const diffs: string[] = [];
  for (const b of before.flux) {
    const a = byKey.get(`${b.bucket}/${b.name}`);
    if (!a) {
      diffs.push(`${b.bucket} "${b.name}": not answered after`);
      continue;
    }
    if ((a.error ?? '') !== (b.error ?? '')) {
      diffs.push(
        `${b.bucket} "${b.name}": error before ${JSON.stringify(b.error ?? null)}, after ${JSON.stringify(a.error ?? null)}`,
      );
      continue;
    }
    const had = new Set(b.rows);
    const has = new Set(a.rows);
    const gone = b.rows.filter((r) => !has.has(r));
    const added = a.rows.filter((r) => !had.has(r));
    if (gone.length || added.length)
      diffs.push(
        `${b.bucket} "${b.name}": ${gone.length} row(s) only before, ${added.length} only after; before ${listed(gone, (r) => r, 3)}; after ${listed(added, (r) => r, 3)}`,
      );
  }
  const answered = before.flux.filter((f) => !f.error).length;
  return {
    id: 'flux',
    ok: diffs.length === 0 && before.flux.length > 0,
    severity,
    service: service(),
    what: `answers of ${before.flux.length} fixed Flux queries (count, last, mean over 1h windows, group by tag, time range) on ${new Set(before.flux.map((f) => f.bucket)).size} buckets`,
    expected: `identical to ${before.version} (${answered} answered, ${before.flux.length - answered} errors)`,
    measured: diffs.length === 0 ? 'identical' : `${diffs.length} differ`,
    action: 'review every dashboard and automation that runs the differing queries before upgrading',
    detail: diffs.length ? `  ${diffs.join('\n  ')}` : undefined,
  };
}
