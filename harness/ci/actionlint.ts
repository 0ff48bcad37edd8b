/**
 * Runs the pinned actionlint (built by `npm run setup`) on the GitHub workflows, with shellcheck on
 * their `run:` scripts (setup installs it); part of `npm run lint`. The pyflakes integration is off
 * (no Python steps).
 *
 * Exit: actionlint's own (0 clean, 1 findings); 1 with one line saying to run setup when actionlint
 * or shellcheck is missing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from '../cli/args.ts';
import { commandExists, exec } from '../provision/exec.ts';
import { repoRoot } from '../provision/paths.ts';
import { pins } from '../provision/pins.ts';
import { actionlintBinary, actionlintVersion } from '../provision/steps/actionlint.ts';

export interface ActionlintResult {
  code: number;
  /** actionlint's findings (one per line: file:line:col: message [rule]) or why it did not run. */
  output: string;
}

/** The workflow files under .github/workflows of `root`. */
export function workflowFiles(root = repoRoot): string[] {
  const dir = join(root, '.github', 'workflows');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Lint workflow files with the pinned actionlint. Never throws for findings or a missing binary. */
export async function runActionlint(files: string[], bin = actionlintBinary()): Promise<ActionlintResult> {
  const version = await actionlintVersion(bin);
  if (version !== pins.actionlint.version) {
    return {
      code: 1,
      output: `actionlint ${pins.actionlint.version} is not installed (${bin}: ${version ? `reports ${version}` : 'missing'}): run npm run setup`,
    };
  }
  if (!(await commandExists('shellcheck'))) {
    return {
      code: 1,
      output: 'shellcheck is not installed (actionlint checks run: scripts with it): run npm run setup',
    };
  }
  const r = await exec(bin, ['-no-color', '-shellcheck=shellcheck', '-pyflakes=', ...files], {
    cwd: repoRoot,
    timeoutMs: 120_000,
  });
  return { code: r.code ?? 1, output: `${r.stdout}${r.stderr}`.trimEnd() };
}

if (import.meta.main) {
  const { positionals } = parseCli(
    'actionlint',
    `usage: node harness/ci/actionlint.ts [workflow.yml ...]

Runs the pinned actionlint (with shellcheck) on the given workflow files, or on every file in
.github/workflows; part of npm run lint. Exit 0 clean, 1 findings.`,
    {},
    { allowPositionals: true },
  );
  const files = positionals.length > 0 ? positionals : workflowFiles();
  const r = await runActionlint(files);
  if (r.output) process.stdout.write(`${r.output}\n`);
  if (r.code === 0)
    process.stdout.write(`actionlint ${pins.actionlint.version}: ${files.length} workflow(s) clean\n`);
  process.exitCode = r.code;
}
