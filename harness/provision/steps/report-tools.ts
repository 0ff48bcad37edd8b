import { existsSync } from 'node:fs';
import { commandExists, exec, isDebianRoot } from '../exec.ts';
import { SetupError, type StepContext } from '../step.ts';

/**
 * What the report tests need on the machine: a headless browser to render reports/report.html
 * (Debian's chromium, driven by playwright-core; no browser is downloaded) and xmllint to validate
 * reports/junit.xml against the JUnit schemas (Debian's libxml2-utils). Installed from Debian's
 * archive only when missing; a ready machine only checks.
 */
export async function ensureReportTools(ctx: StepContext): Promise<void> {
  const chromium = process.env.HOMEIQ_CHROMIUM ?? '/usr/bin/chromium';
  const missing: string[] = [];
  if (!existsSync(chromium)) missing.push('chromium', 'fonts-dejavu-core');
  if (!(await commandExists('xmllint'))) missing.push('libxml2-utils');
  if (missing.length === 0) {
    const v = await exec(chromium, ['--version'], { timeoutMs: 20_000 });
    ctx.found(`${v.stdout.trim() || chromium}; xmllint`);
    return;
  }
  ctx.found(`missing: ${missing.join(', ')}`);
  if (!(await isDebianRoot())) {
    throw new SetupError(
      `the report tests need ${missing.join(', ')}: install them (Debian/Ubuntu: apt-get install ${missing.join(' ')}; or set HOMEIQ_CHROMIUM to a Chromium binary), then run 'npm run setup' again`,
    );
  }
  ctx.progress(`installing ${missing.join(', ')} (apt-get)`);
  const upd = await exec('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
  if (upd.code !== 0) throw new SetupError(`apt-get update failed: ${upd.stderr.trim().split('\n').pop()}`);
  const inst = await exec('apt-get', ['install', '-y', '-qq', ...missing], {
    timeoutMs: 900_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (inst.code !== 0)
    throw new SetupError(
      `apt-get install ${missing.join(' ')} failed: ${inst.stderr.trim().split('\n').pop()}`,
    );
  ctx.did(`installed ${missing.join(', ')} from Debian's archive`);
}
