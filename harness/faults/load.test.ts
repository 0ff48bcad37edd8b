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
      'fixtures/faults/faults.json: [0].runner = "docker" is invalid: expected one of suites, upgrade, capacity',
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

const ok = (name: string) => ({ [`${name}.env`]: `${name.toUpperCase().replaceAll('-', '_')}=1\n` });

describe('loadFaults refuses what could only fail after a full boot (one line each)', () => {
  it('refuses a file of fixtures/faults that is not a fault file by the one name rule', () => {
    const root = repo({ ...ok('a'), 'new--fault.compose.yml': 'services:\n  influxdb: {}\n', notes: '' }, [
      entry('a'),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/new--fault.compose.yml: not a fault file: expected <name>.env, <name>.compose.yml or <name>.Dockerfile with <name> of lowercase letters and digits in words joined by single "-" (or README.md, faults.json)',
      'fixtures/faults/notes: not a fault file: expected <name>.env, <name>.compose.yml or <name>.Dockerfile with <name> of lowercase letters and digits in words joined by single "-" (or README.md, faults.json)',
    ]);
  });

  it('refuses an expected service the reference compose file does not define', () => {
    const root = repo(ok('a'), [
      entry('a', { expect: [{ suite: T, test: 'loses no event', service: 'websocket-ingestion' }] }),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [0].expect[0].service = "websocket-ingestion" is invalid: expected a service of docker-compose.test.yml (influxdb, websocket-ingestion-test, data-api)',
    ]);
  });

  it('refuses a blank test substring, ".." in suite paths and suites of the other runner', () => {
    const root = repo({ ...ok('a'), ...ok('b'), ...ok('c'), 'u.Dockerfile': 'FROM x\n' }, [
      entry('a', { expect: [{ suite: T, test: ' x  ', service: 'influxdb' }] }),
      entry('b', { suites: ['suites/mission/../mission/throughput.test.ts'], expect: [] }),
      entry('c', { suites: [U], expect: [{ suite: U, test: 'keeps every bucket', service: 'influxdb' }] }),
      entry('u', { runner: 'upgrade' }),
    ]);
    expect(problems(root)).toEqual([
      `fixtures/faults/faults.json: [0].expect[0].test = " x  " is invalid: expected a substring of the failing test's name with at least 3 non-space characters`,
      'fixtures/faults/faults.json: [1].suites[0] = "suites/mission/../mission/throughput.test.ts" is invalid: expected a suite file such as suites/mission/throughput.test.ts (no "..", "." or empty path segment)',
      'fixtures/faults/faults.json: [1].expect = [] is invalid: expected a list of {suite, test, service[, refusal]} (at least one)',
      `fixtures/faults/faults.json: [2].suites[0] = "${U}" is invalid: expected a suite file outside suites/upgrade/ (runner "suites"; the upgrade suite runs with runner "upgrade")`,
      `fixtures/faults/faults.json: [3].suites[0] = "${T}" is invalid: expected a suite file under suites/upgrade/ (runner "upgrade" runs npm run test:upgrade)`,
    ]);
  });

  it('refuses a compose override that is not a mapping, plants nothing or is not YAML (file, line, column)', () => {
    const root = repo(
      { 'a.compose.yml': '- x\n', 'b.compose.yml': 'x: 1\n', 'c.compose.yml': 'services:\n  influxdb: [\n' },
      [entry('a'), entry('b'), entry('c')],
    );
    expect(problems(root)).toEqual([
      'fixtures/faults/a.compose.yml: ["x"] is not a YAML mapping: expected a compose override with a "services:" mapping',
      'fixtures/faults/b.compose.yml: services is missing: the override plants nothing: expected a "services:" mapping with at least one service to override',
      expect.stringMatching(
        /^fixtures\/faults\/c\.compose\.yml: cannot be read as YAML \(line 3, column 1\): [^\n]+[^:]$/,
      ),
    ]);
  });

  it('names an unknown field by its path with the allowed ones, says "missing", and never breaks the line', () => {
    const { breaks: _, ...noBreaks } = entry('b');
    const root = repo({ ...ok('a'), ...ok('b'), ...ok('c') }, [
      entry('a', { foo: 1 }),
      noBreaks,
      entry('c', { kind: 'two\nlines\uFEFF', expect: { suite: T } }),
    ]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [0].foo = 1 is invalid: not a field of a fault entry (allowed: name, breaks, kind, runner, scenario, suites, expect, boot)',
      'fixtures/faults/faults.json: [1].breaks is missing: expected what the fault breaks (text on one line)',
      'fixtures/faults/faults.json: [2].kind = "two\\nlines\\ufeff" is invalid: expected the kind of fault it samples on one line, without control, line-separator or bidi characters',
      'fixtures/faults/faults.json: [2].expect = {"suite":"suites/mission/throughput.test.ts"} is invalid: expected a list of {suite, test, service[, refusal]} (at least one)',
    ]);
    // Free text reaches the generated README table and the reports: bidi and separators refused too.
    expect(problems(repo(ok('a'), [entry('a', { breaks: `a\u202eb\u2028c${'z'.repeat(300)}` })]))).toEqual([
      expect.stringMatching(
        /^fixtures\/faults\/faults\.json: \[0\]\.breaks = "a\\u202eb\\u2028czz+\.\.\. \(307 chars\) is invalid: expected what the fault breaks \(one line of at most 300 characters\)$/,
      ),
      expect.stringMatching(
        /is invalid: expected what the fault breaks on one line, without control, line-separator or bidi characters$/,
      ),
    ]);
    expect(problems(repo(ok('a'), '\uFEFF[]'))).toEqual([
      'fixtures/faults/faults.json: starts with a byte order mark (BOM): expected UTF-8 JSON without a BOM',
    ]);
    expect(problems(repo(ok('a'), '[{"name":"a","name":"b"}]'))).toEqual([
      'fixtures/faults/faults.json: [0]: key "name" appears twice (line 1 col 3, line 1 col 14): expected each key once (JSON keeps only the last)',
    ]);
    // A deep array before the repeated key overflowed the duplicate scan, which then saw nothing;
    // deeper still, the messages' JSON.stringify threw a RangeError with a stack trace.
    for (const depth of [5_000, 20_000]) {
      const deep = `[{"name":"a","suites":${'['.repeat(depth)}${']'.repeat(depth)},"name":"a"}]`;
      expect(problems(repo(ok('a'), deep))).toEqual([
        'fixtures/faults/faults.json: nested deeper than 32 levels: expected a list of fault entries (about 3 levels)',
      ]);
    }
    const text = JSON.stringify([entry('a')]);
    expect(problems(repo(ok('a'), text.replace('"name":"a"', '"name":"b","\\u006eame":"a"')))).toEqual([
      expect.stringContaining('[0]: key "name" appears twice'),
    ]);
    const bytesRoot = repo(ok('a'), '');
    writeFileSync(
      join(faultsDir(bytesRoot), 'faults.json'),
      Buffer.concat([Buffer.from('[{"na'), Buffer.from([0xff]), Buffer.from('me":1}]')]),
    );
    expect(problems(bytesRoot)).toEqual([
      'fixtures/faults/faults.json: is not UTF-8 (first invalid byte at offset 5): expected UTF-8 JSON',
    ]);
    expect(problems(repo(ok('a'), '[{"\\u001b[2J\\u202e":1}]'))).toContainEqual(
      expect.stringContaining('[0]["\\u001b[2J\\u202e"] = 1 is invalid: not a field of a fault entry'),
    );
    expect(problems(repo(ok('a'), '{'))).toEqual([
      expect.stringMatching(/^fixtures\/faults\/faults\.json: cannot be read as JSON: .*line 1 column 2/),
    ]);
  });

  it('reports a duplicate name once (not also as two faults of a group breaking one service), and a group named like a fault', () => {
    const root = repo(ok('a'), [entry('a', { boot: 'g' }), entry('a', { boot: 'a' })]);
    expect(problems(root)).toEqual([
      'fixtures/faults/faults.json: [1].name = "a" is invalid: expected a name no other entry has',
      'fixtures/faults/faults.json: boot "a" is invalid: expected a group name no fault has (reports/faults/<fault or group>/ would collide)',
    ]);
  });
});
