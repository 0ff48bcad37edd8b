/**
 * A throwaway compose project of docker-compose.test.yml for this suite: unique project name, free
 * loopback host ports, `up --wait`, and `down -v` on every path. Failures carry the last log lines.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ulid } from 'ulid';
import { harnessHealthcheck } from '../../harness/config/defaults.ts';
import { writeOwnerOverride } from '../../harness/stack/compose-owner.ts';
import { createLogger } from '../../harness/util/log.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const log = createLogger('refstack-suite');

/** Host-port variables of docker-compose.test.yml that the suite talks to or that could collide. */
export const HOST_PORT_VARS = [
  'INFLUXDB_HOST_PORT',
  'HOME_ASSISTANT_TEST_HOST_PORT',
  'FAKE_UPSTREAMS_HOST_PORT',
  'DATA_API_HOST_PORT',
  'WEBSOCKET_INGESTION_TEST_HOST_PORT',
  'OPENAI_SERVICE_HOST_PORT',
  'AI_CORE_HOST_PORT',
  'DEVICE_INTELLIGENCE_HOST_PORT',
  'AUTOMATION_MINER_HOST_PORT',
  'AI_AUTOMATION_HOST_PORT',
  'DATA_GENERATOR_HOST_PORT',
  'WEATHER_API_HOST_PORT',
  'CARBON_INTENSITY_SERVICE_HOST_PORT',
  'ELECTRICITY_PRICING_SERVICE_HOST_PORT',
  'AIR_QUALITY_SERVICE_HOST_PORT',
  'CALENDAR_SERVICE_HOST_PORT',
  'SMART_METER_SERVICE_HOST_PORT',
  'SPORTS_DATA_HOST_PORT',
] as const;

export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  readonly code = 'COMPOSE_FAILED';
}

/** Compose service of a host-port variable: INFLUXDB_HOST_PORT -> influxdb. */
const serviceOf = (v: string): string =>
  v
    .replace(/_HOST_PORT$/, '')
    .toLowerCase()
    .replaceAll('_', '-');

interface PsEntry {
  Service: string;
  Publishers?: { PublishedPort: number; TargetPort: number }[] | null;
}

/** `compose ps --format json` prints an array (older) or one object per line (newer). */
function parsePs(out: string): PsEntry[] {
  const t = out.trim();
  if (t.startsWith('[')) return JSON.parse(t) as PsEntry[];
  return t
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PsEntry);
}

export function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

export interface ComposeProject {
  project: string;
  env: NodeJS.ProcessEnv;
  ports: Record<(typeof HOST_PORT_VARS)[number], number>;
  compose(args: string[], timeoutMs?: number): Promise<{ code: number | null; out: string }>;
  up(timeoutS: number): Promise<void>;
  /** Re-read the host ports (a restarted container is given a new one). */
  refreshPorts(): Promise<void>;
  logs(tail: number): Promise<string>;
  down(): Promise<void>;
}

/**
 * Extra compose files can be layered with REFSTACK_COMPOSE_OVERRIDES (comma-separated paths): this is
 * how the suite's checks are shown failing against planted faults.
 */
export async function composeProject(extraEnv: Record<string, string> = {}): Promise<ComposeProject> {
  const project = `homeiq-rs-${ulid().toLowerCase().slice(-10)}`;
  // Host port 0: Docker picks a free port at bind time, so concurrent projects cannot race for one
  // (choosing a "free" port first and binding later could collide). Read back after `up`.
  const ports = {} as ComposeProject['ports'];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(HOST_PORT_VARS.map((v) => [v, '0'])),
    ...harnessHealthcheck,
    HOMEIQ_BIND: '127.0.0.1',
    ...extraEnv,
  };
  const files = [
    'docker-compose.test.yml',
    ...(process.env.REFSTACK_COMPOSE_OVERRIDES ?? '').split(',').filter((f) => f !== ''),
  ];
  // Every container, network and volume of the project carries this run's owner labels.
  const owner = await writeOwnerOverride(
    { argv: ['docker', 'compose'], executable: { executablePath: 'docker' }, version: '' },
    {
      project,
      files: files.map((f) => resolve(REPO_ROOT, f)),
      profiles: ['test'],
      environment: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
    },
    REPO_ROOT,
  );
  files.push(owner.file);
  const base = ['docker', 'compose', '-p', project, ...files.flatMap((f) => ['-f', f]), '--profile', 'test'];
  const compose = (args: string[], timeoutMs = 120_000) => run([...base, ...args], env, timeoutMs);
  const refreshPorts = async () => {
    const ps = parsePs((await compose(['ps', '--format', 'json'])).out);
    for (const v of HOST_PORT_VARS) {
      const published = ps
        .find((e) => e.Service === serviceOf(v))
        ?.Publishers?.find((p) => p.PublishedPort > 0);
      if (!published)
        throw new ComposeError(`compose project ${project}: ${serviceOf(v)} publishes no host port (${v})`);
      ports[v] = published.PublishedPort;
    }
  };
  const logs = async (tail: number) => (await compose(['logs', '--no-color', '--tail', String(tail)])).out;
  return {
    project,
    env,
    ports,
    compose,
    logs,
    refreshPorts,
    up: async (timeoutS) => {
      log.info(`${project}: compose up (files ${files.join(', ')})`);
      const t0 = performance.now();
      const r = await compose(
        ['up', '-d', '--wait', '--wait-timeout', String(timeoutS)],
        (timeoutS + 60) * 1000,
      );
      if (r.code !== 0) {
        const ps = (await compose(['ps', '-a', '--format', '{{.Service}}: {{.Status}}'])).out;
        throw new ComposeError(
          `compose project ${project} did not reach all healthy within ${timeoutS}s (exit ${r.code}):\n${r.out.slice(-2000)}\nservices:\n${ps}\nlast log lines:\n${(await logs(15)).slice(-6000)}`,
        );
      }
      await refreshPorts();
      log.info(`${project}: all healthy after ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    },
    down: async () => {
      const r = await compose(['down', '-v', '--remove-orphans', '-t', '15'], 180_000);
      log.info(`${project}: down -v exit ${r.code}`);
      if (r.code === 0) owner.remove();
    },
  };
}
