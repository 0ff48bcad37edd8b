import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const cli = (args: string[]) =>
  spawnSync(process.execPath, ['harness/upgrade/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('npm run test:upgrade: bad input', () => {
  it.each([
    [
      ['--to', '2.7.12'],
      /^test:upgrade: --to="2\.7\.12" is not a pinned InfluxDB version: expected a pinned version \(2\.8\.0, 2\.9\.1\)/,
    ],
    [
      ['--from', 'Not An Image!'],
      /^test:upgrade: --from="Not An Image!" is neither a version nor an image reference/,
    ],
    [
      ['--from-backup', '/nonexistent/backup'],
      /^test:upgrade: --from-backup="\/nonexistent\/backup" is not an InfluxDB backup: no such directory/,
    ],
    [
      ['--bogus'],
      /^test:upgrade: "--bogus" is not an option of test:upgrade: expected one of --from, --to, --from-volume, --from-backup, --help/,
    ],
  ])('%j -> exit 2 with one line naming the option', (args, line) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(line);
  });

  it('--help prints the usage and exits 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run test:upgrade -- \[--from <version\|image>\]/);
  });
});
