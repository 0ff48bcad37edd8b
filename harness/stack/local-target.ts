/**
 * The `local` target: the reference services as processes, started by the stack engineer's
 * fixtures/reference-stack/run-local.ts on the contract ports of this machine. The harness
 * waits for every service's /health, keeps the runner's output for log tails, and stops the
 * runner (SIGTERM, then SIGKILL) on down().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { contractPorts } from '../config/defaults.ts';
import type { HarnessConfig } from '../config/load.ts';
import { readStackEnv } from '../config/load.ts';
import { health } from '../probes/http.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import { onInterrupt } from './cleanup.ts';
import {
  type Capability,
  requireCapability,
  StackError,
  type StartedStack,
  type VariantResult,
} from './types.ts';

const MAX_LINES = 5_000;

export async function startLocalStack(
  cfg: HarnessConfig,
  log: Logger = createLogger('stack'),
): Promise<StartedStack> {
  const runner = join(cfg.repoRoot, 'fixtures', 'reference-stack', 'run-local.ts');
  if (!existsSync(runner))
    throw new StackError(
      'STACK_BOOT_FAILED',
      `HOMEIQ_TARGET=local needs ${runner}, which does not exist (yet)`,
    );
  const stackEnv = readStackEnv(cfg.stackEnvFile);
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [runner], {
    cwd: cfg.repoRoot,
    env: { ...process.env, ...stackEnv, DEPLOYMENT_MODE: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const unregister = onInterrupt('local stack', () => child.kill('SIGKILL'));
  const urls = new Map<string, string>();
  for (const [svc, port] of Object.entries(contractPorts)) urls.set(svc, `http://127.0.0.1:${port}`);
  for (const [svc, url] of Object.entries(cfg.attach.urls)) urls.set(svc, url);
  let downed = false;
  const down = async () => {
    if (downed) return;
    downed = true;
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await waitFor(
        async () => ({ done: child.exitCode !== null || child.signalCode !== null, seen: 'running' }),
        {
          what: 'run-local.ts to exit after SIGTERM',
          timeoutMs: 10_000,
        },
      ).catch(() => child.kill('SIGKILL'));
    }
    unregister();
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new StackError('STACK_BOOT_FAILED', `run-local.ts exited ${child.exitCode}`);
        const results = await Promise.all(
          ['websocket-ingestion-test', 'data-api'].map(
            async (s) =>
              [s, (await health(urls.get(s) as string).catch(() => ({ status: 0 }))).status] as const,
          ),
        );
        const bad = results.filter(([, st]) => st !== 200);
        return {
          done: bad.length === 0,
          seen: bad.map(([s, st]) => `${s} ${st}`).join(', ') || 'all healthy',
        };
      },
      { what: 'the local reference services to answer /health', timeoutMs: cfg.startupTimeoutMs },
    );
  } catch (err) {
    await down();
    throw new StackError(
      'STACK_BOOT_FAILED',
      `${err instanceof Error ? err.message : String(err)}\nlast lines of run-local.ts:\n${lines.slice(-30).join('\n')}`,
    );
  }
  log.info('local stack healthy');
  const capabilities: ReadonlySet<Capability> = new Set<Capability>(['logs']);
  const stack: StartedStack = {
    target: 'local',
    capabilities,
    tokens: {
      influxAdmin: cfg.tokens.influxAdmin ?? stackEnv.INFLUXDB_ADMIN_TOKEN,
      influxTest: cfg.tokens.influxTest ?? stackEnv.INFLUXDB_TEST_TOKEN,
      influxProd: cfg.tokens.influxProd ?? stackEnv.INFLUXDB_PROD_TOKEN,
      ha: cfg.tokens.ha ?? stackEnv.HA_TOKEN,
      mockHaControl: cfg.tokens.mockHaControl ?? stackEnv.MOCK_HA_CONTROL_TOKEN,
    },
    services: () => [...urls.keys()].sort(),
    url(service) {
      const u = urls.get(service);
      if (!u) throw new StackError('STACK_UNKNOWN_SERVICE', `local target knows no service "${service}"`);
      return u;
    },
    containerId: () => undefined,
    logs: async (service, n = 50) => {
      const mine = lines.filter((l) => l.includes(service));
      return (mine.length ? mine : lines).slice(-n).join('\n');
    },
    signal: async () => requireCapability(stack, 'signal', 'sending a signal to one service'),
    stopService: async () => requireCapability(stack, 'stop', 'stopping one service'),
    restartWithEnv: async () =>
      requireCapability(stack, 'restart-with-env', 'restarting in another DEPLOYMENT_MODE'),
    runVariant: async (): Promise<VariantResult> => {
      requireCapability(stack, 'run-variant', 'running a service in another DEPLOYMENT_MODE');
      throw new Error('unreachable');
    },
    down,
    [Symbol.asyncDispose]: down,
  };
  return stack;
}
