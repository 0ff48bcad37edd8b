/**
 * Measures one InfluxDB version in a container: memory idle (after onboarding, settled) and under
 * a steady write load, via `docker stats --no-stream` every 2 s. Prints one JSON line.
 * Env: INFLUXDB_VERSION (pinned baseline), RATE (500 points/s), DURATION_S (60), IDLE_S (20),
 * HOMEIQ_SEED (1), MEM_GB / CPUS (container limits, e.g. the NUC's 0.25 / 0.5; default none).
 *   node harness/influx/measure-cli.ts
 */

import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { intInput, numberInput, parseCli, usageError } from '../cli/args.ts';
import pins from '../config/pins.json' with { type: 'json' };
import { createLogger } from '../util/log.ts';
import { connect } from './connection.ts';
import { startInfluxContainer } from './container.ts';
import { countPoints } from './counts.ts';
import { EVENTS_MEASUREMENT, TEST_TARGET } from './layout.ts';
import { findByFieldValues } from './lookup.ts';
import { onboard } from './onboarding.ts';
import { sampleContextId } from './sample-events.ts';
import { runWriteLoad } from './write-load.ts';

const log = createLogger('influx-measure');
const env = process.env;
const P = 'influx-measure';
parseCli(
  P,
  `usage: [INFLUXDB_VERSION=2.8.0] [RATE=500] [DURATION_S=60] [IDLE_S=20] [HOMEIQ_SEED=1]
       [MEM_GB=0.25] [CPUS=0.5] node harness/influx/measure-cli.ts

Measures one InfluxDB version in a container: memory idle and under a steady write load;
prints one JSON line.`,
  {},
);
if (env.INFLUXDB_VERSION && !Object.hasOwn(pins.influxdb.versions, env.INFLUXDB_VERSION))
  usageError(
    P,
    `INFLUXDB_VERSION="${env.INFLUXDB_VERSION}" is invalid: expected one of ${Object.keys(pins.influxdb.versions).join(', ')}`,
  );
const memGb = numberInput(P, 'MEM_GB', env.MEM_GB, 0.0625, 64);
const cpus = numberInput(P, 'CPUS', env.CPUS, 0.01, 64);
const idleS = intInput(P, 'IDLE_S', env.IDLE_S, 20, 0, 3_600);
const rate = intInput(P, 'RATE', env.RATE, 500, 1, 100_000);
const durationS = intInput(P, 'DURATION_S', env.DURATION_S, 60, 1, 86_400);
const seed = intInput(P, 'HOMEIQ_SEED', env.HOMEIQ_SEED, 1, 0, 2 ** 31 - 1);

const UNITS: Record<string, number> = {
  B: 1 / 2 ** 20,
  KiB: 1 / 1024,
  MiB: 1,
  GiB: 1024,
  kB: 1 / 1024,
  MB: 1,
  GB: 1024,
};

async function memMiB(id: string): Promise<number> {
  const { stdout } = await promisify(execFile)('docker', [
    'stats',
    '--no-stream',
    '--format',
    '{{.MemUsage}}',
    id,
  ]);
  const m = /^([\d.]+)\s*([A-Za-z]+)/.exec(stdout.trim());
  if (!m?.[1] || !m[2]) throw new Error(`docker stats for ${id}: unexpected output ${stdout.trim()}`);
  return Number(m[1]) * (UNITS[m[2]] ?? Number.NaN);
}

async function sampleWhile<T>(id: string, work: Promise<T>): Promise<{ result: T; samples: number[] }> {
  const samples: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) samples.push(await memMiB(id)); // docker stats --no-stream itself takes ~2 s
  })();
  try {
    return { result: await work, samples };
  } finally {
    done = true;
    await sampler;
  }
}

const limits = {
  ...(memGb !== undefined ? { memoryGb: memGb } : {}),
  ...(cpus !== undefined ? { cpus } : {}),
};
const server = await startInfluxContainer(undefined, limits);
try {
  const id = server.container.getId();
  const admin = {
    adminUser: 'measure',
    adminPassword: 'measure-password',
    adminToken: 'measure-admin-token-0123456789',
  };
  const ob = await onboard({ url: server.url, ...admin });
  log.info(`idle sampling ${idleS}s`);
  const idle = await sampleWhile(id, new Promise((r) => setTimeout(r, idleS * 1000)));
  log.info(`write load ${rate} points/s`);
  const load = await sampleWhile(
    id,
    runWriteLoad(connect(server.url, ob.test.token), TEST_TARGET, {
      rate,
      seconds: durationS,
      seed,
    }),
  );
  // verification at scale: exact count and a lookup of every written context_id in one query
  const asTest = connect(server.url, ob.test.token);
  const filter = { bucket: TEST_TARGET.bucket, measurement: EVENTS_MEASUREMENT };
  const c0 = performance.now();
  const counted = await countPoints(asTest, TEST_TARGET.org, { ...filter, field: 'state_value' });
  const countMs = performance.now() - c0;
  const ids = Array.from({ length: load.result.points }, (_, i) => sampleContextId(load.result.seed, i));
  const l0 = performance.now();
  const found = await findByFieldValues(asTest, TEST_TARGET.org, { ...filter, field: 'context_id' }, ids);
  const lookupMs = performance.now() - l0;
  const r1 = (x: number) => Number(x.toFixed(1));
  process.stdout.write(
    `${JSON.stringify({
      version: server.version,
      image: server.image,
      limits,
      idleMiB: r1(Math.max(...idle.samples)),
      idleSamples: idle.samples.length,
      loadedMiBMax: r1(Math.max(...load.samples)),
      loadedMiBLast: r1(load.samples.at(-1) ?? Number.NaN),
      loadSamples: load.samples.length,
      load: load.result,
      verify: {
        counted,
        countMs: r1(countMs),
        idsLookedUp: ids.length,
        idsFound: found.size,
        lookupMs: r1(lookupMs),
      },
      loadavg1m: r1(loadavg()[0] ?? Number.NaN),
    })}\n`,
  );
} finally {
  await server.stop();
}
