/**
 * A shared boot (harness/stack/shared-boot.ts) is booted once per run, adopted by later files, and
 * torn down once, whatever ends the run: success, a failing check, SIGTERM to the run's process
 * group, SIGKILL of the runner (the next preflight removes it). A shared boot that fails fails
 * every file that needed it, with its error. Each case is a real vitest run of two files sharing
 * the mini profile (harness/stack/testdata/shared-boot/), with its own run id (HOMEIQ_RUN_ID):
 * only resources labelled with it are counted, and only processes this file started are signalled.
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
const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
const config = 'harness/stack/testdata/shared-boot/vitest.config.ts';
const mini = join(repoRoot, 'harness/stack/testdata/mini.profile.json');

function startRun(name: string, extraEnv: Record<string, string> = {}) {
  const runId = `shared-${name}-${randomBytes(3).toString('hex')}`;
  runIds.push(runId);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOMEIQ_RUN_ID: runId,
    HOMEIQ_PROFILE: mini,
    HOMEIQ_FAULT: '',
    HOMEIQ_PROJECT_NAME: '',
    NO_COLOR: '1',
    ...extraEnv,
  };
  delete env[OWNER_ENV];
  delete env.FORCE_COLOR;
  // Its own process group, as a CI job's: signals go to the group, never to this file's process.
  const child = spawn(process.execPath, [vitest, 'run', '--config', config], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  const keep = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { runId, child, output: () => output, exited: childExit(child) };
}

const resources = (runId: string) => listHarnessResources(dockerClient(), runId);

/** The sleeper container ids the fixture files printed: one per file, equal when they shared. */
const sleepers = (output: string) => [...output.matchAll(/SHARED-FIXTURE sleeper (\w+)/g)].map((m) => m[1]);

async function expectNoneLeft(runId: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const left = await resources(runId);
      return { done: left.length === 0, seen: `${countLine(left)}: ${left.map((r) => r.name).join(', ')}` };
    },
    { what: `every resource of run ${runId} to be removed`, timeoutMs, intervalMs: 250 },
  );
}

afterAll(async () => {
  // The whole group each run was started in (a killed runner may leave its worker behind).
  for (const c of started)
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  for (const id of runIds) await removeResources(await resources(id));
});

describe('a shared boot is booted once and torn down once, whatever ends the run', () => {
  it('two files share one boot; nothing is left when the run ends green', async () => {
    const run = startRun('ok');
    expect(await resources(run.runId), 'resources of the run before it started').toEqual([]);
    const how = await run.exited;
    const out = run.output();
    expect(how, out.slice(-3000)).toBe('it exited (0)');
    const ids = sleepers(out);
    expect(ids, 'sleeper container seen by each file').toHaveLength(2);
    expect(ids[0], 'both files saw the same container (one boot)').toBe(ids[1]);
    expect(out).toMatch(/adopted the shared boot homeiq-h\d+-\w+ \(profile "compose-target-mini"/);
    expect(out.match(/shared boot \S+ \(.*\) up in/g), 'boots').toHaveLength(1);
    const left = await resources(run.runId);
    console.log(`after the green run: ${countLine(left)} left`);
    expect(left.map((r) => `${r.kind} ${r.name}`)).toEqual([]);
  });

  it('a failing check: the run fails and the shared boot is torn down', async () => {
    const run = startRun('fail', { SHARED_FIXTURE_FAIL: '1' });
    const how = await run.exited;
    expect(how, run.output().slice(-3000)).toBe('it exited (1)');
    expect(run.output()).toContain('SHARED_FIXTURE_FAIL (a planted failing check)');
    const left = await resources(run.runId);
    console.log(`after the red run: ${countLine(left)} left`);
    expect(left.map((r) => `${r.kind} ${r.name}`)).toEqual([]);
  });

  it('SIGTERM to the run while a file uses the shared boot: 0 left', async () => {
    const run = startRun('term', { SHARED_FIXTURE_HANG: '1' });
    await waitFor(
      async () => ({ done: run.output().includes('SHARED-FIXTURE-WAITING'), seen: run.output().slice(-300) }),
      {
        what: `run ${run.runId} to reach the waiting check`,
        timeoutMs: 120_000,
        intervalMs: 100,
        abandonWhen: run.exited.then(
          (how) => `vitest ${how.replace(/^it /, '')}: ${run.output().slice(-600)}`,
        ),
      },
    );
    const before = await resources(run.runId);
    expect(before.filter((r) => r.kind === 'container').length, 'containers of the shared boot').toBe(2);
    const t0 = performance.now();
    process.kill(-(run.child.pid as number), 'SIGTERM'); // what `timeout` sends: the whole group
    await run.exited;
    await expectNoneLeft(run.runId, 60_000);
    console.log(
      `SIGTERM with ${countLine(before)}: 0 left ${((performance.now() - t0) / 1000).toFixed(1)} s after it`,
    );
  });

  it('SIGKILL of the runner (reaper off): the next preflight removes the shared boot', async () => {
    const run = startRun('kill', { SHARED_FIXTURE_HANG: '1', HOMEIQ_REAPER: 'off' });
    await waitFor(
      async () => ({ done: run.output().includes('SHARED-FIXTURE-WAITING'), seen: run.output().slice(-300) }),
      {
        what: `run ${run.runId} to reach the waiting check`,
        timeoutMs: 120_000,
        intervalMs: 100,
        abandonWhen: run.exited.then(
          (how) => `vitest ${how.replace(/^it /, '')}: ${run.output().slice(-600)}`,
        ),
      },
    );
    run.child.kill('SIGKILL'); // the runner only, as a crash or the OOM killer would
    await run.exited;
    const left = await resources(run.runId);
    console.log(`after SIGKILL of the runner: ${countLine(left)} left`);
    expect(left.filter((r) => r.kind === 'container').length, 'containers left by the killed run').toBe(2);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env[OWNER_ENV];
    const next = spawn(process.execPath, [join(repoRoot, 'harness/preflight/preflight.ts')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    next.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await childExit(next);
    expect(stderr).toMatch(
      new RegExp(`removed 2 containers?, \\d+ networks?, \\d+ volumes? left by run ${run.runId} `),
    );
    expect((await resources(run.runId)).map((r) => `${r.kind} ${r.name}`)).toEqual([]);
  });

  it('a shared boot that fails fails every file that needed it, with the boot error', async () => {
    const run = startRun('bootfail', { HOMEIQ_FAULT: 'no-such-fault' });
    const how = await run.exited;
    const out = run.output();
    expect(how, out.slice(-3000)).toBe('it exited (1)');
    expect(out).toMatch(/Test Files\s+2 failed \(2\)/);
    // The first file tried the boot; the second one fails with its error, without booting again.
    expect(out).toContain('HOMEIQ_FAULT="no-such-fault": none of');
    expect(out).toMatch(
      /the shared boot of this run \(profile "compose-target-mini".*\) failed in \S+\.fixture\.ts: /,
    );
    expect(await resources(run.runId)).toEqual([]);
  });
});
