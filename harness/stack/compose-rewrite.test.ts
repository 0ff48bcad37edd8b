import { describe, expect, it } from 'vitest';
import { referenceProfile } from '../profile/index.ts';
import type { StackProfile } from '../profile/types.ts';
import { type ComposeModel, PHASE2_TOKEN_VARIABLE, rewriteForRun } from './compose-rewrite.ts';

/** A user's stack as `docker compose config --format json` renders it: fixed names, host ports, host paths, an external network. */
function userStack(): ComposeModel {
  return {
    name: 'myhome',
    services: {
      influx: {
        image: 'influxdb:2.7',
        container_name: 'influxdb',
        ports: [{ target: 8086, published: '8086', protocol: 'tcp' }],
        volumes: [{ type: 'bind', source: '/srv/influx', target: '/var/lib/influxdb2' }],
      },
      ingest: {
        image: 'me/ingest:1',
        container_name: 'ha-ingest',
        environment: { INFLUX_TOKEN: 'real-production-token' },
        ports: [{ target: 9000, published: '9000', host_ip: '0.0.0.0', protocol: 'tcp' }],
        volumes: [
          { type: 'bind', source: '/home/me/stack/config.yml', target: '/app/config.yml', read_only: true },
          { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: true },
          { type: 'bind', source: '/home/me/stack/state', target: '/state' },
        ],
        networks: { proxy: null },
      },
      weather: { image: 'me/weather:1', environment: { API_KEY: 'real-key' } },
    },
    networks: { proxy: { name: 'traefik', external: true }, default: { name: 'myhome_default' } },
    volumes: { data: { name: 'fixed-data' } },
  };
}

function profile(): StackProfile {
  const p = structuredClone(referenceProfile);
  p.roles.ingestion = {
    service: 'ingest',
    port: 9000,
    token: { kind: 'env', variable: 'INFLUX_TOKEN' },
    modeVariable: 'MODE',
  };
  p.roles.influxdb = { ...p.roles.influxdb, service: 'influx' };
  p.roles.collectors = [{ service: 'weather', upstreamHosts: [] }];
  p.roles.aiServices = [];
  p.roles.metadataStore = undefined;
  p.roles.dataGenerator = undefined;
  p.roles.mockHa = { service: 'homeassistant', port: 8123 };
  p.harnessAdds = ['mock-ha', 'influxdb-init', 'fake-upstreams'];
  return p;
}

const opts = () => ({ profile: profile(), appImage: 'homeiq/app:t', allowedBindRoots: ['/home/me/stack'] });

describe('compose rewrite for a run on a real home server', () => {
  it("puts the run's owner labels on every service, network and volume (the sweep finds them)", () => {
    const owner = { 'com.homeiq.owner.run': 'h1-123-456', 'com.homeiq.owner.pid': '123' };
    const { model } = rewriteForRun(userStack(), { ...opts(), labels: owner });
    const all = [
      ...Object.entries(model.services).map(([k, v]) => [`service ${k}`, v?.labels] as const),
      ...Object.entries(model.networks ?? {}).map(([k, v]) => [`network ${k}`, v?.labels] as const),
      ...Object.entries(model.volumes ?? {}).map(([k, v]) => [`volume ${k}`, v?.labels] as const),
    ];
    expect(all.map(([k]) => k)).toEqual(expect.arrayContaining(['service homeassistant', 'network default']));
    for (const [what, labels] of all)
      expect(labels, what).toMatchObject({ ...owner, 'com.homeiq.harness': '1' });
  });

  it('drops fixed container, network and volume names and the project name', () => {
    const { model, notes } = rewriteForRun(userStack(), opts());
    expect(model.name).toBeUndefined();
    for (const svc of Object.values(model.services)) expect(svc.container_name).toBeUndefined();
    expect(model.networks?.proxy).toEqual({ internal: true, labels: { 'com.homeiq.harness': '1' } });
    expect(model.volumes?.data).toEqual({ labels: { 'com.homeiq.harness': '1' } });
    expect(notes).toContain('ingest: container_name "ha-ingest" dropped (compose names it per run)');
    expect(notes).toContain('network proxy: external "traefik" replaced by a run-scoped one');
  });

  it('publishes no host port: ports become exposed container ports', () => {
    const { model, notes } = rewriteForRun(userStack(), opts());
    expect(model.services.ingest?.ports).toBeUndefined();
    expect(model.services.ingest?.expose).toEqual(['9000']);
    expect(notes).toContain(
      'ingest: host ports 0.0.0.0:9000:9000 not published (reached on its run-scoped network)',
    );
  });

  it('makes every network internal, so nothing (a collector with a real key included) reaches the internet', () => {
    const { model } = rewriteForRun(userStack(), opts());
    for (const net of Object.values(model.networks ?? {})) expect(net?.internal).toBe(true);
    expect(model.services.weather?.networks).toEqual({ default: null });
  });

  it('replaces host paths by run-scoped volumes, keeping read-only binds of the stack directory but never the Docker socket', () => {
    const { model } = rewriteForRun(userStack(), opts());
    const mounts = model.services.ingest?.volumes ?? [];
    expect(mounts[0]).toEqual({
      type: 'bind',
      source: '/home/me/stack/config.yml',
      target: '/app/config.yml',
      read_only: true,
    });
    expect(mounts[1]).toEqual({
      type: 'volume',
      source: 'bind-ingest-1',
      target: '/var/run/docker.sock',
      read_only: true,
      volume: {},
    });
    expect(mounts[2]).toEqual({ type: 'volume', source: 'bind-ingest-2', target: '/state', volume: {} });
    expect(model.services.influx?.volumes?.[0]?.type).toBe('volume');
    expect(Object.keys(model.volumes ?? {})).toEqual(
      expect.arrayContaining(['bind-ingest-1', 'bind-ingest-2', 'bind-influx-0', 'influxdb-tokens']),
    );
  });

  it("adds the mock HA under the profile's name, InfluxDB init with the profile's layout, and the fake upstreams", () => {
    const p = opts();
    p.profile.roles.influxdb.test = { org: 'home', bucket: 'events_test' };
    p.profile.roles.influxdb.production = { org: 'home', bucket: 'events' };
    const { model, added } = rewriteForRun(userStack(), p);
    expect(added).toEqual(['homeassistant', 'influxdb-init', 'fake-upstreams']);
    expect(model.services.homeassistant?.command).toEqual(['harness/mock-ha/cli.ts', '--port', '8123']);
    expect(model.services['influxdb-init']?.environment).toMatchObject({
      INFLUXDB_URL: 'http://influx:8086',
      INFLUXDB_TEST_ORG: 'home',
      INFLUXDB_TEST_BUCKET: 'events_test',
      INFLUXDB_PROD_ORG: 'home',
      INFLUXDB_PROD_BUCKET: 'events',
    });
    expect(model.services['fake-upstreams']?.image).toBe('homeiq/app:t');
  });

  it("gives a service that reads its token from the environment the run's test token: a two-phase boot", () => {
    const { model, phase1, tokenByEnv } = rewriteForRun(userStack(), opts());
    expect(model.services.ingest?.environment?.INFLUX_TOKEN).toBe(`\${${PHASE2_TOKEN_VARIABLE}}`);
    expect(phase1).toEqual(['influx', 'influxdb-init']);
    expect(tokenByEnv).toEqual([{ service: 'ingest', variable: 'INFLUX_TOKEN' }]);
  });

  it('mounts the token volume for file delivery and boots in one phase', () => {
    const p = opts();
    p.profile.roles.ingestion.token = {
      kind: 'file',
      path: '/run/secrets/influx/test.token',
      variable: 'INFLUX_TOKEN_FILE',
    };
    const { model, phase1 } = rewriteForRun(userStack(), p);
    expect(model.services.ingest?.volumes?.at(-1)).toEqual({
      type: 'volume',
      source: 'influxdb-tokens',
      target: '/run/secrets/influx',
      read_only: true,
    });
    expect(model.services.ingest?.environment?.INFLUX_TOKEN_FILE).toBe('/run/secrets/influx/test.token');
    expect(phase1).toBeUndefined();
  });

  it('keeps a token file the compose files point the service at (the interlock judges it), never corrects it silently', () => {
    const p = opts();
    p.profile.roles.ingestion.token = {
      kind: 'file',
      path: '/run/secrets/influx/test.token',
      variable: 'INFLUX_TOKEN_FILE',
    };
    const stack = userStack();
    const ingest = stack.services.ingest;
    if (ingest) ingest.environment = { INFLUX_TOKEN_FILE: '/run/secrets/influx/prod.token' };
    const { model, notes } = rewriteForRun(stack, p);
    expect(model.services.ingest?.environment?.INFLUX_TOKEN_FILE).toBe('/run/secrets/influx/prod.token');
    expect(notes).toContain(
      'ingest: INFLUX_TOKEN_FILE kept as its compose files set it (/run/secrets/influx/prod.token, the profile expects /run/secrets/influx/test.token); the interlock judges that token',
    );
  });

  it('adds nothing the stack already has or the profile does not ask for', () => {
    const stack = userStack();
    stack.services.homeassistant = { image: 'mine' };
    const { added } = rewriteForRun(stack, { ...opts(), adds: ['mock-ha'] });
    expect(added).toEqual([]);
  });

  it('refuses host networking, naming the service and how to fix it', () => {
    const stack = userStack();
    (stack.services.weather as { network_mode?: string }).network_mode = 'host';
    expect(() => rewriteForRun(stack, opts())).toThrow(
      'refusing to start the stack:\nweather: network_mode "host" can reach the host\'s network and the internet; expected the project\'s networks (remove network_mode, or override it in a compose file of your profile)',
    );
  });
});
