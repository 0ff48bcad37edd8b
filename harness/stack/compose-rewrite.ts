/**
 * The compose config the harness boots, derived from a user's own files so it is safe on a real
 * home server (issue 9): the user's files are rendered by Compose itself (`docker compose config
 * --format json`: interpolation, env_file, extends, profiles) and then rewritten here, in one
 * pure function:
 *
 * - no fixed names: `container_name` dropped; network and volume `name` / `external` dropped,
 *   so every network and volume is scoped to the run's project (and removed with it);
 * - no internet: every network becomes `internal: true` (containers reach each other, nothing
 *   outside; the harness reaches them on their bridge address), `network_mode: host|bridge` is
 *   refused; so a collector's production-mode variant can only reach the fake upstreams;
 * - no host ports: `ports` become `expose` (nothing listens on the host, nothing clashes);
 * - no host paths: a bind mount becomes a run-scoped volume, except a read-only bind under the
 *   stack's own directories (its code and config; never the Docker socket);
 * - what the harness adds (the profile's `harnessAdds`, only when the config lacks them): the mock
 *   HA under the profile's service name, `influxdb-init` (onboards the profile's orgs and buckets,
 *   fills the token volume), `fake-upstreams`, and the `influxdb-tokens` volume;
 * - token delivery from the profile: `file` mounts the token volume at the file's directory (and
 *   sets `variable` to the path); `env` sets the variable to the test token, which exists only
 *   after InfluxDB's init ran: a two-phase boot (InfluxDB and its init first, then the rest).
 *
 * Every change is listed in `notes`, printed before anything starts.
 */
import { dirname, relative, sep } from 'node:path';
import type { StackProfile, TokenDelivery } from '../profile/types.ts';
import { HARNESS_LABEL } from './docker.ts';
import { StackError } from './types.ts';

/** A rendered compose model (`docker compose config --format json`); only the fields we touch are typed. */
export interface ComposeModel {
  name?: string;
  services: Record<string, ServiceModel>;
  networks?: Record<string, Record<string, unknown> | null>;
  volumes?: Record<string, Record<string, unknown> | null>;
  [key: string]: unknown;
}

export interface ServiceModel {
  image?: string;
  container_name?: string;
  ports?: Array<{ target: number; published?: string; host_ip?: string; protocol?: string }>;
  expose?: Array<string | number>;
  volumes?: Array<{
    type: string;
    source?: string;
    target: string;
    read_only?: boolean;
    [k: string]: unknown;
  }>;
  networks?: Record<string, unknown> | null;
  network_mode?: string;
  environment?: Record<string, string | null>;
  labels?: Record<string, string>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  [key: string]: unknown;
}

/** Services the harness can add to a stack (the profile's `harnessAdds`). */
export const harnessServices = ['mock-ha', 'influxdb-init', 'fake-upstreams'] as const;
export type HarnessService = (typeof harnessServices)[number];

export const INIT_SERVICE = 'influxdb-init';
export const UPSTREAMS_SERVICE = 'fake-upstreams';
export const TOKENS_VOLUME = 'influxdb-tokens';
export const TOKENS_DIR = '/run/homeiq/influxdb-tokens';
/** Interpolated at boot: the test token, known after phase 1 (empty during it). */
export const PHASE2_TOKEN_VARIABLE = 'HOMEIQ_RUN_TEST_TOKEN';

export interface RewriteOptions {
  profile: StackProfile;
  /** The project image (mock HA, init, fake upstreams). */
  appImage: string;
  /** Directories whose read-only bind mounts are kept (the stack's own code and config). */
  allowedBindRoots: string[];
  /** What the harness adds when missing (default: all). */
  adds?: readonly HarnessService[];
  /** Compose project of the run: `<project>_<key>` names are the project's own, not fixed ones. */
  project?: string;
  /**
   * Labels put on every service, network and volume beside com.homeiq.harness: the run's owner
   * labels (harness/docker/identity.ts), so a killed run's leftovers can be found and swept.
   */
  labels?: Record<string, string>;
}

export interface RewriteResult {
  model: ComposeModel;
  /** One line per change, for the up-front announcement. */
  notes: string[];
  /** Services the harness added. */
  added: string[];
  /** Phase 1 of a two-phase boot (InfluxDB and its init), or undefined for one `up`. */
  phase1?: string[] | undefined;
  /** Services given the test token in an environment variable (phase 2). */
  tokenByEnv: Array<{ service: string; variable: string }>;
}

const labelled = (labels: Record<string, string> | undefined, extra: Record<string, string> = {}) => ({
  ...(labels ?? {}),
  ...extra,
  [HARNESS_LABEL]: '1',
});

function under(path: string, roots: string[]): boolean {
  return roots.some((r) => {
    const rel = relative(r, path);
    return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
  });
}

/** The services of the model a role of the profile names, with their token delivery. */
function tokenReceivers(p: StackProfile): Array<{ service: string; token: TokenDelivery }> {
  const r = p.roles;
  const out: Array<{ service: string; token: TokenDelivery }> = [
    { service: r.ingestion.service, token: r.ingestion.token },
  ];
  if (r.dataGenerator?.token) out.push({ service: r.dataGenerator.service, token: r.dataGenerator.token });
  for (const a of r.aiServices) if (a.token) out.push({ service: a.service, token: a.token });
  for (const c of r.collectors) if (c.token) out.push({ service: c.service, token: c.token });
  return out;
}

function harnessService(kind: HarnessService, o: RewriteOptions): ServiceModel {
  const p = o.profile;
  const health = (url: string) => ({
    test: ['CMD', 'curl', '-fsS', url],
    interval: '1s',
    timeout: '3s',
    retries: 60,
    start_period: '20s',
  });
  const base = { image: o.appImage, labels: labelled({ 'com.homeiq.service': kind }, o.labels) };
  switch (kind) {
    case 'mock-ha':
      return {
        ...base,
        command: ['harness/mock-ha/cli.ts', '--port', String(p.roles.mockHa.port)],
        environment: {
          HA_TOKEN: '${HA_TOKEN}',
          MOCK_HA_CONTROL_TOKEN: '${MOCK_HA_CONTROL_TOKEN}',
          MOCK_HA_SEED: '${MOCK_HA_SEED:-1}',
          MOCK_HA_HOME_SIZE: '${MOCK_HA_HOME_SIZE:-small}',
        },
        expose: [String(p.roles.mockHa.port)],
        healthcheck: health(`http://127.0.0.1:${p.roles.mockHa.port}/_mock/health`),
        deploy: { resources: { limits: { memory: '268435456', cpus: 0.5 } } },
      };
    case 'influxdb-init':
      return {
        ...base,
        command: ['harness/influx/onboard-cli.ts'],
        restart: 'no',
        environment: {
          INFLUXDB_URL: `http://${p.roles.influxdb.service}:${p.roles.influxdb.port}`,
          INFLUXDB_ADMIN_USER: 'homeiq-admin',
          INFLUXDB_ADMIN_PASSWORD: 'homeiq-admin-password',
          INFLUXDB_ADMIN_TOKEN: '${INFLUXDB_ADMIN_TOKEN}',
          INFLUXDB_TOKENS_DIR: TOKENS_DIR,
          INFLUXDB_TOKEN_SCOPE: '${INFLUXDB_TOKEN_SCOPE:-}',
        },
        volumes: [{ type: 'volume', source: TOKENS_VOLUME, target: TOKENS_DIR }],
        depends_on: { [p.roles.influxdb.service]: { condition: 'service_started', required: true } },
        deploy: { resources: { limits: { memory: '134217728', cpus: 0.25 } } },
      };
    case 'fake-upstreams':
      return {
        ...base,
        command: ['fixtures/upstreams/serve.ts'],
        environment: { PORT: '8090' },
        expose: ['8090'],
        healthcheck: health('http://127.0.0.1:8090/_upstreams/health'),
        deploy: { resources: { limits: { memory: '134217728', cpus: 0.1 } } },
      };
  }
}

/** Rewrite a rendered model for one run of the harness (see the module comment). Pure. */
export function rewriteForRun(input: ComposeModel, o: RewriteOptions): RewriteResult {
  const model = structuredClone(input);
  const notes: string[] = [];
  const added: string[] = [];
  const p = o.profile;
  const refusals: string[] = [];
  delete model.name;

  const volumes: Record<string, Record<string, unknown> | null> = model.volumes ?? {};
  const networks: Record<string, Record<string, unknown> | null> = model.networks ?? {};

  // What the harness adds, when the stack lacks it.
  const nameOf = (kind: HarnessService) => (kind === 'mock-ha' ? p.roles.mockHa.service : kind);
  for (const kind of o.adds ?? harnessServices) {
    const name = nameOf(kind);
    if (model.services[name]) continue;
    model.services[name] = harnessService(kind, o);
    added.push(name);
    notes.push(`adds ${name} (${kind === 'mock-ha' ? 'mock Home Assistant' : kind})`);
  }
  const hasInit = model.services[INIT_SERVICE] !== undefined;
  if (hasInit && !Object.hasOwn(volumes, TOKENS_VOLUME)) {
    volumes[TOKENS_VOLUME] = {};
    notes.push(`adds volume ${TOKENS_VOLUME} (test and production tokens written by ${INIT_SERVICE})`);
  }
  if (hasInit) {
    // The layout comes from the profile (with its overrides), whoever defined the init service.
    const init = model.services[INIT_SERVICE] as ServiceModel;
    const { test, production } = p.roles.influxdb;
    init.environment = {
      ...(init.environment ?? {}),
      INFLUXDB_TEST_ORG: test.org,
      INFLUXDB_TEST_BUCKET: test.bucket,
      INFLUXDB_PROD_ORG: production.org,
      INFLUXDB_PROD_BUCKET: production.bucket,
    };
  }

  // Token delivery (only where the harness's init fills the token volume).
  const tokenByEnv: RewriteResult['tokenByEnv'] = [];
  if (hasInit) {
    for (const { service, token } of tokenReceivers(p)) {
      const svc = model.services[service];
      if (!svc) continue;
      svc.environment = { ...(svc.environment ?? {}) };
      if (token.kind === 'env') {
        svc.environment[token.variable] = `\${${PHASE2_TOKEN_VARIABLE}}`;
        tokenByEnv.push({ service, variable: token.variable });
        notes.push(`${service}: ${token.variable} = the run's test-scoped token (two-phase boot)`);
      } else {
        const dir = dirname(token.path);
        const mounts = svc.volumes ?? [];
        if (!mounts.some((m) => m.target === dir)) {
          svc.volumes = [...mounts, { type: 'volume', source: TOKENS_VOLUME, target: dir, read_only: true }];
          notes.push(`${service}: token volume mounted read-only at ${dir}`);
        }
        // A value the compose files already give is kept: which token file the service reads is its
        // own configuration, judged by the safety interlock (a production token refuses the run),
        // never silently corrected here.
        const given = token.variable ? svc.environment[token.variable] : undefined;
        if (token.variable && (given === undefined || given === null || given === ''))
          svc.environment[token.variable] = token.path;
        else if (token.variable && given !== token.path)
          notes.push(
            `${service}: ${token.variable} kept as its compose files set it (${String(given)}, the profile expects ${token.path}); the interlock judges that token`,
          );
      }
    }
  }

  for (const [name, svc] of Object.entries(model.services)) {
    if (svc.container_name !== undefined) {
      notes.push(`${name}: container_name "${svc.container_name}" dropped (compose names it per run)`);
      delete svc.container_name;
    }
    if (svc.network_mode !== undefined) {
      const mode = svc.network_mode;
      if (mode === 'host' || mode === 'bridge')
        refusals.push(
          `${name}: network_mode "${mode}" can reach the host's network and the internet; expected the project's networks (remove network_mode, or override it in a compose file of your profile)`,
        );
      // `service:x` / `container:x` / `none` share another namespace or none: confined already.
    }
    if (svc.ports && svc.ports.length > 0) {
      const shown = svc.ports.map(
        (x) => `${x.host_ip ? `${x.host_ip}:` : ''}${x.published ?? ''}:${x.target}`,
      );
      svc.expose = [
        ...new Set([...(svc.expose ?? []).map(String), ...svc.ports.map((x) => String(x.target))]),
      ];
      delete svc.ports;
      notes.push(`${name}: host ports ${shown.join(', ')} not published (reached on its run-scoped network)`);
    }
    svc.volumes = svc.volumes?.map((m, i) => {
      if (m.type !== 'bind' || m.source === undefined) return m;
      const keep =
        m.read_only === true && under(m.source, o.allowedBindRoots) && !/docker\.sock$/.test(m.source);
      if (keep) return m;
      const volume = `bind-${name}-${i}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
      volumes[volume] = { labels: labelled(undefined, o.labels) };
      notes.push(
        `${name}: host path ${m.source} -> run-scoped volume ${volume} at ${m.target}${m.read_only ? ' (read-only bind outside the stack directory)' : ''}`,
      );
      const { bind: _bind, source: _source, ...rest } = m;
      return { ...rest, type: 'volume', source: volume, volume: {} };
    });
    if (svc.volumes === undefined) delete svc.volumes;
    svc.labels = labelled(svc.labels, o.labels);
    // A service on no explicit network is on `default`.
    if (svc.network_mode === undefined && (svc.networks === undefined || svc.networks === null)) {
      svc.networks = { default: null };
    }
    for (const net of Object.keys(svc.networks ?? {})) networks[net] ??= {};
  }
  for (const v of o.profile.roles.aiServices) {
    const svc = model.services[v.service];
    if (svc) svc.expose = [...new Set([...(svc.expose ?? []).map(String), String(v.port)])];
  }
  for (const [name, net] of Object.entries(networks)) {
    const n = { ...(net ?? {}) };
    if (n.external)
      notes.push(`network ${name}: external${n.name ? ` "${n.name}"` : ''} replaced by a run-scoped one`);
    else if (n.name && n.name !== `${o.project}_${name}`)
      notes.push(`network ${name}: fixed name "${n.name}" dropped`);
    delete n.external;
    delete n.name;
    n.internal = true;
    n.labels = labelled(n.labels as Record<string, string> | undefined, o.labels);
    networks[name] = n;
  }
  if (Object.keys(networks).length > 0)
    notes.push(`networks ${Object.keys(networks).join(', ')}: internal (no route to the internet)`);
  for (const [name, vol] of Object.entries(volumes)) {
    const v = { ...(vol ?? {}) };
    if (v.external)
      notes.push(`volume ${name}: external${v.name ? ` "${v.name}"` : ''} replaced by a run-scoped one`);
    else if (v.name && v.name !== `${o.project}_${name}`)
      notes.push(`volume ${name}: fixed name "${v.name}" dropped`);
    delete v.external;
    delete v.name;
    v.labels = labelled(v.labels as Record<string, string> | undefined, o.labels);
    volumes[name] = v;
  }
  if (refusals.length > 0)
    throw new StackError('STACK_BOOT_FAILED', `refusing to start the stack:\n${refusals.join('\n')}`);
  model.networks = networks;
  model.volumes = volumes;
  const influx = p.roles.influxdb.service;
  const phase1 =
    tokenByEnv.length > 0 && hasInit && model.services[influx] ? [influx, INIT_SERVICE] : undefined;
  return { model, notes, added, phase1, tokenByEnv };
}
