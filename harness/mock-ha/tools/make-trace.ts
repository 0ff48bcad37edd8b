/**
 * Writes a synthetic JSONL trace (the format engine/trace.ts replays) to stdout: changes of
 * the seeded home with Poisson arrivals at a mean rate, plus an optional burst.
 *   node harness/mock-ha/tools/make-trace.ts --seed 42 --size small --rate 5 --duration 60 \
 *     --burst-at 30 --burst-s 3 --burst-rate 60 > fixtures/traces/small-home-60s.jsonl
 */
import { intInput, parseCli, usageError } from '../../cli/args.ts';
import { buildHome, type HomeSize } from '../home/home.ts';
import { Rng } from '../home/rng.ts';
import { World } from '../home/world.ts';

const P = 'make-trace';
const { values: v } = parseCli(
  P,
  `usage: node harness/mock-ha/tools/make-trace.ts [--seed 42] [--size small|medium|large] [--rate 5]
       [--duration 60] [--burst-at 30] [--burst-s 0] [--burst-rate 0] > trace.jsonl

Writes a synthetic JSONL trace of the seeded home (Poisson arrivals at --rate ev/s for
--duration s, plus an optional burst) to stdout.`,
  {
    seed: { type: 'string', default: '42' },
    size: { type: 'string', default: 'small' },
    rate: { type: 'string', default: '5' },
    duration: { type: 'string', default: '60' },
    'burst-at': { type: 'string', default: '30' },
    'burst-s': { type: 'string', default: '0' },
    'burst-rate': { type: 'string', default: '0' },
  },
);
intInput(P, '--seed', v.seed, 42, 0, 2 ** 31 - 1);
intInput(P, '--rate', v.rate, 5, 1, 100_000);
intInput(P, '--duration', v.duration, 60, 1, 86_400);
intInput(P, '--burst-at', v['burst-at'], 30, 0, 86_400);
intInput(P, '--burst-s', v['burst-s'], 0, 0, 86_400);
intInput(P, '--burst-rate', v['burst-rate'], 0, 0, 100_000);
if (!['small', 'medium', 'large'].includes(v.size))
  usageError(P, `--size "${v.size}" is invalid: expected small, medium or large`);
const seed = Number(v.seed);
const world = new World(buildHome(seed, v.size as HomeSize), 0);
const rng = new Rng(seed + 1);
const durationMs = Number(v.duration) * 1000;
const burstFrom = Number(v['burst-at']) * 1000;
const burstTo = burstFrom + Number(v['burst-s']) * 1000;
const out: string[] = [
  `# synthetic trace: ${process.argv.slice(2).join(' ')} (harness/mock-ha/tools/make-trace.ts)`,
];
for (let t = 0; ; ) {
  const rate = t >= burstFrom && t < burstTo ? Number(v['burst-rate']) : Number(v.rate);
  t += (-Math.log(1 - rng.float()) / rate) * 1000;
  if (t >= durationMs) break;
  const c = world.next(1_767_225_600_000 + t);
  const s = c.newState;
  if (!s) continue;
  out.push(
    JSON.stringify({ t: Math.round(t), entity_id: s.entity_id, state: s.state, attributes: s.attributes }),
  );
}
process.stdout.write(`${out.join('\n')}\n`);
