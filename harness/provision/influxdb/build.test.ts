import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../util/log.ts';
import { buildInfluxd } from './build.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  delete process.env.HOMEIQ_CACHE_DIR;
});

describe('buildInfluxd', () => {
  it('refuses a module whose sum differs from the pin, naming the log file and its last lines', async () => {
    dir = await mkdtemp(join(tmpdir(), 'homeiq-influxd-build-'));
    process.env.HOMEIQ_CACHE_DIR = dir;
    const err = await buildInfluxd('2.8.0', 'h1:planted-wrong-sum=', createLogger('test')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`full log: ${join(dir, 'influxd', '2.8.0', 'build.log')}`);
    expect(msg).toMatch(
      /module sum mismatch for github.com\/influxdata\/influxdb\/v2@v2.8.0: expected h1:planted-wrong-sum=, got h1:/,
    );
  });
});
