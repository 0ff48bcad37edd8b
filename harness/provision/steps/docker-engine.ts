import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { childExit, waitFor } from '../../util/wait.ts';
import { engineVersion } from '../docker-cli.ts';
import { commandExists, exec, isDebianRoot } from '../exec.ts';
import { cacheDir } from '../paths.ts';
import { SetupError, type StepContext } from '../step.ts';

const where = () => process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

/**
 * A reachable Docker engine: the user's own (DOCKER_HOST, the default socket) when one answers;
 * only when none does and this is Debian with root, Debian's docker.io is installed and started.
 */
export async function ensureDockerEngine(ctx: StepContext): Promise<string> {
  const first = await engineVersion();
  if (first.version) {
    ctx.found(`Docker engine ${first.version} at ${where()}`);
    return first.version;
  }
  ctx.found(`no Docker engine answers at ${where()} (${first.why})`);
  if (process.env.DOCKER_HOST || !(await isDebianRoot())) {
    throw new SetupError(
      `no Docker engine answers at ${where()}: install and start Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, then run 'npm run setup' again`,
    );
  }
  if (!(await commandExists('dockerd'))) {
    ctx.progress("installing Debian's docker.io (apt-get)");
    const upd = await exec('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
    if (upd.code !== 0) throw new SetupError(`apt-get update failed: ${upd.stderr.trim().split('\n').pop()}`);
    const inst = await exec('apt-get', ['install', '-y', '-qq', 'docker.io', 'iptables'], {
      timeoutMs: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (inst.code !== 0)
      throw new SetupError(`apt-get install docker.io failed: ${inst.stderr.trim().split('\n').pop()}`);
  }
  // No init system runs here: start dockerd detached, logging to the cache dir, so it outlives setup.
  const log = join(cacheDir(), 'dockerd.log');
  ctx.progress(`starting dockerd (log: ${log})`);
  const out = openSync(log, 'a');
  const dockerd = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  dockerd.unref();
  const version = await waitFor(
    async () => {
      const v = await engineVersion(5_000);
      return { done: v.version !== undefined, value: v.version, seen: v.why };
    },
    {
      what: `dockerd to answer at ${where()} (log: ${log})`,
      timeoutMs: 60_000,
      intervalMs: 250,
      abandonWhen: childExit(dockerd),
    },
  );
  ctx.did(`installed/started Debian's Docker engine ${version} (dockerd log: ${log})`);
  return version as string;
}
