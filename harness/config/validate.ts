/**
 * Everything a run's configuration must satisfy before anything starts, checked once by the
 * test command's preflight: the schema (load.ts), the files it names (env file, compose files,
 * planted fault), the stack profile, and the host ports the stack will bind. Throws ConfigError
 * with ONE line naming the variable, its value and what is allowed (the preflight exits 2).
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { contractPorts } from './defaults.ts';
import { ConfigError, type HarnessConfig, loadConfig, repoRoot } from './load.ts';

/** `home-assistant-test` -> `HOME_ASSISTANT_TEST_HOST_PORT` (the variable docker-compose.test.yml reads). */
export const hostPortVariable = (service: string) =>
  `${service.toUpperCase().replaceAll('-', '_')}_HOST_PORT`;

/** Every `<SERVICE>_HOST_PORT` variable of the stack, from the contract's ports. */
export const hostPortVariables = (): string[] => Object.keys(contractPorts).map(hostPortVariable);

const invalid = (line: string) => new ConfigError('CONFIG_INVALID', line);

function readable(variable: string, value: string, path: string, what: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw invalid(`${variable}="${value}" is invalid: expected ${what} (${path} cannot be read)`);
  }
}

/** Resolves true when `port` can be bound on `host` right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The planted faults that exist: fixtures/faults/<name>.env or <name>.compose.yml. */
export function plantedFaults(root = repoRoot): string[] {
  const names = new Set<string>();
  for (const f of readdirSync(join(root, 'fixtures', 'faults'))) {
    const m = /^([a-z0-9-]+)\.(env|compose\.yml)$/.exec(f);
    if (m?.[1]) names.add(m[1]);
  }
  return [...names].sort();
}

async function checkHostPorts(cfg: HarnessConfig, env: Record<string, string | undefined>): Promise<void> {
  const bind = env.HOMEIQ_BIND?.trim() || '127.0.0.1';
  for (const [service, contractPort] of Object.entries(contractPorts)) {
    const variable = hostPortVariable(service);
    const raw = env[variable];
    let port: number | undefined;
    if (raw !== undefined && raw !== '') {
      if (!/^\d+$/.test(raw.trim()) || Number(raw) > 65_535)
        throw invalid(
          `${variable}="${raw}" is invalid: expected a TCP port between 0 and 65535 (0: Docker picks one)`,
        );
      port = Number(raw);
    } else if (cfg.compose.hostPorts === 'contract') port = contractPort;
    if (cfg.target !== 'compose' || port === undefined || port === 0) continue;
    if (!(await portFree(port, bind)))
      throw invalid(
        `${variable}=${port}: port ${port} on ${bind} is already in use: set ${variable} to a free port, or leave it unset${cfg.compose.hostPorts === 'contract' ? ' with HOMEIQ_HOST_PORTS=free' : ''} so the harness picks one`,
      );
  }
}

/**
 * Validate the whole harness configuration (process environment over HOMEIQ_ENV_FILE).
 * Returns the parsed configuration; throws ConfigError (one line) on the first bad input.
 */
export async function validateHarnessConfig(
  env: Record<string, string | undefined> = process.env,
  root = repoRoot,
): Promise<HarnessConfig> {
  const cfg = loadConfig(env, root);
  const value = (k: string, fallback: string) => env[k] ?? fallback;
  readable(
    'HOMEIQ_STACK_ENV_FILE',
    value('HOMEIQ_STACK_ENV_FILE', 'fixtures/env/env.test'),
    cfg.stackEnvFile,
    'a readable env file of the stack',
  );
  for (const f of cfg.compose.files)
    readable(
      'HOMEIQ_COMPOSE_FILES',
      value('HOMEIQ_COMPOSE_FILES', ''),
      f,
      'comma-separated readable compose files',
    );
  if (cfg.fault) {
    const faults = plantedFaults(root);
    if (!faults.includes(cfg.fault))
      throw invalid(`HOMEIQ_FAULT="${cfg.fault}" is invalid: expected one of ${faults.join(', ')}`);
  }
  if (cfg.target === 'local' && !existsSync(join(root, 'fixtures', 'reference-stack', 'run-local.ts')))
    throw invalid(
      'HOMEIQ_TARGET="local" is invalid: this checkout has no fixtures/reference-stack/run-local.ts',
    );
  await checkHostPorts(cfg, env);
  await checkProfile(env);
  return cfg;
}

/**
 * The stack profile loads (harness/profile: HOMEIQ_PROFILE once it names a file). The environment
 * is passed along for a loader that takes one; one that reads process.env sees the same in preflight.
 */
async function checkProfile(env: Record<string, string | undefined>): Promise<void> {
  const profile = (await import('../profile/index.ts')) as {
    activeProfile?: (env?: Record<string, string | undefined>) => unknown;
  };
  try {
    await profile.activeProfile?.(env);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const text = err instanceof Error ? err.message : String(err);
    throw invalid(text.split('\n')[0] ?? text);
  }
}
