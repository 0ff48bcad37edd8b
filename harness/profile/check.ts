/**
 * Check a stack profile before a run: `npm run profile:check [-- path/to/stack.profile.json]`
 * (default: HOMEIQ_PROFILE, else the reference stack's). Validates the file, renders its compose
 * config with Compose, checks every mapped service exists, and prints what the harness would start
 * and rewrite. Exit 0 when consistent, 2 with one line per bad entry otherwise.
 */
import { parseCli } from '../cli/args.ts';
import { loadConfig } from '../config/load.ts';
import { detectCompose } from '../stack/compose-cli.ts';
import { rewriteForRun } from '../stack/compose-rewrite.ts';
import { describeStart, planCompose, renderComposeConfig } from '../stack/compose-target.ts';
import { checkAgainstCompose } from './load.ts';

const usage = `usage: npm run profile:check [-- path/to/stack.profile.json]

Validates a stack profile (default: HOMEIQ_PROFILE, else the reference stack's), renders its
compose config with Compose, checks every mapped service exists, and prints what a run would start
and rewrite. Exit 0 when consistent, 2 with one line per bad entry otherwise.`;

async function main(): Promise<number> {
  const { positionals } = parseCli('profile:check', usage, {}, { allowPositionals: true });
  if (positionals.length > 1)
    process.stderr.write(`profile:check: ${positionals.length} profiles given: expected at most one\n`);
  if (positionals.length > 1) return 2;
  const file = positionals[0];
  const env = file ? { ...process.env, HOMEIQ_PROFILE: file } : process.env;
  const cfg = loadConfig(env);
  const cli = detectCompose();
  const plan = await planCompose(cfg, env, `homeiq-profile-check-${process.pid}`);
  const model = await renderComposeConfig(cli, plan, cfg.repoRoot);
  const missing = checkAgainstCompose(cfg.profile, Object.keys(model.services ?? {}));
  if (missing.length > 0) {
    process.stderr.write(`${missing.join('\n')}\n`);
    return 2;
  }
  const rewrite = rewriteForRun(model, {
    profile: cfg.profile,
    appImage: cfg.images.app,
    allowedBindRoots: [cfg.repoRoot],
    adds: cfg.profile.harnessAdds,
    project: plan.project,
  });
  process.stdout.write(`${describeStart(rewrite.model, cfg.profile, rewrite.notes)}\n`);
  if (rewrite.phase1) process.stdout.write(`two-phase boot: ${rewrite.phase1.join(', ')} first\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const lines = (err as { lines?: string[] }).lines;
    process.stderr.write(`${lines ? lines.join('\n') : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
