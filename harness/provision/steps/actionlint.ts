/**
 * actionlint (the GitHub Actions workflow linter `npm run lint` runs on .github/workflows), built
 * from its Go module at the pinned version with the machine's Go (GOTOOLCHAIN=local: no toolchain
 * download) and cached per version in ~/.cache/homeiq-harness/tools/actionlint/<version>/.
 * The module's go.sum hash is checked against the pin before anything is built. actionlint checks
 * the workflows' `run:` scripts with shellcheck: Debian's package, installed when missing.
 *
 * Runnable alone (CI's lint job, which needs no Docker): `node harness/provision/steps/actionlint.ts`.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from '../../cli/args.ts';
import { commandExists, exec, isDebianRoot } from '../exec.ts';
import { cacheDir } from '../paths.ts';
import { pins } from '../pins.ts';
import { runStep, SetupError, type StepContext } from '../step.ts';

/** Where setup puts the pinned actionlint binary (it may not exist yet). */
export function actionlintBinary(version = pins.actionlint.version): string {
  return join(cacheDir(), 'tools', 'actionlint', version, 'actionlint');
}

/** The first line of `actionlint -version` (e.g. "v1.7.12"), or undefined when it does not run. */
export async function actionlintVersion(bin = actionlintBinary()): Promise<string | undefined> {
  if (!existsSync(bin)) return undefined;
  const r = await exec(bin, ['-version'], { timeoutMs: 10_000 });
  return r.code === 0 ? r.stdout.split('\n')[0]?.trim() : undefined;
}

const goEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  GOTOOLCHAIN: 'local',
  ...extra,
});

/** shellcheck on PATH, else Debian's package (as root on Debian), else a SetupError saying what to install. */
async function ensureShellcheck(ctx: StepContext): Promise<string> {
  if (await commandExists('shellcheck')) {
    const v = await exec('shellcheck', ['--version'], { timeoutMs: 10_000 });
    return /version: (\S+)/.exec(v.stdout)?.[1] ?? 'unknown version';
  }
  if (!(await isDebianRoot())) {
    throw new SetupError(
      "shellcheck is missing (actionlint checks the workflows' run: scripts with it): install it (apt install shellcheck, brew install shellcheck), then run 'npm run setup' again",
    );
  }
  ctx.progress("installing Debian's shellcheck (apt-get)");
  const upd = await exec('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
  if (upd.code !== 0) throw new SetupError(`apt-get update failed: ${upd.stderr.trim().split('\n').pop()}`);
  const inst = await exec('apt-get', ['install', '-y', '-qq', 'shellcheck'], {
    timeoutMs: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (inst.code !== 0)
    throw new SetupError(`apt-get install shellcheck failed: ${inst.stderr.trim().split('\n').pop()}`);
  ctx.did("installed Debian's shellcheck");
  return ensureShellcheck(ctx);
}

export async function ensureActionlint(ctx: StepContext): Promise<void> {
  const shellcheck = await ensureShellcheck(ctx);
  const { version, goModule, package: pkg, goModuleSum, minGo } = pins.actionlint;
  const bin = actionlintBinary();
  const have = await actionlintVersion(bin);
  if (have === version) {
    ctx.found(`actionlint ${have} at ${bin}, shellcheck ${shellcheck}`);
    return;
  }
  ctx.found(have ? `actionlint ${have} at ${bin} (want ${version})` : 'no actionlint');
  const go = await exec('go', ['env', 'GOVERSION'], { env: goEnv(), timeoutMs: 30_000 }).catch(
    () => undefined,
  );
  const goVersion = go?.code === 0 ? go.stdout.trim().replace(/^go/, '') : undefined;
  if (!goVersion) {
    throw new SetupError(
      `actionlint ${version} is built from its Go module and no 'go' answers on PATH: install Go >= ${minGo} (https://go.dev/doc/install), then run 'npm run setup' again`,
    );
  }
  const dl = await exec('go', ['mod', 'download', '-json', `${goModule}@${version}`], {
    env: goEnv(),
    timeoutMs: 300_000,
  });
  let sum: string | undefined;
  try {
    sum = (JSON.parse(dl.stdout) as { Sum?: string }).Sum;
  } catch {
    sum = undefined;
  }
  if (dl.code !== 0 || !sum) {
    throw new SetupError(
      `go mod download ${goModule}@${version} failed (exit ${dl.code}): ${(dl.stderr || dl.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  if (sum !== goModuleSum) {
    throw new SetupError(
      `${goModule}@${version} has module sum ${sum}, pinned ${goModuleSum} (harness/config/pins.json): refusing to build it`,
    );
  }
  ctx.progress(`building ${pkg}@${version} with go ${goVersion} (GOTOOLCHAIN=local)`);
  const dir = join(cacheDir(), 'tools', 'actionlint');
  const tmp = join(dir, `.build-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const build = await exec('go', ['install', `${pkg}@${version}`], {
    env: goEnv({ GOBIN: tmp }),
    timeoutMs: 600_000,
  });
  if (build.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const tail = (build.stderr || build.stdout).trim().split('\n').slice(-5).join('\n');
    const tooOld = /requires go >= |go\.mod requires go/.test(tail);
    throw new SetupError(
      `building actionlint ${version} with go ${goVersion} failed (exit ${build.code})${tooOld ? `: it needs Go >= ${minGo}` : ''}\n${tail}`,
    );
  }
  const final = join(dir, version);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  const now = await actionlintVersion(bin);
  if (now !== version) throw new SetupError(`built actionlint at ${bin} reports version ${now ?? 'nothing'}`);
  ctx.did(
    `built actionlint ${version} from ${goModule} (go ${goVersion}) into ${bin}; shellcheck ${shellcheck}`,
  );
}

if (import.meta.main) {
  parseCli(
    'setup',
    `usage: node harness/provision/steps/actionlint.ts

Builds actionlint ${pins.actionlint.version} from its Go module into the tool cache if it is
missing (the setup step on its own; npm run setup runs it). Takes no flags.`,
    {},
  );
  runStep(`actionlint ${pins.actionlint.version}`, ensureActionlint).catch((err: unknown) => {
    process.stderr.write(`setup: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
