/**
 * SQLite verification: which database files exist (path separation), the persisted journal
 * mode (WAL), the per-connection pragmas a service reports, and the contents.
 */
import Database from 'better-sqlite3';

/** Contract section 4: the pragmas every metadata connection uses. */
export const expectedPragmas = {
  journal_mode: 'wal',
  synchronous: 1, // NORMAL
  cache_size: -32000,
  temp_store: 2, // MEMORY
  foreign_keys: 1,
  busy_timeout: 30000,
} as const;

export interface Finding {
  ok: boolean;
  what: string;
  expected: string;
  measured: string;
}

const finding = (
  what: string,
  expected: unknown,
  measured: unknown,
  ok = String(expected) === String(measured),
) => ({
  ok,
  what,
  expected: String(expected),
  measured: String(measured),
});

/** Separation: the test database exists, the production database does not. Paths relative to the data dir. */
export function checkSeparation(files: string[], service: string): Finding[] {
  const has = (p: string) => files.some((f) => f.replace(/^\.?\//, '') === p);
  return [
    finding(
      `${service}: test/metadata.db exists`,
      'present',
      has('test/metadata.db') ? 'present' : `absent (files: ${files.join(', ') || 'none'})`,
    ),
    finding(
      `${service}: metadata.db (production) exists`,
      'absent',
      has('metadata.db') ? 'present' : 'absent',
    ),
  ];
}

/**
 * Compare pragmas (as reported by the service's own connection, or read from a file) against the
 * contract. Names normalised: "NORMAL" -> 1, "MEMORY" -> 2, "ON"/true -> 1.
 */
export function checkPragmas(reported: Record<string, unknown>, service: string): Finding[] {
  const norm = (k: string, v: unknown): string => {
    const s = String(v).toLowerCase();
    if (k === 'synchronous')
      return ({ off: '0', normal: '1', full: '2', extra: '3' } as Record<string, string>)[s] ?? s;
    if (k === 'temp_store')
      return ({ default: '0', file: '1', memory: '2' } as Record<string, string>)[s] ?? s;
    if (k === 'foreign_keys')
      return ({ on: '1', true: '1', off: '0', false: '0' } as Record<string, string>)[s] ?? s;
    return s;
  };
  return Object.entries(expectedPragmas).map(([k, v]) =>
    finding(
      `${service}: PRAGMA ${k}`,
      v,
      reported[k] === undefined ? '(not reported)' : norm(k, reported[k]),
      norm(k, v) === norm(k, reported[k]),
    ),
  );
}

export interface FileReport {
  journalMode: string;
  tables: Record<string, number>;
}

/** Open a copy of a database read-only and report journal mode and row counts per table. */
export function inspectFile(path: string): FileReport {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const journalMode = String(db.pragma('journal_mode', { simple: true }));
    const names = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[];
    const tables: Record<string, number> = {};
    for (const { name } of names) {
      const row = db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as {
        n: number;
      };
      tables[name] = row.n;
    }
    return { journalMode, tables };
  } finally {
    db.close();
  }
}

export function describeFindings(findings: Finding[]): string {
  return findings
    .filter((f) => !f.ok)
    .map((f) => `${f.what}: expected ${f.expected}, measured ${f.measured}`)
    .join('\n');
}
