import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, imageLabel } from './docker-cli.ts';
import { exec } from './exec.ts';
import { repoRoot } from './paths.ts';
import { pins } from './pins.ts';
import { SetupError } from './step.ts';

const INPUTS_LABEL = 'com.homeiq.inputs';
const DIR = 'fixtures/images/app';
/** What goes into the code layer: everything the services import at run time. */
const CODE_DIRS = ['harness', 'fixtures'];

async function listFiles(dirs: string[]): Promise<string[]> {
  // Tracked and untracked-but-not-ignored files, as git sees the working tree.
  const r = await exec('git', ['ls-files', '-co', '--exclude-standard', '--', ...dirs], { cwd: repoRoot });
  if (r.code !== 0) throw new SetupError(`git ls-files failed in ${repoRoot}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .sort()
    .filter((f) => {
      try {
        readFileSync(join(repoRoot, f));
        return true;
      } catch {
        return false; // deleted in the working tree
      }
    });
}

function hashFiles(files: string[], extra: string): string {
  const h = createHash('sha256').update(extra);
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(repoRoot, f)))
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Deps images of older lockfiles are ~600 MB each: drop them (an image still in use stays). */
async function pruneOldDeps(keep: string): Promise<void> {
  const r = await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', 'homeiq/app-deps']);
  const old = r.stdout.split('\n').filter((t) => t && t !== keep);
  if (old.length) await docker(['image', 'rm', ...old]);
}

export interface AppImageResult {
  image: string;
  depsImage: string;
  rebuilt: string[];
}

/**
 * homeiq/app:local, in two layers keyed by content: a deps image per lockfile (+ base image),
 * and the code image per hash of harness/ and fixtures/. Cheap to call: it only hashes and
 * inspects when nothing changed, so the test command calls it too and never runs stale code.
 */
export async function ensureAppImage(progress: (msg: string) => void = () => {}): Promise<AppImageResult> {
  const rebuilt: string[] = [];
  const baseId = (
    await docker(['image', 'inspect', '--format', '{{.Id}}', pins.baseImage.tag])
  ).stdout.trim();
  if (!baseId) throw new SetupError(`base image ${pins.baseImage.tag} is missing: run 'npm run setup'`);

  const depsFiles = ['package-lock.json', `${DIR}/deps.Dockerfile`];
  const depsHash = hashFiles(depsFiles, baseId);
  const depsImage = `homeiq/app-deps:${depsHash}`;
  if ((await imageLabel(depsImage, INPUTS_LABEL)) !== depsHash) {
    progress(`building ${depsImage} (node_modules + Node 24; lockfile or base changed)`);
    const r = await exec(
      'sh',
      [
        '-c',
        `tar -c package-lock.json node_modules -C ${DIR} deps.Dockerfile | docker build -q -f deps.Dockerfile --build-arg BASE_IMAGE=${pins.baseImage.tag} --label ${INPUTS_LABEL}=${depsHash} --label com.homeiq.harness=1 -t ${depsImage} -`,
      ],
      { cwd: repoRoot, timeoutMs: 900_000 },
    );
    if (r.code !== 0)
      throw new SetupError(
        `docker build ${depsImage} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    rebuilt.push(depsImage);
    await pruneOldDeps(depsImage);
  }

  const codeFiles = ['package.json', ...(await listFiles(CODE_DIRS))];
  const codeHash = hashFiles(codeFiles, depsHash + readFileSync(join(repoRoot, DIR, 'Dockerfile'), 'utf8'));
  const image = pins.appImage;
  if ((await imageLabel(image, INPUTS_LABEL)) !== codeHash) {
    progress(`building ${image} (code changed since the last build; ${codeFiles.length} files)`);
    const r = await exec(
      'sh',
      [
        '-c',
        `tar -c -T - | docker build -q -f ${DIR}/Dockerfile --build-arg DEPS_IMAGE=${depsImage} --label ${INPUTS_LABEL}=${codeHash} --label com.homeiq.harness=1 -t ${image} -`,
      ],
      { cwd: repoRoot, input: codeFiles.join('\n'), timeoutMs: 300_000 },
    );
    if (r.code !== 0)
      throw new SetupError(
        `docker build ${image} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    rebuilt.push(image);
  }
  return { image, depsImage, rebuilt };
}
