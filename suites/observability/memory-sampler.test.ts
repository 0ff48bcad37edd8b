/**
 * The memory sampler against real containers: it samples every container at least once a
 * second from the Docker engine and catches a memory hog nearing its limit during the 'load'
 * phase, while an idle container stays clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMemory } from '../../harness/report/measurements.ts';
import {
  assertMemoryWithinLimits,
  assertSampledOftenEnough,
  findMemoryBreaches,
  type MemoryReport,
  MiB,
  startMemorySampler,
} from '../../harness/sampling/index.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { type ScratchContainer, startScratchContainer } from './scratch-containers.ts';

const LIMIT = 64 * MiB;
const HOG_MIB = Number(process.env.HOMEIQ_OBS_HOG_MIB ?? 56);

describe('memory sampler (real containers, Docker stats)', () => {
  let hog: ScratchContainer;
  let idle: ScratchContainer;
  let oom: ScratchContainer;
  let oomExit: number | null;
  let report: MemoryReport;

  beforeAll(async () => {
    hog = await startScratchContainer({ name: 'mem-hog', memoryBytes: LIMIT });
    idle = await startScratchContainer({ name: 'mem-idle', memoryBytes: LIMIT });
    oom = await startScratchContainer({ name: 'mem-oom', memoryBytes: 32 * MiB });
    await using sampler = await startMemorySampler({
      containers: [
        { service: 'mem-hog', containerId: hog.id },
        { service: 'mem-idle', containerId: idle.id },
        { service: 'mem-oom', containerId: oom.id },
      ],
    });
    sampler.mark('idle');
    await waitFor(
      async () => {
        const n = sampler.snapshot().services['mem-hog']?.sampleCount ?? 0;
        return { done: n >= 3, seen: `${n} samples of mem-hog` };
      },
      { what: '3 idle-phase samples of mem-hog', timeoutMs: 15_000 },
    );
    sampler.mark('load');
    // tail buffers its whole newline-free input; `| sleep` keeps it blocked holding the memory.
    await hog.exec(['sh', '-c', `head -c ${HOG_MIB}m /dev/zero | tail | sleep 3600`], { detach: true });
    await waitFor(
      async () => {
        const r = sampler.snapshot().services['mem-hog'];
        const ws = r?.peakWorkingSetBytes ?? 0;
        return { done: ws >= HOG_MIB * MiB * 0.9, seen: `peak working set ${(ws / MiB).toFixed(1)} MiB` };
      },
      { what: `mem-hog working set to reach ${HOG_MIB} MiB`, timeoutMs: 30_000 },
    );
    // a child process asking for twice the limit is OOM-killed; the container itself keeps running
    oomExit = (await oom.exec(['sh', '-c', 'head -c 64m /dev/zero | tail > /dev/null'])).exitCode;
    // keep sampling the plateau for a few more readings
    const target = (sampler.snapshot().services['mem-hog']?.sampleCount ?? 0) + 3;
    await waitFor(
      async () => {
        const n = sampler.snapshot().services['mem-hog']?.sampleCount ?? 0;
        return { done: n >= target, seen: `${n} samples` };
      },
      { what: `${target} samples of mem-hog`, timeoutMs: 15_000 },
    );
    report = await sampler.stop();
    recordMemory(report, 'memory hog vs idle container (64 MiB limits)');
  }, 120_000);

  afterAll(async () => {
    await hog?.remove();
    await idle?.remove();
    await oom?.remove();
  });

  it('samples every container at least once per second, from the engine', () => {
    for (const service of ['mem-hog', 'mem-idle']) {
      expect(report.services[service]?.oomKills).toBe(0);
      const r = report.services[service];
      expect(r?.limitBytes).toBe(LIMIT);
      expect(r?.engineLimitBytes).toBe(LIMIT);
      expect(r?.sampleCount).toBeGreaterThanOrEqual(6);
    }
    console.info(
      `memory sampler gaps: ${Object.values(report.services)
        .map(
          (r) =>
            `${r.service} n=${r.sampleCount} (engine ${r.engineSampleCount}) maxGap=${r.maxGapMs}ms mean=${r.meanIntervalMs}ms`,
        )
        .join('; ')}`,
    );
    assertSampledOftenEnough(report);
    expect(report.services['mem-hog']?.engineSampleCount).toBeGreaterThanOrEqual(3);
  });

  it('catches the hog nearing its limit in the load phase and names service, limit and peak', () => {
    const breaches = findMemoryBreaches(report, { maxFractionOfLimit: 0.85 });
    expect(breaches.map((b) => b.service)).toEqual(['mem-hog', 'mem-oom']);
    expect(report.services['mem-hog']?.peakPhase).toBe('load');
    expect(() => assertMemoryWithinLimits(report, { maxFractionOfLimit: 0.85 })).toThrow(
      /^mem-hog: working set peaked at \d+\.\d MiB \(\d+% of the 64\.0 MiB limit; allowed up to 54\.4 MiB\) during phase 'load'/,
    );
    expect(report.services['mem-idle']?.peakWorkingSetBytes).toBeLessThan(8 * MiB);
  });

  it('reports a kernel OOM kill inside a still running container, naming service and limit', () => {
    expect(oomExit).toBe(137);
    const r = report.services['mem-oom'];
    // How many processes of the `head | tail` pipeline the kernel kills is its choice (seen: 1 and 2);
    // what the sampler must prove is that it sees the kills (0 when the counter is not read).
    expect(r).toMatchObject({ oomKilled: false, restarts: 0 });
    const kills = r?.oomKills ?? 0;
    expect(kills, 'mem-oom: OOM kills counted by the sampler').toBeGreaterThanOrEqual(1);
    expect(() => assertMemoryWithinLimits(report, { maxFractionOfLimit: 2 })).toThrow(
      new RegExp(
        `^mem-oom: ${kills} process\\(es\\) OOM-killed by the kernel inside the container \\(limit 32\\.0 MiB, kernel max usage 3\\d\\.\\d MiB, sampled peak working set \\d+\\.\\d MiB during phase '(idle|load)'`,
      ),
    );
  });
});
