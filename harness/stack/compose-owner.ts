/**
 * Compose creates the containers, networks and volumes of a stack itself, so the harness gives
 * it one more compose file: an override that adds the run's owner labels
 * (harness/docker/identity.ts) to every service, network and volume of the resolved project
 * (external networks and volumes are not ours and are left out). Works for any user's compose
 * files: the list comes from `compose config`, not from our files.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ownerLabels } from '../docker/identity.ts';
import type { ComposeCli } from './compose-cli.ts';
import { StackError } from './types.ts';

interface ResolvedCompose {
  services?: Record<string, unknown>;
  networks?: Record<string, { external?: unknown }>;
  volumes?: Record<string, { external?: unknown }>;
}

/** The override document for a resolved project: labels on every service, network and volume. */
export function ownerOverride(resolved: ResolvedCompose, labels: Record<string, string>): object {
  const ours = (m: Record<string, { external?: unknown }> | undefined) =>
    Object.fromEntries(
      Object.entries(m ?? {})
        .filter(([, v]) => !v?.external)
        .map(([k]) => [k, { labels }]),
    );
  const networks = ours(resolved.networks);
  // Compose creates `default` unless every service names its networks; labelling it is harmless.
  networks.default ??= { labels };
  return {
    services: Object.fromEntries(Object.keys(resolved.services ?? {}).map((s) => [s, { labels }])),
    networks,
    volumes: ours(resolved.volumes),
  };
}

/**
 * Resolve the project with `compose config` and write its owner override to a temporary file.
 * Returns the file's path (add it last to the compose files) and a function that removes it.
 */
export async function writeOwnerOverride(
  cli: ComposeCli,
  plan: { project: string; files: string[]; profiles: string[]; environment: Record<string, string> },
  cwd: string,
): Promise<{ file: string; remove: () => void }> {
  const [cmd, ...pre] = cli.argv as [string, ...string[]];
  const args = [
    ...pre,
    '-p',
    plan.project,
    ...plan.files.flatMap((f) => ['-f', f]),
    ...plan.profiles.flatMap((p) => ['--profile', p]),
    'config',
    '--format',
    'json',
  ];
  let resolved: ResolvedCompose;
  try {
    const { stdout } = await promisify(execFile)(cmd, args, {
      cwd,
      env: { ...process.env, ...plan.environment },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 60_000,
    });
    resolved = JSON.parse(stdout) as ResolvedCompose;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new StackError(
      'STACK_BOOT_FAILED',
      `compose config of ${plan.files.join(', ')} failed: ${(e.stderr || e.message || String(err)).trim()}`,
    );
  }
  const dir = join(tmpdir(), 'homeiq-compose-owner');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${plan.project}.owner.yml`);
  // JSON is YAML: compose reads it as an ordinary override file.
  writeFileSync(file, JSON.stringify(ownerOverride(resolved, ownerLabels()), null, 2));
  return { file, remove: () => rmSync(file, { force: true }) };
}
