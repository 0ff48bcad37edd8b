/**
 * Steady write load against a running server; prints one JSON line (see write-load.ts).
 * Env: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG (homeiq-test), INFLUXDB_BUCKET
 * (home_assistant_events_test), RATE (200), DURATION_S (60), HOMEIQ_SEED (1).
 */
import { createLogger } from '../util/log.ts';
import { connect } from './connection.ts';
import { TEST_TARGET } from './layout.ts';
import { runWriteLoad } from './write-load.ts';

const log = createLogger('influx-load');
const env = process.env;
if (!env.INFLUXDB_URL || !env.INFLUXDB_TOKEN) {
  process.stderr.write('influx-load: INFLUXDB_URL and INFLUXDB_TOKEN are required\n');
  process.exit(1);
}
const result = await runWriteLoad(
  connect(env.INFLUXDB_URL, env.INFLUXDB_TOKEN),
  { org: env.INFLUXDB_ORG ?? TEST_TARGET.org, bucket: env.INFLUXDB_BUCKET ?? TEST_TARGET.bucket },
  {
    rate: Number(env.RATE ?? 200),
    seconds: Number(env.DURATION_S ?? 60),
    seed: Number(env.HOMEIQ_SEED ?? 1),
    onProgress: (n) => log.info(`${n} points written`),
  },
);
process.stdout.write(`${JSON.stringify(result)}\n`);
