/**
 * Compose creates the containers, networks and volumes of a stack itself, so the harness gives
 * it one more compose file: an override that adds the run's owner labels
 * (harness/docker/identity.ts) to every service, network and volume of the resolved project
 * (external networks and volumes are not ours and are left out). Works for any user's compose
 * files: the list comes from `compose config`, not from our files.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerLabels } from '../docker/identity.ts';
import { type ComposeCli, composeConfig } from './compose-cli.ts';

type Labels = Record<string, string> | string[] | undefined;
interface Resource {
  external?: unknown;
  labels?: Labels;
}
interface ResolvedCompose {
  services?: Record<string, Resource>;
  networks?: Record<string, Resource>;
  volumes?: Record<string, Resource>;
}

/** The labels a resource already has, as a map (compose allows a map or KEY=VALUE items). */
function labelMap(labels: Labels): Record<string, string> {
  if (!labels) return {};
  if (!Array.isArray(labels)) return labels;
  return Object.fromEntries(
    labels.map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
    }),
  );
}

/**
 * The labels to add to one resource: only keys it lacks (some compose versions concatenate
 * label lists of volumes and networks, and reject a key given twice).
 */
function missing(resource: Resource | undefined, labels: Record<string, string>): Record<string, string> {
  const has = labelMap(resource?.labels);
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !(k in has)));
}

/** The override document for a resolved project: labels on every service, network and volume. */
export function ownerOverride(resolved: ResolvedCompose, labels: Record<string, string>): object {
  const ours = (m: Record<string, Resource> | undefined) =>
    Object.fromEntries(
      Object.entries(m ?? {})
        .filter(([, v]) => !v?.external)
        .map(([k, v]) => [k, { labels: missing(v, labels) }]),
    );
  const networks = ours(resolved.networks);
  // Compose creates `default` unless every service names its networks; labelling it is harmless.
  networks.default ??= { labels };
  return { services: ours(resolved.services), networks, volumes: ours(resolved.volumes) };
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
  const resolved = await composeConfig<ResolvedCompose>(cli, plan, cwd);
  const dir = join(tmpdir(), 'homeiq-compose-owner');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${plan.project}.owner.yml`);
  // JSON is YAML: compose reads it as an ordinary override file.
  writeFileSync(file, JSON.stringify(ownerOverride(resolved, ownerLabels()), null, 2));
  return { file, remove: () => rmSync(file, { force: true }) };
}
