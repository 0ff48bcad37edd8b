/**
 * Every command-line entry point answers --help with its usage (stdout, exit 0) and refuses an
 * unknown flag with one line (stderr, exit 2), never a stack trace. Entry points are found, not
 * listed: every non-test module under harness/ and fixtures/ that reads process.argv or parses
 * flags, so a new one is covered without touching this file.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function entryPoints(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const text = readFileSync(p, 'utf8');
        if (
          /process\.argv|parseCli\(|parseArgs\(|import\.meta\.main/.test(text) &&
          !/export function parseCli/.test(text)
        )
          out.push(relative(ROOT, p));
      }
    }
  };
  walk(join(ROOT, 'harness'));
  walk(join(ROOT, 'fixtures'));
  return out.sort();
}

function run(file: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOMEIQ_REAPER: 'off' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const files = entryPoints();

describe('command-line entry points', () => {
  it('are found (the walk sees the known ones)', () => {
    expect(files).toContain('harness/preflight/preflight.ts');
    expect(files).toContain('fixtures/reference-stack/run-local.ts');
  });

  it.each(files)('%s answers --help with its usage', async (file) => {
    const r = await run(file, ['--help']);
    expect(r.code, `${file} --help exit code (stderr: ${r.stderr.slice(0, 300)})`).toBe(0);
    expect(r.stdout, `${file} --help prints its usage`).toMatch(/^usage: /);
    expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  });

  it.each(files)('%s refuses an unknown flag with one line, exit 2', async (file) => {
    const r = await run(file, ['--no-such-flag-homeiq']);
    expect(r.code, `${file} --no-such-flag-homeiq exit code (stderr: ${r.stderr.slice(0, 300)})`).toBe(2);
    expect(r.stderr.trim().split('\n'), `${file}: one line`).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-flag-homeiq/);
  });
});
