/**
 * Steady write load against a running server; prints one JSON line (see write-load.ts).
 * Env: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG (homeiq-test), INFLUXDB_BUCKET
 * (home_assistant_events_test), RATE (200), DURATION_S (60), HOMEIQ_SEED (1).
 */
import { intInput, parseCli, requiredInput, urlInput } from '../cli/args.ts';
import { createLogger } from '../util/log.ts';
import { connect } from './connection.ts';
import { TEST_TARGET } from './layout.ts';
import { runWriteLoad } from './write-load.ts';

const log = createLogger('influx-load');
const env = process.env;
const P = 'influx-load';
parseCli(
  P,
  `usage: INFLUXDB_URL=... INFLUXDB_TOKEN=... node harness/influx/write-load-cli.ts

Steady write load against a running InfluxDB; prints one JSON line. Optional: INFLUXDB_ORG
(homeiq-test), INFLUXDB_BUCKET (home_assistant_events_test), RATE (200 points/s),
DURATION_S (60), HOMEIQ_SEED (1).`,
  {},
);
const url = urlInput(P, 'INFLUXDB_URL', env.INFLUXDB_URL);
const token = requiredInput(
  P,
  'INFLUXDB_TOKEN',
  env.INFLUXDB_TOKEN,
  'a token with write access to the bucket',
);
const rate = intInput(P, 'RATE', env.RATE, 200, 1, 100_000);
const seconds = intInput(P, 'DURATION_S', env.DURATION_S, 60, 1, 86_400);
const seed = intInput(P, 'HOMEIQ_SEED', env.HOMEIQ_SEED, 1, 0, 2 ** 31 - 1);
const result = await runWriteLoad(
  connect(url, token),
  { org: env.INFLUXDB_ORG ?? TEST_TARGET.org, bucket: env.INFLUXDB_BUCKET ?? TEST_TARGET.bucket },
  {
    rate,
    seconds,
    seed,
    onProgress: (n) => log.info(`${n} points written`),
  },
);
process.stdout.write(`${JSON.stringify(result)}\n`);
