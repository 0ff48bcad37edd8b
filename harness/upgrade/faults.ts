/**
 * Planted faults of the upgrade check that replace the `to` image:
 * fixtures/faults/<name>.Dockerfile, built FROM the candidate (build arg TO_IMAGE) into
 * homeiq/influxdb:fault-<name>. `HOMEIQ_FAULT=<name> npm run test:upgrade` then upgrades to it.
 * Other faults (fixtures/faults/<name>.env / .compose.yml) apply to the stack as everywhere.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../config/load.ts';

export const faultDockerfile = (name: string | undefined) =>
  name ? join(repoRoot, 'fixtures', 'faults', `${name}.Dockerfile`) : undefined;

/** True when HOMEIQ_FAULT names a `to`-image fault (then it is not a stack fault). */
export const isImageFault = (name: string | undefined) => {
  const f = faultDockerfile(name);
  return f !== undefined && existsSync(f);
};

/** Build the fault image FROM `toImage`; returns its tag. */
export async function buildFaultImage(name: string, toImage: string): Promise<string> {
  const tag = `homeiq/influxdb:fault-${name}`;
  const file = faultDockerfile(name) as string;
  const args = [
    'build',
    '-q',
    '-f',
    file,
    '--build-arg',
    `TO_IMAGE=${toImage}`,
    '--label',
    'com.homeiq.harness=1',
    '-t',
    tag,
    join(repoRoot, 'fixtures', 'faults'),
  ];
  const { code, out } = await new Promise<{ code: number; out: string }>((done) => {
    const p = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('close', (c) => done({ code: c ?? 1, out }));
    p.on('error', (e) => done({ code: 1, out: String(e) }));
  });
  if (code !== 0)
    throw new Error(
      `HOMEIQ_FAULT=${name}: docker build of ${tag} from ${toImage} failed: ${out.trim().split('\n').slice(-3).join(' | ')}`,
    );
  return tag;
}
