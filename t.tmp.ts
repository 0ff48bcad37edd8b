import { writeFileSync } from 'node:fs';
import { loadConfig } from './harness/config/load.ts';
import { detectCompose } from './harness/stack/compose-cli.ts';
import { rewriteForRun } from './harness/stack/compose-rewrite.ts';
import { describeStart, planCompose, renderComposeConfig } from './harness/stack/compose-target.ts';

const cfg = loadConfig({
  ...process.env,
  HOMEIQ_PROFILE: 'fixtures/foreign-stack/stack.profile.json',
  HOMEIQ_FAULT: process.argv[2] ?? '',
});
const cli = detectCompose();
const plan = await planCompose(cfg, process.env, 'probe-rw');
const m = await renderComposeConfig(cli, plan, cfg.repoRoot);
const r = rewriteForRun(m, {
  profile: cfg.profile,
  appImage: cfg.images.app,
  allowedBindRoots: [cfg.repoRoot],
  adds: cfg.profile.harnessAdds,
  project: plan.project,
});
writeFileSync('/tmp/gen.json', JSON.stringify(r.model, null, 2));
console.log(describeStart(r.model, cfg.profile, r.notes), r.phase1);
