/**
 * Real runs, interrupted the ways CI and people interrupt them, leave nothing behind:
 *  - SIGTERM to the whole process group of `npm run test:suites` (what `timeout 60 npm test`
 *    sends) at the moment the observability suite is creating its scratch containers
 *    (homeiq-obs-mem-*): the containers being created then are removed too (issue 10, case 6);
 *  - SIGKILL of the test runner in the middle of a 500 ev/s burst (the reaper disabled, as if it
 *    had been killed too): everything stays behind, and the next run's preflight removes all of it
 *    and says so (issue 10, case 2).
 * Each run gets its own run id (HOMEIQ_RUN_ID); only resources labelled with it are counted, and
 * only the processes this file started are signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../harness/docker/client.ts';
import { OWNER_ENV } from '../../harness/docker/identity.ts';
import { countLine, listHarnessResources, removeResources } from '../../harness/docker/stale.ts';
import { repoRoot } from '../../harness/provision/paths.ts';
import { childExit, waitFor } from '../../harness/util/wait.ts';

const started: ChildProcess[] = [];
const runIds: string[] = [];

function startRun(runId: string, argv: string[], extraEnv: Record<string, string> = {}) {
  runIds.push(runId);
  const env: NodeJS.ProcessEnv = { ...process.env, HOMEIQ_RUN_ID: runId, ...extraEnv };
  delete env[OWNER_ENV];
  const [cmd, ...args] = argv as [string, ...string[]];
  // Its own process group, as a CI job's: signals go to the group, never to this file's process.
  const child = spawn(cmd, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  const keep = (c: Buffer) => {
    output += c.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output, exited: childExit(child) };
}

const resources = (runId: string) => listHarnessResources(dockerClient(), runId);

afterAll(async () => {
  for (const c of started)
    if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(-c.pid, 'SIGKILL');
  for (const id of runIds) await removeResources(await resources(id));
});

describe('interrupted runs leave nothing behind', () => {
  it('SIGTERM to npm run test:suites while scratch containers are being created: 0 left', async () => {
    const runId = `int-term-${randomBytes(3).toString('hex')}`;
    const run = startRun(runId, [
      'npm',
      'run',
      'test:suites',
      '--',
      'suites/observability/memory-sampler.test.ts',
    ]);
    // The moment the first homeiq-obs-mem-* container of this run exists, the others are being created.
    const first = await waitFor(
      async () => {
        const rs = await resources(runId);
        const mem = rs.filter((r) => r.kind === 'container' && r.name.startsWith('homeiq-obs-mem-'));
        return { done: mem.length > 0, value: mem.map((r) => r.name), seen: `${rs.length} resources` };
      },
      {
        what: `run ${runId} to create its first homeiq-obs-mem-* container`,
        timeoutMs: 240_000,
        intervalMs: 50,
        maxIntervalMs: 50,
        abandonWhen: run.exited.then((how) => `npm ${how.replace(/^it /, '')}: ${run.output().slice(-600)}`),
      },
    );
    const t0 = performance.now();
    process.kill(-(run.child.pid as number), 'SIGTERM'); // what `timeout` sends: the whole group
    await run.exited;
    const atExit = await resources(runId);
    console.log(`SIGTERM with ${first.join(', ')} created: ${countLine(atExit)} left when npm exited`);
    await waitFor(
      async () => {
        const left = await resources(runId);
        return { done: left.length === 0, seen: `${countLine(left)}: ${left.map((r) => r.name).join(', ')}` };
      },
      {
        what: `every resource of the interrupted run ${runId} to be removed`,
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    console.log(`0 left ${((performance.now() - t0) / 1000).toFixed(1)} s after the SIGTERM`);
  });

  it('SIGKILL of the test runner mid-burst: the next run starts clean, saying what it removed', async () => {
    const runId = `int-kill-${randomBytes(3).toString('hex')}`;
    const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const run = startRun(
      runId,
      [process.execPath, vitest, 'run', '--project', 'suites', 'suites/mission/throughput.test.ts'],
      { HOMEIQ_REAPER: 'off' },
    );
    await waitFor(
      async () => ({ done: /scenario \S+ started/.test(run.output()), seen: run.output().slice(-200) }),
      {
        what: `run ${runId} to start its burst scenario`,
        timeoutMs: 1_000_000,
        intervalMs: 250,
        abandonWhen: run.exited.then(
          (how) => `the runner ${how.replace(/^it /, '')}: ${run.output().slice(-600)}`,
        ),
      },
    );
    run.child.kill('SIGKILL'); // the test runner only, as a crash or the OOM killer would
    await run.exited;
    const left = await resources(runId);
    console.log(`after SIGKILL of the runner mid-burst: ${countLine(left)} left`);
    expect(
      left.filter((r) => r.kind === 'container').length,
      'containers left by the killed run',
    ).toBeGreaterThan(10);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env[OWNER_ENV];
    const t0 = performance.now();
    const next = spawn(process.execPath, [join(repoRoot, 'harness/preflight/preflight.ts')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    next.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await childExit(next);
    const after = await resources(runId);
    console.log(
      `the next run's preflight (${((performance.now() - t0) / 1000).toFixed(1)} s): ${countLine(after)} left; it said: ${stderr.split('\n').find((l) => l.includes(runId))}`,
    );
    expect(stderr).toMatch(
      new RegExp(`preflight: removed \\d+ containers?, \\d+ networks?, \\d+ volumes? left by run ${runId} `),
    );
    expect(
      after.map((r) => `${r.kind} ${r.name}`),
      `resources of ${runId} after the next run's preflight`,
    ).toEqual([]);
  }, 1_200_000);
});
