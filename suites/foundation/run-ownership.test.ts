/**
 * Every resource carries its run's identity (harness/docker/identity.ts), so a run that died
 * leaves nothing for long, and a live run is never disturbed by another:
 *  - a run SIGKILLed in the middle of a burst of creations: the next run's preflight removes
 *    everything it left, says so, and 0 are left;
 *  - the run's reaper removes the same without waiting for a next run;
 *  - two runs at once on one engine: sweeping for one never touches the other's resources;
 *  - a pid reused by another process (same pid, other start time) is a gone owner.
 * Only processes this file starts are killed, and only their resources are counted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../harness/docker/client.ts';
import { OWNER_ENV, ownerLabels, processStartTime } from '../../harness/docker/identity.ts';
import { countLine, listHarnessResources, removeResources } from '../../harness/docker/stale.ts';
import { repoRoot } from '../../harness/provision/paths.ts';
import { waitFor } from '../../harness/util/wait.ts';

const started: ChildProcess[] = [];
const runIds: string[] = [];
const newRunId = (what: string) => {
  const id = `own-${what}-${randomBytes(3).toString('hex')}`;
  runIds.push(id);
  return id;
};

/** A stand-in run holding resources (harness/docker/testing/hold-resources.ts), as its own root. */
function holdResources(runId: string, opts: { containers: number; reaper: boolean }) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOMEIQ_RUN_ID: runId,
    HOMEIQ_REAPER: opts.reaper ? 'on' : 'off',
  };
  delete env[OWNER_ENV];
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'harness/docker/testing/hold-resources.ts'), '--containers', String(opts.containers)],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  let holding = 0;
  let output = '';
  const onData = (c: Buffer) => {
    output += c.toString();
    for (const m of output.matchAll(/holding (\d+)/g)) holding = Math.max(holding, Number(m[1]));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<string>((r) => child.once('exit', (code, sig) => r(`exited (${code ?? sig})`)));
  return {
    child,
    exited,
    /** Resolves once it holds at least k containers; gives up at once if it exited. */
    holding: (k: number) =>
      waitFor(
        async () => ({ done: holding >= k, seen: `${holding} containers; output: ${output.slice(-300)}` }),
        {
          what: `run ${runId} to hold ${k} containers`,
          // Setup, not a check: creating containers took over 60 s for 3 on this machine at load 140.
          timeoutMs: 300_000,
          abandonWhen: exited,
        },
      ),
  };
}

const count = async (runId: string) => listHarnessResources(dockerClient(), runId);

function preflight() {
  const t0 = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[OWNER_ENV];
  const r = spawnSync(process.execPath, [join(repoRoot, 'harness/preflight/preflight.ts')], {
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}

async function killed(h: ReturnType<typeof holdResources>): Promise<void> {
  h.child.kill('SIGKILL');
  await h.exited;
}

afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // Safety net for this file's own runs only (by their run ids).
  for (const id of runIds) await removeResources(await count(id));
});

describe('run ownership of Docker resources', () => {
  it('a run SIGKILLed mid-burst leaves nothing once the next run started: preflight removes it and says so', async () => {
    const runId = newRunId('killed');
    const run = holdResources(runId, { containers: 50, reaper: false });
    await run.holding(3);
    await killed(run);
    const left = await count(runId);
    console.log(`after SIGKILL of ${runId}: ${countLine(left)} left`);
    expect(
      left.length,
      'resources left right after the SIGKILL (the fault the sweep must fix)',
    ).toBeGreaterThan(2);
    const r = preflight();
    const after = await count(runId);
    console.log(`after the next run's preflight (${r.seconds.toFixed(1)} s): ${countLine(after)} left`);
    expect(r.stderr, 'preflight says what it removed').toMatch(
      new RegExp(
        `preflight: removed \\d+ containers?, 1 network, 1 volume left by run ${runId} \\(pid \\d+ on [^)]+\\), which is gone`,
      ),
    );
    expect(
      after.map((x) => `${x.kind} ${x.name}`),
      `resources of ${runId} after the next preflight`,
    ).toEqual([]);
  }, 900_000);

  it("the run's reaper removes what a SIGKILLed run left, without waiting for the next run", async () => {
    const runId = newRunId('reaped');
    const run = holdResources(runId, { containers: 50, reaper: true });
    await run.holding(3);
    const t0 = performance.now();
    await killed(run);
    await waitFor(
      async () => {
        const left = await count(runId);
        return { done: left.length === 0, seen: countLine(left) };
      },
      { what: `the reaper of ${runId} to remove its resources`, timeoutMs: 60_000, intervalMs: 200 },
    );
    console.log(`reaper: 0 left ${((performance.now() - t0) / 1000).toFixed(1)} s after the SIGKILL`);
  }, 900_000);

  it("two runs at once: one run's sweep never touches the other live run's resources", async () => {
    const liveId = newRunId('live');
    const deadId = newRunId('dead');
    const live = holdResources(liveId, { containers: 2, reaper: false });
    const dead = holdResources(deadId, { containers: 2, reaper: false });
    await Promise.all([live.holding(2), dead.holding(2)]);
    await killed(dead);
    const liveBefore = (await count(liveId)).map((x) => x.id).sort();
    const r = preflight();
    expect(r.stderr).toContain(`left by run ${deadId}`);
    expect(r.stderr).not.toContain(liveId);
    expect((await count(liveId)).map((x) => x.id).sort(), `resources of the live run ${liveId}`).toEqual(
      liveBefore,
    );
    const running = await dockerClient().listContainers({
      filters: JSON.stringify({ label: [`com.homeiq.owner.run=${liveId}`] }),
    });
    expect(running.length, `containers of the live run ${liveId} still running`).toBe(2);
    expect(await count(deadId)).toEqual([]);
    await killed(live);
  }, 900_000);

  it('a reused pid (same pid, another start time) is a gone owner; the right start time is a live one', async () => {
    const docker = dockerClient();
    const me = {
      host: (await import('node:os')).hostname(),
      pid: process.pid,
      start: processStartTime(process.pid) ?? '',
    };
    const reusedId = newRunId('reused');
    const selfId = newRunId('self');
    for (const [id, start] of [
      [reusedId, `${me.start}0`],
      [selfId, me.start],
    ] as const)
      await docker.createVolume({ Name: `homeiq-${id}`, Labels: ownerLabels({ ...me, start, run: id }) });
    const r = preflight();
    expect(r.stderr).toContain(`removed 0 containers, 0 networks, 1 volume left by run ${reusedId}`);
    expect((await count(reusedId)).length, 'volume of the reused pid').toBe(0);
    expect((await count(selfId)).length, 'volume of this live process').toBe(1);
  });
});
