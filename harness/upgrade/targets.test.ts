import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProfile, referenceProfile } from '../profile/index.ts';
import type { StartedStack } from '../stack/types.ts';
import type { Capture } from './capture.ts';
import { compareBuckets } from './compare.ts';
import { captureSqlite } from './sqlite.ts';
import { upgradeTargets } from './targets.ts';
import { unheldTokens } from './token-audit.ts';

const root = resolve(import.meta.dirname, '..', '..');
const foreignPath = 'fixtures/foreign-stack/stack.profile.json';
const foreign = loadProfile(resolve(root, foreignPath));

const emptyCapture = (): Capture => ({
  url: 'http://x',
  takenAt: '',
  version: '2.8.0',
  health: 'pass',
  setupAllowed: false,
  cutoff: '2026-11-30T00:00:00Z',
  orgs: [],
  buckets: [],
  counts: [],
  sample: [],
  authorizations: [],
  flux: [],
});

describe('upgrade targets come from the stack profile, not the reference defaults', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('names the foreign-shaped stack’s InfluxDB service, one-org buckets and metadata store', () => {
    expect(upgradeTargets(foreign)).toEqual({
      influxdb: 'tsdb',
      test: { org: 'home', bucket: 'events_test' },
      production: { org: 'home', bucket: 'events' },
      sqlite: { service: 'metadata', dataDir: '/app/data', file: 'test/metadata.db' },
    });
  });

  it('names the reference stack’s when it is the profile', () => {
    const t = upgradeTargets(referenceProfile);
    expect(t.influxdb).toBe('influxdb');
    expect(t.production).toEqual({ org: 'homeiq', bucket: 'home_assistant_events' });
    expect(t.sqlite?.service).toBe('data-api');
  });

  it('follows HOMEIQ_PROFILE and the org/bucket overrides by default', () => {
    vi.stubEnv('HOMEIQ_PROFILE', foreignPath);
    vi.stubEnv('HOMEIQ_PROD_BUCKET', 'events_live');
    const t = upgradeTargets();
    expect(t.influxdb).toBe('tsdb');
    expect(t.production).toEqual({ org: 'home', bucket: 'events_live' });
  });

  it('findings name the active profile’s InfluxDB service', () => {
    vi.stubEnv('HOMEIQ_PROFILE', foreignPath);
    expect(compareBuckets(emptyCapture(), emptyCapture()).service).toBe('tsdb');
    expect(unheldTokens(emptyCapture(), new Map(), '2.9.1').service).toBe('tsdb');
  });

  it('reads the SQLite of the profile’s metadata store, and says so when the profile maps none', async () => {
    vi.stubEnv('HOMEIQ_PROFILE', foreignPath);
    const asked: string[] = [];
    const stack = {
      readFiles: async (service: string, path: string) => {
        asked.push(`${service}:${path}`);
        return [];
      },
    } as unknown as StartedStack;
    const got = await captureSqlite(stack);
    expect(asked).toEqual(['metadata:/app/data']);
    expect(got).toMatchObject({ service: 'metadata', error: 'no test/metadata.db under /app/data' });
    const { sqlite: _, ...noStore } = upgradeTargets(foreign);
    const none = await captureSqlite(stack, noStore);
    expect(none.error).toMatch(/maps no metadata store \(roles\.metadataStore\)/);
  });
});
