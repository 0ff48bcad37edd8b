/**
 * The `local` target: the reference services as processes, started by the stack engineer's
 * fixtures/reference-stack/run-local.ts (`--mode test --port-offset N`). The runner prints one
 * `<service> <url><health path>` line per service once all are healthy; the harness reads the
 * URLs from there, keeps the runner's output for log tails, and stops it (SIGTERM) on down().
 * Each run gets its own state directory (InfluxDB data, token files, SQLite data root), removed on
 * down(), so runs never see each other's data. Processes have no containers: controls are logs and
 * files (a service's `/app/...` is `<state>/...`, as data-api's DATA_ROOT is the state directory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HarnessConfig } from '../config/load.ts';
import { readStackEnv } from '../config/load.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { childExit, waitFor } from '../util/wait.ts';
import { onInterrupt } from './cleanup.ts';
import { type Capability, refusedControls, StackError, type StartedStack } from './types.ts';

const MAX_LINES = 5_000;

/** `websocket-ingestion-test     http://127.0.0.1:8002/health` -> [name, base URL]. */
export function parseServiceLine(line: string): [string, string] | undefined {
  const m = /^([a-z][a-z0-9-]*)\s+(https?:\/\/[^/\s]+)(\/\S*)?/.exec(line.trim());
  return m ? [m[1] as string, m[2] as string] : undefined;
}

export async function startLocalStack(
  cfg: HarnessConfig,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const runner = join(cfg.repoRoot, 'fixtures', 'reference-stack', 'run-local.ts');
  if (!existsSync(runner))
    throw new StackError('STACK_BOOT_FAILED', `HOMEIQ_TARGET=local needs ${runner}, which does not exist`);
  const stackEnv = readStackEnv(cfg.stackEnvFile);
  const adminToken = cfg.tokens.influxAdmin ?? `homeiq-harness-admin-${randomBytes(12).toString('hex')}`;
  const controlToken =
    cfg.tokens.mockHaControl ?? `homeiq-harness-control.${randomBytes(12).toString('hex')}`;
  const lines: string[] = [];
  const urls = new Map<string, string>();
  const state = join(cfg.repoRoot, '.cache', 'stack-local', `run-${randomBytes(6).toString('hex')}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [runner, '--mode', 'test', '--port-offset', String(cfg.local.portOffset), '--state-dir', state],
    {
      cwd: cfg.repoRoot,
      env: { ...process.env, INFLUXDB_ADMIN_TOKEN: adminToken, MOCK_HA_CONTROL_TOKEN: controlToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (fromStdout: boolean) => (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) {
      if (!l) continue;
      lines.push(l);
      const svc = fromStdout ? parseServiceLine(l) : undefined;
      if (svc) urls.set(svc[0], svc[1]);
    }
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  child.stdout?.on('data', keep(true));
  child.stderr?.on('data', keep(false));
  const unregister = onInterrupt('local stack', () => child.kill('SIGTERM'));
  let downed = false;
  const down = async () => {
    if (downed) return;
    downed = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await waitFor(
        async () => ({ done: child.exitCode !== null || child.signalCode !== null, seen: 'running' }),
        {
          what: 'run-local.ts to exit after SIGTERM',
          timeoutMs: 30_000,
        },
      ).catch(() => child.kill('SIGKILL'));
    }
    rmSync(state, { recursive: true, force: true });
    unregister();
  };
  try {
    await waitFor(
      async () => {
        const seen = `${urls.size} service lines so far`;
        if (child.exitCode !== null)
          return { done: false, seen, fatal: `run-local.ts exited ${child.exitCode}` };
        return { done: urls.has('influxdb'), seen };
      },
      {
        what: 'run-local.ts to report every service healthy',
        timeoutMs: cfg.startupTimeoutMs,
        abandonWhen: childExit(child).then((how) => `run-local.ts ${how.replace(/^it /, '')}`),
      },
    );
  } catch (err) {
    await down();
    throw new StackError(
      'STACK_BOOT_FAILED',
      `${err instanceof Error ? err.message : String(err)}\nlast lines of run-local.ts:\n${lines.slice(-30).join('\n')}`,
    );
  }
  log.info(`local stack healthy: ${urls.size} services`);
  const tokensDir = join(state, 'influxdb-tokens');
  const tokenFile = (n: string) => {
    try {
      return readFileSync(join(tokensDir, n), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const capabilities: ReadonlySet<Capability> = new Set<Capability>(['logs', 'files']);
  const stack: StartedStack = {
    target: 'local',
    capabilities,
    tokens: {
      influxAdmin: adminToken,
      influxTest: cfg.tokens.influxTest ?? tokenFile('test.token'),
      influxProd: cfg.tokens.influxProd ?? tokenFile('prod.token'),
      ha: cfg.tokens.ha ?? stackEnv.HA_TOKEN,
      mockHaControl: controlToken,
    },
    services: () => [...urls.keys()].sort(),
    url(service) {
      const u = urls.get(service);
      if (!u)
        throw new StackError(
          'STACK_UNKNOWN_SERVICE',
          `local target knows no service "${service}" (services: ${[...urls.keys()].join(', ')})`,
        );
      return u;
    },
    containerId: () => undefined,
    readFiles: async (service, path) => {
      if (!path.startsWith('/app/'))
        throw new StackError(
          'STACK_UNKNOWN_SERVICE',
          `local target maps only /app/... of ${service}, not ${path}`,
        );
      const root = join(state, path.slice('/app/'.length));
      if (!existsSync(root)) return [];
      return readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => {
          const full = join(e.parentPath, e.name);
          return { name: relative(root, full), data: readFileSync(full) };
        });
    },
    logs: async (service, n = 50) => {
      const mine = lines.filter((l) => l.includes(service));
      return (mine.length ? mine : lines).slice(-n).join('\n');
    },
    ...refusedControls(() => stack),
    down,
    [Symbol.asyncDispose]: down,
  };
  return stack;
}
