/**
 * Input checks of `npm run test:faults` that need no matrix data (cli.ts): repeated flags and the
 * target/profile the matrix can plant its faults into. Each problem is one line (exit 2).
 */
import { relative } from 'node:path';
import { ConfigError, loadConfig, repoRoot } from '../config/load.ts';
import { referenceProfilePath } from '../profile/index.ts';

/** Flags given more than once (parseArgs keeps the last silently). */
export function repeatedFlags(args: string[], flags: string[]): string[] {
  const count = new Map<string, number>();
  for (const a of args) {
    if (a === '--') break;
    const m = /^--([^=]+)/.exec(a);
    if (m?.[1] && flags.includes(m[1])) count.set(m[1], (count.get(m[1]) ?? 0) + 1);
  }
  return [...count]
    .filter(([, n]) => n > 1)
    .map(([f, n]) => `--${f} is given ${n} times: expected each flag once`);
}

/**
 * The matrix plants compose overrides into the reference stack: any other target or profile would
 * run the checks against a fault-free (possibly live) stack and call every fault undetected.
 */
export function targetProblem(env: Record<string, string | undefined>): string | undefined {
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  if (cfg.target !== 'compose')
    return `HOMEIQ_TARGET="${env.HOMEIQ_TARGET ?? cfg.target}" is invalid for test:faults: expected compose (unset) — planted faults are compose overrides`;
  if (cfg.profile.source !== referenceProfilePath)
    return `HOMEIQ_PROFILE="${env.HOMEIQ_PROFILE ?? cfg.profile.source}" is invalid for test:faults: expected the reference stack's profile (unset: ${relative(repoRoot, referenceProfilePath)}) — the matrix data names the reference stack's services`;
  return undefined;
}
