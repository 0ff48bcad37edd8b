/**
 * A stand-in for a run, for the ownership suites: becomes the root of a run (its own identity,
 * HOMEIQ_RUN_ID), creates a network and a volume, then containers one after another (a burst of
 * creations) until it holds --containers of them, prints `holding <n>` after each, and waits to
 * be killed (it never cleans up: what it leaves is what a SIGKILL leaves).
 *   node harness/docker/testing/hold-resources.ts --containers 4 [--image homeiq/debian-base:bookworm]
 */
import { parseArgs } from 'node:util';
import { dockerClient } from '../client.ts';
import { ownerLabels, runOwner } from '../identity.ts';

const usage =
  'usage: node harness/docker/testing/hold-resources.ts --containers N [--image IMAGE] [--forever]';
let values: { containers: string; image: string; forever: boolean; help: boolean };
try {
  values = parseArgs({
    options: {
      containers: { type: 'string', default: '3' },
      image: { type: 'string', default: 'homeiq/debian-base:bookworm' },
      forever: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values as typeof values;
} catch (err) {
  process.stderr.write(`hold-resources: ${err instanceof Error ? err.message : String(err)}: ${usage}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const n = Number(values.containers);
if (!Number.isInteger(n) || n < 0 || n > 50) {
  process.stderr.write(
    `hold-resources: --containers "${values.containers}" is invalid: expected an integer 0-50\n`,
  );
  process.exit(2);
}

const owner = runOwner();
const docker = dockerClient();
const labels = ownerLabels(owner);
const name = `homeiq-hold-${owner.run}`;
await docker.createNetwork({ Name: name, Labels: labels });
await docker.createVolume({ Name: name, Labels: labels });
process.stdout.write(`owner ${JSON.stringify(owner)}\n`);
for (let i = 0; values.forever || i < n; i++) {
  const c = await docker.createContainer({
    name: `${name}-${i}`,
    Image: values.image,
    Cmd: ['sleep', 'infinity'],
    Labels: labels,
    HostConfig: { NetworkMode: name, Binds: [`${name}:/data`], Memory: 32 * 1024 * 1024 },
  });
  await c.start();
  process.stdout.write(`holding ${i + 1}\n`);
}
setInterval(() => undefined, 1 << 30);
