/**
 * The loader reads compose files as `docker compose` does: for every compose project in the
 * repository, each service's profiles, image, limits, healthcheck state and environment must equal
 * what `docker compose config --format json` (the real thing) makes of the same files.
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HealthcheckState, loadCompose, projectVars } from './load.ts';

const projects: string[][] = [
  ['docker-compose.test.yml'],
  ['docker-compose.test.yml', 'fixtures/faults/collector-enabled.compose.yml'],
  ['fixtures/compose-lint/flawed.compose.yml'],
  ['fixtures/compose-lint/multi-document/docker-compose.yml'],
  ['fixtures/compose-lint/homes/home-a/docker-compose.yml'],
  [
    'fixtures/compose-lint/homes/home-b/docker-compose.yml',
    'fixtures/compose-lint/homes/home-b/docker-compose.prod.yml',
  ],
];

/** A clean environment: only what the CLI needs to run, no variable that interpolation could read. */
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };

interface ComposeJsonService {
  image?: string;
  profiles?: string[] | null;
  mem_limit?: string | null;
  cpus?: number | null;
  deploy?: { resources?: { limits?: { memory?: string; cpus?: number } } } | null;
  healthcheck?: { test?: string[]; disable?: boolean } | null;
  environment?: Record<string, string | null> | null;
}

function composeConfig(files: string[]): Record<string, ComposeJsonService> {
  let out: string;
  try {
    out = execFileSync(
      'docker',
      ['compose', ...files.flatMap((f) => ['-f', f]), '--profile', '*', 'config', '--format', 'json'],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (err) {
    throw new Error(
      `docker compose config failed for ${files.join(' + ')} (docker compose v2 is needed for this check: run npm run setup): ${String((err as { stderr?: string }).stderr ?? err).trim()}`,
    );
  }
  return (JSON.parse(out) as { services: Record<string, ComposeJsonService> }).services;
}

const state = (h: ComposeJsonService['healthcheck']): HealthcheckState =>
  !h ? 'none' : h.disable || h.test?.[0] === 'NONE' ? 'disabled' : h.test ? 'declared' : 'none';

describe('lint:compose reads compose files as docker compose does', () => {
  for (const files of projects) {
    it(files.join(' + '), () => {
      const real = composeConfig(files);
      const vars = projectVars(resolve(files[0] ?? ''), env);
      const model = loadCompose(files, { vars });
      expect(model.findings).toEqual([]);
      expect(model.services.map((s) => s.name).sort()).toEqual(Object.keys(real).sort());
      for (const s of model.services) {
        const r = real[s.name] ?? {};
        const realEnv = Object.entries(r.environment ?? {}).filter(([, v]) => v !== null);
        expect(
          {
            profiles: s.profiles,
            image: r.image === undefined ? undefined : s.image,
            memory: s.memory?.bytes,
            cpus: s.cpus?.value,
            healthcheck: s.healthcheck,
            environment: Object.fromEntries([...s.environment].sort()),
          },
          `${s.name} in ${files.join(' + ')} (${dirname(files[0] ?? '')})`,
        ).toEqual({
          profiles: r.profiles ?? [],
          image: r.image,
          memory: Number(r.deploy?.resources?.limits?.memory ?? r.mem_limit ?? Number.NaN) || undefined,
          cpus: r.deploy?.resources?.limits?.cpus ?? r.cpus ?? undefined,
          healthcheck: state(r.healthcheck),
          environment: Object.fromEntries(realEnv.sort()),
        });
      }
    });
  }
});
