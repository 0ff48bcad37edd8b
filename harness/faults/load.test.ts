import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootsOf, FaultsDataError, faultFilesIn, faultsDir, loadFaults } from './load.ts';

const T = 'suites/mission/throughput.test.ts';
const B = 'suites/mission/bucket-separation.smoke.test.ts';
const U = 'suites/upgrade/influxdb-upgrade.test.ts';

const entry = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  breaks: `${name} breaks something`,
  kind: 'a kind',
  runner: 'suites',
  scenario: 'short',
  suites: [T],
  expect: [{ suite: T, test: 'loses no event', service: 'websocket-ingestion-test' }],
  ...over,
});

/** A repository with fault files and matrix data. */
function repo(files: Record<string, string>, data: unknown): string {
  const root = mkdtempSync(join(tmpdir(), 'faults-'));
  mkdirSync(join(root, 'fixtures', 'faults'), { recursive: true });
  mkdirSync(join(root, 'suites', 'mission'), { recursive: true });
  mkdirSync(join(root, 'suites', 'upgrade'), { recursive: true });
  for (const s of [T, B, U]) writeFileSync(join(root, s), '');
  writeFileSync(
    join(root, 'docker-compose.test.yml'),
    'services:\n  influxdb: {}\n  websocket-ingestion-test: {}\n  data-api: {}\n',
  );
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(root, 'fixtures', 'faults', name), text);
  writeFileSync(
    join(root, 'fixtures', 'faults', 'faults.json'),
    typeof data === 'string' ? data : JSON.stringify(data),
  );
  return root;
}

const problems = (root: string): string[] => {
  try {
    loadFaults(join(faultsDir(root), 'faults.json'), root);
    return [];
  } catch (err) {
    if (err instanceof FaultsDataError) return err.lines;
    throw err;
  }
};

describe('the matrix data of this repository (fixtures/faults/faults.json)', () => {
  it('has exactly one entry per fault file of fixtures/faults, and every entry is valid', () => {
    const { faults } = loadFaults();
    const onDisk = [...faultFilesIn(faultsDir()).keys()].sort();
    expect(faults.map((f) => f.name).sort()).toEqual(onDisk);
  });
});

describe('loadFaults', () => {
  it('fails on a fault file without an entry, naming the file and what to add', () => {
    const root = repo({ 'a.compose.yml': 'services:\n  influxdb: {}\n', 'new-fault.env': 'X=1\n' }, [
      entry('a'),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/new-fault.env: a fault file without an entry in fixtures/faults/faults.json: expected an entry {"name": "new-fault", ...} (every planted fault is in the matrix)',
    ]);
  });

  it('fails on an entry without a file, and on a name used twice', () => {
    const root = repo({ 'a.compose.yml': 'services:\n  influxdb: {}\n' }, [
      entry('a'),
      entry('a'),
      entry('ghost'),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [1].name = "a" is invalid: expected a name no other entry has',
      'fixtures/faults/faults.json: [2].name = "ghost" has no fault file: expected fixtures/faults/ghost.compose.yml, .env or .Dockerfile',
    ]);
  });

  it('gives one line per schema problem: the JSON path, the value and what is allowed', () => {
    const root = repo({ 'a.env': 'X=1\n' }, [
      entry('a', { runner: 'docker', expect: [{ suite: B, test: 'x check', service: 'Influx DB' }] }),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [0].runner = "docker" is invalid: expected one of suites, upgrade',
      'fixtures/faults/faults.json: [0].expect[0].service = "Influx DB" is invalid: expected a compose service name, e.g. websocket-ingestion-test',
    ]);
    const other = repo({ 'a.env': 'X=1\n' }, [
      entry('a', { expect: [{ suite: B, test: 'x check', service: 'influxdb' }] }),
    ]);
    expect(problems(other)).toEqual([
      `fixtures/faults/faults.json: [0].expect[0].suite = "${B}" is invalid: expected one of the entry's suites (${T})`,
    ]);
  });

  it('fails on a suite file that does not exist', () => {
    const root = repo({ 'a.env': 'X=1\n' }, [entry('a', { suites: [T, 'suites/mission/gone.test.ts'] })]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [0].suites[1] = "suites/mission/gone.test.ts" does not exist: expected a suite file of this repository',
    ]);
  });

  it('lets faults share a boot only when they break different services and set different variables', () => {
    const root = repo(
      {
        'a.compose.yml': 'services:\n  websocket-ingestion-test:\n    environment: {A: "1"}\n',
        'b.env': 'INFLUXDB_MEM_LIMIT=0\n',
        'c.env': 'INFLUXDB_MEM_LIMIT=5G\n',
      },
      [
        entry('a', { boot: 'g' }),
        entry('b', { boot: 'g', suites: [B], expect: [{ suite: B, test: 'x check', service: 'influxdb' }] }),
        entry('c', {
          boot: 'g',
          suites: [B],
          expect: [{ suite: B, test: 'y check', service: 'websocket-ingestion-test' }],
        }),
      ],
    );
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: boot "g": a and c both break websocket-ingestion-test: expected faults sharing a boot to break different services (their failures are told apart by service)',
      'fixtures/faults/faults.json: boot "g": b and c both set INFLUXDB_MEM_LIMIT: expected faults sharing a boot to set different variables',
    ]);
  });

  it('lets a fault that sets a token boot only alone (tokens reach every service)', () => {
    const root = repo({ 'a.env': 'A=1\n', 't.env': 'INFLUXDB_TEST_TOKEN=x\n' }, [
      entry('a', { boot: 'g' }),
      entry('t', { boot: 'g', suites: [B], expect: [{ suite: B, test: 'x check', service: 'influxdb' }] }),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: boot "g": t sets INFLUXDB_TEST_TOKEN: expected a fault that sets a token to boot alone (tokens reach every service)',
    ]);
  });

  it('groups faults that share a boot, in data order; --alone gives each its own', () => {
    const root = repo({ 'a.env': 'A=1\n', 'b.env': 'B=1\n', 'c.env': 'C=1\n' }, [
      entry('a', { boot: 'g' }),
      entry('b'),
      entry('c', { boot: 'g', suites: [B], expect: [{ suite: B, test: 'x check', service: 'data-api' }] }),
    ]);
    const { faults } = loadFaults(join(faultsDir(root), 'faults.json'), root);
    expect(bootsOf(faults).map((b) => b.map((f) => f.name))).toEqual([['a', 'c'], ['b']]);
    expect(bootsOf(faults, true).map((b) => b.map((f) => f.name))).toEqual([['a'], ['b'], ['c']]);
  });
});
