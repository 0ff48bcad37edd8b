import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above harness/provision). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Machine-level cache outside the repository: built binaries, apt side-downloads, logs. */
export const cacheDir = (): string =>
  process.env.HOMEIQ_CACHE_DIR ?? join(homedir(), '.cache', 'homeiq-harness');
