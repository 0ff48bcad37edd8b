/**
 * The reaper of one run (started by harness/docker/identity.ts when a process becomes the root
 * of a run): waits until the root process is gone (its end of our stdin closes, or its pid is
 * dead), then removes every container, network and volume labelled with that run's identity,
 * and sweeps again until two sweeps a second apart find nothing (a container whose creation was
 * in flight when the root died shows up a moment later), for at most 30 s.
 *   node harness/docker/reaper.ts '<RunOwner as JSON>'
 */
import { ownerLiveness, type RunOwner } from './identity.ts';
import { listHarnessResources, removeResources } from './stale.ts';

const usage = "usage: node harness/docker/reaper.ts '<run owner JSON: {host,pid,start,run}>'";
const arg = process.argv[2];
if (arg === '--help' || arg === '-h') {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
let target: RunOwner;
try {
  target = JSON.parse(arg ?? '') as RunOwner;
  if (typeof target.pid !== 'number' || typeof target.run !== 'string' || target.run === '')
    throw new Error();
} catch {
  process.stderr.write(`reaper: argument "${arg ?? ''}" is invalid: expected ${usage.slice(7)}\n`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await new Promise<void>((resolve) => {
  process.stdin.on('end', resolve);
  process.stdin.on('close', resolve);
  process.stdin.on('error', () => resolve());
  process.stdin.resume();
  const poll = setInterval(() => {
    if (ownerLiveness(target) !== 'alive') resolve();
  }, 1_000);
  poll.unref();
});

const mine = async () =>
  (await listHarnessResources(undefined, target.run)).filter(
    (r) =>
      r.owner !== undefined &&
      r.owner.pid === target.pid &&
      r.owner.start === target.start &&
      r.owner.host === target.host,
  );
const deadline = performance.now() + 30_000;
let empty = 0;
while (empty < 2 && performance.now() < deadline) {
  const left = await mine().catch(() => []);
  if (left.length === 0) empty++;
  else {
    empty = 0;
    await removeResources(left).catch(() => undefined);
  }
  await sleep(1_000);
}
process.exit(0);
