import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkPragmas, checkSeparation, describeFindings, inspectFile } from './sqlite.ts';

describe('sqlite verification', () => {
  it('accepts the contract pragmas in names or numbers', () => {
    const f = checkPragmas(
      {
        journal_mode: 'WAL',
        synchronous: 'NORMAL',
        cache_size: -32000,
        temp_store: 'MEMORY',
        foreign_keys: true,
        busy_timeout: 30000,
      },
      'data-api',
    );
    expect(describeFindings(f)).toBe('');
  });

  it('names the pragma, the expected and the measured value', () => {
    const f = checkPragmas(
      { journal_mode: 'delete', synchronous: 2, cache_size: -32000, temp_store: 2, foreign_keys: 1 },
      'data-api',
    );
    expect(describeFindings(f)).toBe(
      [
        'data-api: PRAGMA journal_mode: expected wal, measured delete',
        'data-api: PRAGMA synchronous: expected 1, measured 2',
        'data-api: PRAGMA busy_timeout: expected 30000, measured (not reported)',
      ].join('\n'),
    );
  });

  it('checks path separation', () => {
    expect(describeFindings(checkSeparation(['test/metadata.db', 'test/metadata.db-wal'], 'data-api'))).toBe(
      '',
    );
    expect(describeFindings(checkSeparation(['metadata.db'], 'data-api'))).toBe(
      [
        'data-api: test/metadata.db exists: expected present, measured absent (files: metadata.db)',
        'data-api: metadata.db (production) exists: expected absent, measured present',
      ].join('\n'),
    );
  });

  it('reads journal mode and row counts from a file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sq-')), 'metadata.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE devices (id TEXT); INSERT INTO devices VALUES ('a'), ('b');");
    db.close();
    expect(inspectFile(path)).toEqual({ journalMode: 'wal', tables: { devices: 2 } });
  });
});
