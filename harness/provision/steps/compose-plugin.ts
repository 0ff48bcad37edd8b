import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker } from '../docker-cli.ts';
import { exec, isDebianRoot } from '../exec.ts';
import { cacheDir } from '../paths.ts';
import { pins } from '../pins.ts';
import { SetupError, type StepContext } from '../step.ts';

const versionGe = (a: string, b: string): boolean => {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < pb.length; i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
};

async function composeVersion(): Promise<string | undefined> {
  const r = await docker(['compose', 'version', '--short'], { timeoutMs: 10_000 });
  return r.code === 0 ? r.stdout.trim().replace(/^v/, '') : undefined;
}

/**
 * Compose v2 as a docker CLI plugin. Bookworm has none; Debian trixie's docker-compose package is a
 * static binary: fetch its .deb with a private apt configuration (own sources, lists and cache dirs,
 * the system's apt state untouched), extract it and install the plugin.
 */
export async function ensureComposePlugin(ctx: StepContext): Promise<string> {
  const want = pins.composePlugin.minVersion;
  const have = await composeVersion();
  if (have && versionGe(have, want)) {
    ctx.found(`docker compose ${have}`);
    return have;
  }
  ctx.found(have ? `docker compose ${have} (< ${want})` : 'no docker compose plugin');
  if (!(await isDebianRoot())) {
    throw new SetupError(
      `Docker Compose v2 >= ${want} is missing: install the docker-compose-plugin package (https://docs.docker.com/compose/install/linux/), then run 'npm run setup' again`,
    );
  }
  const { debianSuite: suite, debianPackage: pkg } = pins.composePlugin;
  const dir = join(cacheDir(), `apt-${suite}`);
  for (const d of ['lists/partial', 'archives/partial', 'etc', 'extract'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc/sources.list'), `deb http://deb.debian.org/debian ${suite} main\n`);
  writeFileSync(join(dir, 'status'), '');
  const apt = [
    `-oDir::Etc::SourceList=${dir}/etc/sources.list`,
    '-oDir::Etc::SourceParts=/dev/null',
    `-oDir::State::Lists=${dir}/lists`,
    `-oDir::State::Status=${dir}/status`,
    `-oDir::Cache=${dir}`,
    `-oDir::Cache::archives=${dir}/archives`,
    '-oAPT::Sandbox::User=root',
    '-oDebug::NoLocking=1',
  ];
  ctx.progress(`fetching ${pkg} from Debian ${suite} with a private apt config in ${dir}`);
  const upd = await exec('apt-get', [...apt, 'update', '-qq'], { timeoutMs: 300_000 });
  if (upd.code !== 0)
    throw new SetupError(`apt-get update (${suite}) failed: ${upd.stderr.trim().split('\n').pop()}`);
  for (const f of readdirSync(dir)) if (f.endsWith('.deb')) rmSync(join(dir, f));
  const dl = await exec('apt-get', [...apt, 'download', pkg], { cwd: dir, timeoutMs: 300_000 });
  if (dl.code !== 0)
    throw new SetupError(`apt-get download ${pkg} (${suite}) failed: ${dl.stderr.trim().split('\n').pop()}`);
  const deb = readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new SetupError(`apt-get download ${pkg} produced no .deb in ${dir}`);
  const x = await exec('dpkg-deb', ['-x', join(dir, deb), join(dir, 'extract')]);
  if (x.code !== 0) throw new SetupError(`dpkg-deb -x ${deb} failed: ${x.stderr.trim()}`);
  const pluginDir = '/usr/local/lib/docker/cli-plugins';
  mkdirSync(pluginDir, { recursive: true });
  copyFileSync(
    join(dir, 'extract/usr/libexec/docker/cli-plugins/docker-compose'),
    join(pluginDir, 'docker-compose'),
  );
  chmodSync(join(pluginDir, 'docker-compose'), 0o755);
  const now = await composeVersion();
  if (!now)
    throw new SetupError(`installed ${pluginDir}/docker-compose but 'docker compose version' still fails`);
  ctx.did(`installed docker compose ${now} from Debian ${suite} (${deb}) into ${pluginDir}`);
  return now;
}
