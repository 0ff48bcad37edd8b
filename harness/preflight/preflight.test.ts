import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../provision/paths.ts';

describe('preflight of the test command', () => {
  it('fails within 30 s with one line saying the engine is unreachable and how to fix it', () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(repoRoot, 'harness/preflight/preflight.ts')], {
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/homeiq-no-engine.sock' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const seconds = (performance.now() - t0) / 1000;
    const lines = r.stderr.trim().split('\n');
    expect(r.status, `preflight exit status (stderr: ${r.stderr})`).toBe(1);
    expect(seconds, 'seconds until the preflight gave up').toBeLessThan(30);
    expect(lines, 'preflight prints exactly one line').toHaveLength(1);
    expect(lines[0]).toMatch(
      /^preflight: Docker engine unreachable at unix:\/\/\/nonexistent\/homeiq-no-engine\.sock .*npm run setup/,
    );
    expect(r.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  });
});
