/**
 * The SQLite metadata of the stack (the `files` capability of the service that keeps it), read
 * from a copy: row counts per table of the test database, before and after the upgrade.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StartedStack } from '../stack/types.ts';
import { type FileReport, inspectFile } from '../verify/sqlite.ts';
import type { Finding } from './findings.ts';
import { type UpgradeTargets, upgradeTargets } from './targets.ts';

export interface SqliteCapture {
  service: string;
  file: string;
  report?: FileReport;
  error?: string;
}

/**
 * Copy the metadata store's files out of its container (`targets.sqlite`: the profile's roles.metadataStore,
 * harness/upgrade/targets.ts; default the active profile's) and inspect its test SQLite. Never throws:
 * a missing role, file or container is the capture's `error`.
 */
export async function captureSqlite(
  stack: StartedStack,
  targets: UpgradeTargets = upgradeTargets(),
): Promise<SqliteCapture> {
  const where = targets.sqlite;
  if (!where)
    return {
      service: '(no metadata store)',
      file: '(none)',
      error: 'the stack profile maps no metadata store (roles.metadataStore): no SQLite to compare',
    };
  const { service, dataDir: dataPath, file } = where;
  const dir = mkdtempSync(join(tmpdir(), 'homeiq-upgrade-sqlite-'));
  try {
    const files = await stack.readFiles(service, dataPath);
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.name)), { recursive: true });
      writeFileSync(join(dir, f.name), f.data);
    }
    if (!files.some((f) => f.name === file)) return { service, file, error: `no ${file} under ${dataPath}` };
    return { service, file, report: inspectFile(join(dir, file)) };
  } catch (err) {
    return { service, file, error: err instanceof Error ? err.message : String(err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every table still there with at least as many rows (the upgrade of InfluxDB must not touch it). */
export function compareSqlite(before: SqliteCapture, after: SqliteCapture): Finding {
  const b = before.report?.tables ?? {};
  const a = after.report?.tables ?? {};
  const lost = Object.entries(b).filter(([t, n]) => (a[t] ?? -1) < n);
  const total = (t: Record<string, number>) => Object.values(t).reduce((x, y) => x + y, 0);
  return {
    id: 'sqlite',
    ok: !before.error && !after.error && lost.length === 0 && total(b) > 0,
    severity: 'fail',
    service: before.service,
    what: `SQLite metadata ${before.file} across the InfluxDB upgrade`,
    expected: `every table with at least its rows of before (${total(b)} rows in ${Object.keys(b).length} tables)${before.error ? `; before: ${before.error}` : ''}`,
    measured: after.error
      ? after.error
      : lost.length === 0
        ? `${total(a)} rows in ${Object.keys(a).length} tables`
        : `${lost.length} tables lost rows: ${lost.map(([t, n]) => `${t} ${n} -> ${a[t] ?? '(gone)'}`).join(', ')}`,
  };
}
