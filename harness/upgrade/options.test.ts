import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DockerLookup,
  parseUpgradeArgs,
  resolveUpgradeOptions,
  UpgradeConfigError,
  upgradeEnv,
  upgradeOptionsFromEnv,
} from './options.ts';

const images = new Set(['homeiq/influxdb:2.8.0', 'homeiq/influxdb:2.9.1', 'influxdb:2.9.1-custom']);
const lookup: DockerLookup = {
  imageExists: async (i) => images.has(i),
  volumeExists: async (v) => v === 'home_influx' || v === 'empty_volume',
  volumeHoldsInfluxData: async (v) => v === 'home_influx',
};
const env = { INFLUX_TOKEN: 'operator' };

/** The one line a bad input gets, or 'ok'. */
async function refusal(argv: string[], e: Record<string, string> = env): Promise<string> {
  try {
    const raw = parseUpgradeArgs(argv);
    if (raw === 'help') return 'help';
    await resolveUpgradeOptions(raw, lookup, e, '/');
    return 'ok';
  } catch (err) {
    if (!(err instanceof UpgradeConfigError)) throw err;
    expect(err.message).not.toContain('\n');
    return err.message;
  }
}

describe('test:upgrade options', () => {
  it('defaults to the pinned baseline -> candidate', async () => {
    const o = await resolveUpgradeOptions({}, lookup, env);
    expect([o.from.image, o.to.image, o.start.kind]).toEqual([
      'homeiq/influxdb:2.8.0',
      'homeiq/influxdb:2.9.1',
      'fresh',
    ]);
  });

  it('takes a pinned version or an image present on the engine, as --x v or --x=v', async () => {
    const raw = parseUpgradeArgs(['--from=2.8.0', '--to', 'influxdb:2.9.1-custom']);
    expect(raw).toEqual({ from: '2.8.0', to: 'influxdb:2.9.1-custom' });
    const o = await resolveUpgradeOptions(raw as object, lookup, env);
    expect(o.to).toEqual({ given: 'influxdb:2.9.1-custom', image: 'influxdb:2.9.1-custom' });
    expect(parseUpgradeArgs(['--help'])).toBe('help');
  });

  it('refuses each kind of bad input with one line naming the option and what is allowed', async () => {
    expect(await refusal(['--to', '2.7.12'])).toMatch(
      /^--to="2\.7\.12" is not a pinned InfluxDB version: expected a pinned version \(2\.8\.0, 2\.9\.1\)/,
    );
    expect(await refusal(['--to', 'influxdb:9.9'])).toMatch(
      /^--to="influxdb:9\.9": no such image on this Docker engine/,
    );
    expect(await refusal(['--from', 'Not An Image!'])).toMatch(
      /^--from="Not An Image!" is neither a version nor an image reference/,
    );
    expect(await refusal(['--to', '2.8.0'])).toMatch(/^--to="2\.8\.0" is the same image as --from/);
    expect(await refusal(['--from-volume', 'nope'])).toMatch(/^--from-volume="nope": no such Docker volume/);
    expect(await refusal(['--from-volume', 'empty_volume'])).toMatch(
      /^--from-volume="empty_volume" holds no InfluxDB 2\.x data/,
    );
    expect(await refusal(['--from-volume', 'home_influx'], {})).toMatch(
      /^--from-volume="home_influx" needs INFLUX_TOKEN/,
    );
    expect(await refusal(['--from-volume', 'home_influx'])).toBe('ok');
    expect(await refusal(['--from-volume', 'a', '--from-backup', 'b'])).toMatch(/both given/);
    expect(await refusal(['--frm', '2.8.0'])).toMatch(
      /^"--frm" is not an option of test:upgrade: expected one of --from, --to/,
    );
    expect(await refusal(['--to'])).toMatch(/^--to needs a value/);
    expect(await refusal(['--to', '2.9.1', '--to', '2.9.1'])).toMatch(/given twice/);
  });

  it('refuses a directory that is not an InfluxDB backup, and accepts a full one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'homeiq-backup-'));
    expect(await refusal(['--from-backup', join(dir, 'missing')])).toMatch(
      /is not an InfluxDB backup: no such directory/,
    );
    expect(await refusal(['--from-backup', dir])).toMatch(
      /is not an InfluxDB backup: no \*\.manifest file in it/,
    );
    writeFileSync(join(dir, '20260101T000000Z.manifest'), '{not json');
    expect(await refusal(['--from-backup', dir])).toMatch(/20260101T000000Z\.manifest is not JSON/);
    writeFileSync(join(dir, '20260101T000000Z.manifest'), JSON.stringify({ buckets: [] }));
    expect(await refusal(['--from-backup', dir])).toMatch(/names no kv \(bolt\) file/);
    const manifest = {
      kv: { fileName: '20260101T000000Z.bolt.gz', size: 1, compression: 'gzip' },
      buckets: [
        {
          organizationID: 'o',
          organizationName: 'homeiq',
          bucketID: 'b',
          bucketName: 'home_assistant_events',
          retentionPolicies: [
            { shardGroups: [{ shards: [{ id: 1, fileName: '20260101T000000Z.s1.tar.gz' }] }] },
          ],
        },
      ],
    };
    writeFileSync(join(dir, '20260101T000000Z.manifest'), JSON.stringify(manifest));
    expect(await refusal(['--from-backup', dir])).toMatch(
      /names 20260101T000000Z\.bolt\.gz, which is missing/,
    );
    writeFileSync(join(dir, '20260101T000000Z.bolt.gz'), 'x');
    mkdirSync(join(dir, 'sub'));
    expect(await refusal(['--from-backup', dir])).toMatch(
      /names 20260101T000000Z\.s1\.tar\.gz, which is missing/,
    );
    writeFileSync(join(dir, '20260101T000000Z.s1.tar.gz'), 'x');
    expect(await refusal(['--from-backup', dir])).toBe('ok');
  });

  it('round-trips through the environment the suite reads', () => {
    const raw = { from: '2.8.0', to: 'influxdb:2.9.1-custom', fromVolume: 'home_influx' };
    expect(upgradeOptionsFromEnv(upgradeEnv(raw))).toEqual({ ...raw, fromBackup: undefined });
  });
});
