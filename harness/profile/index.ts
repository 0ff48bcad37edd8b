/**
 * The active stack profile: the file HOMEIQ_PROFILE names (absolute, or relative to the
 * repository root), default the reference stack's fixtures/reference-stack/stack.profile.json.
 * Validated once per file and process (harness/profile/load.ts); a bad file throws ProfileError
 * with one line per bad entry.
 */
import { resolve } from 'node:path';
import { loadProfile } from './load.ts';
import type { StackProfile } from './types.ts';

export { checkAgainstCompose, loadProfile, mappedServices, ProfileError } from './load.ts';
export type * from './types.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The reference stack's profile file (the default of HOMEIQ_PROFILE). */
export const referenceProfilePath = resolve(repoRoot, 'fixtures/reference-stack/stack.profile.json');

const cache = new Map<string, StackProfile>();

/** Absolute path of the profile file `env` selects (HOMEIQ_PROFILE, else the reference stack's). */
export function profilePath(env: Record<string, string | undefined> = process.env): string {
  const named = env.HOMEIQ_PROFILE?.trim();
  return named ? resolve(repoRoot, named) : referenceProfilePath;
}

/** Load (once per file) the profile `env` selects. Throws ProfileError on a bad file. */
export function profileFor(env: Record<string, string | undefined> = process.env): StackProfile {
  const path = profilePath(env);
  let p = cache.get(path);
  if (!p) {
    p = loadProfile(path, repoRoot);
    cache.set(path, p);
  }
  return p;
}

/** The profile the harness judges (HOMEIQ_PROFILE, default the reference stack's). */
export function activeProfile(): StackProfile {
  return profileFor(process.env);
}

/** The reference stack's profile (loaded from its file). */
export const referenceProfile: StackProfile = loadProfile(referenceProfilePath);
