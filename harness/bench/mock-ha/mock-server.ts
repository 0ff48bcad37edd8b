/**
 * Benchmark server role (child process): the mock Home Assistant loaded from a checkout, so the
 * benchmark can run two versions of the mock side by side (e.g. a git worktree of main at a fixed
 * commit against this one) in one run.
 *   node mock-server.ts <checkout dir> <home size> [minTickMs]
 * Runs with V8's GC on the main thread, as the mock's CLI does. Answers the driver's IPC
 * (ipc.ts): `run` -> a steady scenario through the mock's own engine, `usage` -> process CPU/RSS.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processUsage, type RunDone, type RunRequest, roleArgs, type ServerReady } from './ipc.ts';

interface MockModule {
  startMockHa(opts: Record<string, unknown>): Promise<{
    wsUrl: string;
    url: string;
    token: string;
    controlToken: string | null;
    startScenario(spec: Record<string, unknown>): { run_id: string };
    waitForRun(runId: string): Promise<{
      count: number;
      achieved_rate: number | null;
      rate_error: number | null;
      lateness_ms: { p50: number; p95: number; p99: number; max: number } | null;
    }>;
    stop(): Promise<void>;
  }>;
}

const [dir, home, tick] = roleArgs(
  'bench mock server',
  'mock-server.ts <checkout dir> <home size> [minTickMs]',
  2,
  process.argv.slice(2),
) as [string, string, string | undefined];
const root = resolve(dir);
const { singleThreadedGc } = (await import(pathToFileURL(`${root}/harness/mock-ha/gc.ts`).href)) as {
  singleThreadedGc(): void;
};
singleThreadedGc();
const mock = (await import(pathToFileURL(`${root}/harness/mock-ha/index.ts`).href)) as MockModule;
const quiet = {
  info: () => {},
  debug: () => {},
  warn: (m: string) => process.stderr.write(`bench mock (${dir}): ${m}\n`),
  child: () => quiet,
};
// minTickMs: a checkout without the option ignores it (the baseline paces every due event).
const ha = await mock.startMockHa({ seed: 1, homeSize: home, logger: quiet, minTickMs: Number(tick ?? 0) });
const ready: ServerReady = {
  type: 'ready',
  wsUrl: ha.wsUrl,
  token: ha.token,
  url: ha.url,
  controlToken: ha.controlToken,
};
process.send?.(ready);
process.on('message', (m: RunRequest | { type: 'usage' | 'exit' }) => {
  if (m.type === 'run') {
    const run = ha.startScenario({ kind: 'steady', rate: m.rate, durationS: m.durationS });
    ha.waitForRun(run.run_id).then((r) => {
      const done: RunDone = {
        type: 'ran',
        runId: run.run_id,
        count: r.count,
        achievedRate: r.achieved_rate,
        rateErrorPct: r.rate_error === null ? null : r.rate_error * 100,
        lateness: r.lateness_ms,
      };
      process.send?.(done);
    });
  } else if (m.type === 'usage') {
    process.send?.(processUsage());
  } else if (m.type === 'exit') ha.stop().then(() => process.exit(0));
});
