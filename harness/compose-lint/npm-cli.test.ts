/**
 * `npm run lint:compose -- --env-file F …` as users type it. Node reads `--env-file` for itself
 * even after the script name (exit 9, "node: F: not found", before any of our code runs), so the
 * npm script passes `--` first and the CLI drops it; these run the real npm script.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const lint = (...args: string[]) =>
  spawnSync('npm', ['run', '--silent', 'lint:compose', '--', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run lint:compose -- --env-file', () => {
  it('an existing env file is read by the linter, not by Node', () => {
    const r = lint('--env-file', 'fixtures/env/env.test', 'docker-compose.test.yml');
    expect(r.stderr).not.toMatch(/^node:/m);
    expect(r.stdout).toContain('docker-compose.test.yml (19 services)');
    expect(r.status).toBe(0);
  });

  it('a missing env file is our usage error (exit 2 naming the file), not Node exit 9', () => {
    const r = lint('--env-file=/nonexistent/env', 'docker-compose.test.yml');
    expect(r.stderr).not.toMatch(/^node:/m);
    expect(r.stderr).toContain('/nonexistent/env');
    expect(r.status).toBe(2);
  });
});
