import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { docker, imageLabel } from '../docker-cli.ts';
import { commandExists, exec, isDebianRoot } from '../exec.ts';
import { cacheDir } from '../paths.ts';
import { pins } from '../pins.ts';
import { tryPull } from '../registry.ts';
import { SetupError, type StepContext, withHeartbeat } from '../step.ts';

const LABEL = 'com.homeiq.base-pins';

/** Identity of the base image: the pins that define it. A changed package list rebuilds it. */
export const basePinsHash = (): string =>
  createHash('sha256').update(JSON.stringify(pins.baseImage)).digest('hex').slice(0, 16);

/**
 * The base image every project image builds on: Debian bookworm with a few tools (curl for
 * healthchecks, iptables/tcpdump/iproute2 for network-level egress detection). From the registry's
 * debian image when one answers; otherwise debootstrap'ed from Debian's archive and imported.
 */
export async function ensureBaseImage(ctx: StepContext): Promise<void> {
  const { tag, suite, mirror, packages } = pins.baseImage;
  const want = basePinsHash();
  const have = await imageLabel(tag, LABEL);
  if (have === want) {
    ctx.found(`${tag} (pins ${want})`);
    return;
  }
  ctx.found(have ? `${tag} built from other pins (${have}); rebuilding` : `no ${tag}`);

  const upstream = `debian:${suite}-slim`;
  const pull = await tryPull(upstream);
  if (pull.pulled) {
    const dockerfile = [
      `FROM ${upstream}`,
      `RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
      `LABEL ${LABEL}=${want}`,
    ].join('\n');
    const b = await withHeartbeat(
      ctx,
      'building the base image',
      docker(['build', '-t', tag, '-'], { input: dockerfile }),
    );
    if (b.code !== 0)
      throw new SetupError(
        `docker build of ${tag} failed: ${b.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    ctx.did(`built ${tag} from the registry's ${upstream}`);
    return;
  }
  ctx.progress(`${pull.why}: building ${tag} from Debian's packages with debootstrap`);
  if (!(await commandExists('debootstrap'))) {
    if (!(await isDebianRoot()))
      throw new SetupError(
        `no registry answers and debootstrap is missing: install debootstrap (root), then run 'npm run setup' again`,
      );
    const inst = await exec('apt-get', ['install', '-y', '-qq', 'debootstrap'], {
      timeoutMs: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (inst.code !== 0) {
      await exec('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
      const again = await exec('apt-get', ['install', '-y', '-qq', 'debootstrap'], { timeoutMs: 300_000 });
      if (again.code !== 0)
        throw new SetupError(`apt-get install debootstrap failed: ${again.stderr.trim().split('\n').pop()}`);
    }
  }
  const rootfs = join(cacheDir(), `rootfs-${suite}-${want}`);
  rmSync(rootfs, { recursive: true, force: true });
  const log = join(cacheDir(), 'debootstrap.log');
  const ds = await withHeartbeat(
    ctx,
    `debootstrapping ${suite} (log: ${log})`,
    exec('sh', [
      '-c',
      `debootstrap --variant=minbase --include=${packages.join(',')} ${suite} '${rootfs}' ${mirror} > '${log}' 2>&1`,
    ]),
  );
  if (ds.code !== 0) {
    const tail = await exec('tail', ['-n', '5', log]);
    throw new SetupError(
      `debootstrap ${suite} failed (log ${log}): ${tail.stdout.trim().split('\n').join(' | ')}`,
    );
  }
  const imp = await exec('sh', [
    '-c',
    `tar -C '${rootfs}' -c . | docker import -c 'CMD ["/bin/bash"]' -c 'LABEL ${LABEL}=${want}' - ${tag}`,
  ]);
  if (imp.code !== 0) throw new SetupError(`docker import of ${tag} failed: ${imp.stderr.trim()}`);
  rmSync(rootfs, { recursive: true, force: true });
  ctx.did(`debootstrapped ${suite} (${packages.length} extra packages) and imported it as ${tag}`);
}
