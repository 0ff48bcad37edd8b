/**
 * Memory ceilings (seeds 000 and 002): every service has a memory limit, the whole test profile's
 * limits fit under 6 GB (and 4 CPUs), and no service's working set reaches its limit at any sample,
 * idle or under load. Peak/limit per service is reported.
 */
import { beforeAll, describe, it } from 'vitest';
import { limits } from '../../harness/config/defaults.ts';
import { loadConfig } from '../../harness/config/load.ts';
import { check, checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { recordMeasurement, recordMemory } from '../../harness/report/measurements.ts';
import {
  findMemoryBreaches,
  formatMiB,
  type MemoryReport,
  startMemorySampler,
} from '../../harness/sampling/index.ts';
import { inspect } from '../../harness/stack/docker.ts';
import { requireCapability } from '../../harness/stack/types.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { createLogger } from '../../harness/util/log.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { driveScenario } from '../../harness/verify/ingestion.ts';

const cfg = loadConfig();
const log = createLogger('memory');
const IDLE_MS = 10_000;
const MAX_FRACTION = 0.9;
const GiB = 1024 ** 3;

interface Limit {
  service: string;
  memory: number;
  cpus: number;
}

describe('memory ceilings of the test profile', () => {
  const stack = useStack({ shares: true });
  const declared: Limit[] = [];
  /**
   * Containers whose last exit before sampling began was an OOM kill (boot phase, or an earlier
   * suite on a shared boot). Plain restarts are not counted here: a suite may SIGTERM a service.
   */
  const beforeSampling: { service: string; restarts: number }[] = [];
  let report: MemoryReport;

  beforeAll(async () => {
    requireCapability(stack(), 'containers', 'reading memory limits and sampling containers');
    const running: string[] = [];
    for (const service of stack().services()) {
      const info = await inspect(stack().containerId(service) as string);
      // One-shot containers (e.g. an InfluxDB init job that completed) are not sampled.
      if (info.State.Running) running.push(service);
      if (info.State.OOMKilled) beforeSampling.push({ service, restarts: info.RestartCount ?? 0 });
      declared.push({
        service,
        memory: info.HostConfig.Memory ?? 0,
        cpus: (info.HostConfig.NanoCpus ?? 0) / 1e9,
      });
    }
    const sampler = await startMemorySampler({
      containers: running.map((service) => ({
        service,
        containerId: stack().containerId(service) as string,
      })),
    });
    try {
      sampler.mark('idle');
      const until = Date.now() + IDLE_MS;
      await waitFor(async () => ({ done: Date.now() >= until, seen: 'sampling idle' }), {
        what: `${IDLE_MS} ms of idle sampling`,
        timeoutMs: IDLE_MS + 5_000,
        intervalMs: 500,
        maxIntervalMs: 500,
      });
      sampler.mark('load');
      await driveScenario(stack(), {
        kind: 'burst',
        baseRate: cfg.load.baselinePerSec,
        burstRate: cfg.load.burstPerSec,
        burstS: cfg.load.burstSeconds,
        periodS: cfg.load.burstSeconds * 2,
        durationS: cfg.load.burstSeconds * 2,
      });
    } finally {
      report = await sampler.stop();
    }
    recordMemory(report, 'test profile: idle then burst load');
    const table = Object.values(report.services).map((r) => ({
      service: r.service,
      peak: formatMiB(r.peakWorkingSetBytes),
      limit: r.limitBytes ? formatMiB(r.limitBytes) : 'none',
      pct: r.limitBytes ? Math.round((r.peakWorkingSetBytes / r.limitBytes) * 100) : null,
      phase: r.peakPhase,
      samples: r.sampleCount,
    }));
    recordMeasurement('memory-peaks', table);
    for (const t of table)
      log.info(`${t.service}: peak ${t.peak} of ${t.limit} (${t.pct}%) in ${t.phase}, ${t.samples} samples`);
  });

  it('gives every service a memory limit', () => {
    checkAll(
      declared.map((d) => ({
        ok: d.memory > 0,
        e: {
          service: d.service,
          what: 'memory limit (HostConfig.Memory)',
          expected: '> 0',
          measured: d.memory,
        },
      })),
      'memory limits',
    );
  });

  it('fits the whole profile under 6 GB of limits and 4 CPUs', () => {
    const mem = declared.reduce((a, d) => a + d.memory, 0);
    const cpus = declared.reduce((a, d) => a + d.cpus, 0);
    check(mem < limits.stackMemoryBytes && cpus <= limits.stackCpus, {
      service: 'test profile',
      what: 'sum of memory limits and CPUs',
      expected: `< ${limits.stackMemoryBytes / GiB} GiB and <= ${limits.stackCpus} CPUs`,
      measured: `${(mem / GiB).toFixed(2)} GiB, ${cpus.toFixed(2)} CPUs (${declared.map((d) => `${d.service} ${formatMiB(d.memory)}`).join(', ')})`,
    });
  });

  // A working set cannot exceed its limit (the kernel OOM-kills first): "within the limit" means
  // below 90% of it at every sample, and never OOM-killed.
  it('keeps every working set below 90% of its limit at every sample, idle and under load (and no OOM kill since boot)', (ctx) => {
    const breaches = findMemoryBreaches(report, { maxFractionOfLimit: MAX_FRACTION });
    withFailureContext(ctx, stack(), () => [
      ...breaches.map((b) => b.service),
      ...beforeSampling.map((b) => b.service),
    ]);
    const sparse = Object.values(report.services).filter((r) => r.sampleCount < 5);
    const boot = beforeSampling.map(
      (b) =>
        `${b.service}: OOM-killed before sampling began (restarted ${b.restarts} time(s) since it was created)`,
    );
    check(breaches.length === 0 && sparse.length === 0 && boot.length === 0, {
      service:
        [...new Set([...breaches.map((b) => b.service), ...beforeSampling.map((b) => b.service)])].join(
          ', ',
        ) || 'sampler',
      what: 'peak working set vs memory limit, and OOM kills since boot',
      expected: `below ${MAX_FRACTION * 100}% of the limit for every service, with samples from every service, and no OOM kill`,
      measured:
        breaches.length || boot.length
          ? `${breaches.length} breach(es) while sampled, ${boot.length} before`
          : `too few samples for ${sparse.map((r) => `${r.service} (${r.sampleCount})`).join(', ')}`,
      detail: [...breaches.map((b) => `  - ${b.message}`), ...boot.map((b) => `  - ${b}`)].join('\n'),
    });
  });
});
