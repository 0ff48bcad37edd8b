import { describe, expect, it, vi } from 'vitest';
import { referenceProfile } from '../profile/index.ts';
import { loadProfile } from '../profile/load.ts';
import type { StartedStack } from '../stack/types.ts';
import { SafetyError } from './guard.ts';
import { type FiringEvidence, gatherFiringEvidence, judgeFiring } from './interlock.ts';

const foreign = loadProfile('fixtures/foreign-stack/stack.profile.json');

// The container's environment as docker inspect gives it (only the test that names a container uses it).
vi.mock('../stack/docker.ts', () => ({
  inspect: async () => ({
    Config: { Env: ['DEPLOYMENT_MODE=test', 'INFLUXDB_TOKEN_FILE=/run/homeiq/influxdb-tokens/prod.token'] },
  }),
}));

function refusal(fn: () => unknown): SafetyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SafetyError) return e;
    throw e;
  }
  throw new Error('expected a SafetyError');
}

const probes = (allowed: string[]) =>
  ['home/events_test', 'home/events', 'home/_monitoring', 'home/_tasks', 'other/energy'].map((ob) => {
    const [org, bucket] = ob.split('/') as [string, string];
    const ok = allowed.includes(ob);
    return { org, bucket, allowed: ok, status: ok ? 204 : 403 };
  });

const evidence = (over: Partial<FiringEvidence> = {}): FiringEvidence => ({
  service: 'ha-ingest',
  missing: { health: 'no roles.ingestion.health.deploymentMode (optional)' },
  containerMode: { variable: 'DEPLOYMENT_MODE', value: 'test' },
  tokenSource: 'environment variable INFLUXDB_TOKEN of ha-ingest',
  scope: probes(['home/events_test', 'home/_monitoring']),
  ...over,
});

describe('safety interlock before firing synthetic events', () => {
  it("fires on proof: the service's token writes the test bucket and no other (system buckets aside), no mode reported", () => {
    expect(judgeFiring(foreign, evidence())).toEqual([
      'token (environment variable INFLUXDB_TOKEN of ha-ingest) writes home/events_test and no other bucket (5 probed)',
      'DEPLOYMENT_MODE=test',
    ]);
  });

  it('refuses a token that can also write the production bucket of the same org, naming both', () => {
    const e = refusal(() =>
      judgeFiring(foreign, evidence({ scope: probes(['home/events_test', 'home/events']) })),
    );
    expect(e.code).toBe('SAFETY_UNVERIFIED_SERVICE');
    expect(e.message).toBe(
      `refused: synthetic events to ha-ingest: the token it was given (environment variable INFLUXDB_TOKEN of ha-ingest) can write home/events (HTTP 204), not only the test bucket home/events_test; expected a token scoped to home/events_test (roles.ingestion.token of ${foreign.source})`,
    );
  });

  it('refuses when the token cannot be read, saying what was missing and how to give it', () => {
    const e = refusal(() =>
      judgeFiring(
        foreign,
        evidence({
          scope: undefined,
          containerMode: undefined,
          missing: {
            environment:
              'the attach target has no container for ha-ingest: run it with HOMEIQ_TARGET=compose, or attach with HOMEIQ_ATTACH_PROJECT=<its compose project>',
            token: "ha-ingest's container environment is unknown",
          },
        }),
      ),
    );
    expect(e.message).toBe(
      "refused: synthetic events to ha-ingest: no proof they can only land in home/events_test; missing the scope of the InfluxDB token ha-ingest was given (ha-ingest's container environment is unknown) (also unknown: environment: the attach target has no container for ha-ingest: run it with HOMEIQ_TARGET=compose, or attach with HOMEIQ_ATTACH_PROJECT=<its compose project>)",
    );
  });

  it('refuses a token that cannot even write the test bucket (it would not be the test token)', () => {
    const e = refusal(() => judgeFiring(foreign, evidence({ scope: probes([]) })));
    expect(e.message).toMatch(
      /missing a token that can write the test bucket home\/events_test \(environment variable INFLUXDB_TOKEN of ha-ingest: HTTP 403\)/,
    );
  });

  it('refuses at once when the container or the mapped health field says production', () => {
    expect(
      refusal(() =>
        judgeFiring(
          foreign,
          evidence({ containerMode: { variable: 'DEPLOYMENT_MODE', value: 'production' } }),
        ),
      ).message,
    ).toBe(
      'refused: synthetic events to ha-ingest: its container runs with DEPLOYMENT_MODE=production (expected test)',
    );
    expect(
      refusal(() =>
        judgeFiring(foreign, evidence({ healthMode: { field: 'deployment_mode', value: 'production' } })),
      ).code,
    ).toBe('SAFETY_PRODUCTION_SERVICE');
  });

  it('gathers what a target without containers cannot give, and the judge refuses on it', async () => {
    const stack = {
      target: 'attach',
      containerId: () => undefined,
      tokens: {},
      readFiles: async () => {
        throw new Error('no files capability');
      },
      url: () => 'http://127.0.0.1:1',
    } as unknown as StartedStack;
    const ev = await gatherFiringEvidence(stack, foreign);
    expect(ev.scope).toBeUndefined();
    expect(ev.missing.environment).toMatch(/HOMEIQ_ATTACH_PROJECT/);
    expect(() => judgeFiring(foreign, ev)).toThrow(/no proof they can only land in home\/events_test/);
  });

  it('reads the token file the container is pointed at (its variable), not the one the profile expects', async () => {
    const read: string[] = [];
    const stack = {
      target: 'compose',
      containerId: () => 'c1',
      tokens: {},
      readFiles: async (_service: string, dir: string) => {
        read.push(dir);
        return [
          { name: 'prod.token', data: Buffer.from('prod-secret\n') },
          { name: 'test.token', data: Buffer.from('test-secret\n') },
        ];
      },
      url: () => 'http://127.0.0.1:1',
    } as unknown as StartedStack;
    const ev = await gatherFiringEvidence(stack, referenceProfile);
    expect(read).toEqual(['/run/homeiq/influxdb-tokens']);
    expect(ev.tokenSource).toBe(
      'file /run/homeiq/influxdb-tokens/prod.token of websocket-ingestion-test (INFLUXDB_TOKEN_FILE; the profile expects /run/homeiq/influxdb-tokens/test.token)',
    );
    expect(ev.missing.token).toBeUndefined();
  });
});
