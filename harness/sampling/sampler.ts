/**
 * Memory sampler: streams Docker stats for every given container (the engine's reading, about one
 * per second) and fills any gap longer than 60% of `intervalMs` with a direct read of the same
 * cgroup counters from the host (see cgroup-reader.ts), so each container is sampled at least once
 * per `intervalMs`. Phase markers label what the stack was doing (idle, load, ...).
 */
import Docker from 'dockerode';
import { createLogger } from '../util/log.ts';
import { createCgroupReader, readOomKills } from './cgroup-reader.ts';
import { SamplingError } from './errors.ts';
import { type DockerMemoryStats, type MemorySample, parseMemorySample } from './memory-sample.ts';
import { type MemoryReport, type PhaseMark, summariseService } from './summary.ts';

export interface SampledContainer {
  /** Name used in reports and messages, e.g. the compose service name. */
  service: string;
  containerId: string;
}

export interface MemorySamplerOptions {
  containers: SampledContainer[];
  /** Required spacing of samples per container. Default 1000 ms. */
  intervalMs?: number;
  docker?: Docker;
  /** Fill gaps between engine ticks from the host's cgroup files when visible. Default true. */
  fillFromCgroup?: boolean;
}

export interface StartedMemorySampler {
  /** Start a phase (e.g. 'idle', 'load'); samples after this instant belong to it. */
  mark(label: string): void;
  /** The report so far, without stopping (OOM state not inspected). */
  snapshot(): MemoryReport;
  /** Stops sampling and returns the report; idempotent. */
  stop(): Promise<MemoryReport>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Target extends SampledContainer {
  container: Docker.Container;
  limitBytes: number | null;
  samples: MemorySample[];
  lastT: number;
  stream?: NodeJS.ReadableStream & { destroy?: () => void };
  /** the engine closed the stats stream (container stopped or restarted) */
  streamEnded: boolean;
  lastReopenAt: number;
  readCgroup?: () => MemorySample | undefined;
  startedAtAtStart: string;
  restartCountAtStart: number;
  oomKillsAtStart: number | undefined;
}

const log = createLogger('sampling:memory');

interface EndState {
  oomKilled: boolean;
  restarts: number;
  oomKills: number | null;
}

function addSample(target: Target, sample: MemorySample | undefined): void {
  if (!sample || target.samples.some((s) => s.t === sample.t && s.source === sample.source)) return;
  target.samples.push(sample); // engine readings may arrive after a later cgroup reading: sorted on summary
  target.lastT = Math.max(target.lastT, sample.t);
}

async function openStream(target: Target): Promise<void> {
  const stream = (await target.container.stats({ stream: true })) as Target['stream'] & NodeJS.ReadableStream;
  target.stream = stream;
  let buffered = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) {
        try {
          addSample(target, parseMemorySample(JSON.parse(line) as DockerMemoryStats));
        } catch (err) {
          log.warn(`${target.service}: unparseable stats line (${String(err)})`);
        }
      }
      nl = buffered.indexOf('\n');
    }
  });
  target.streamEnded = false;
  stream.on('error', (err: Error) => log.debug(`${target.service}: stats stream error: ${err.message}`));
  stream.on('end', () => {
    target.streamEnded = true;
  });
}

export async function startMemorySampler(opts: MemorySamplerOptions): Promise<StartedMemorySampler> {
  const docker = opts.docker ?? new Docker();
  const intervalMs = opts.intervalMs ?? 1000;
  const marks: PhaseMark[] = [];
  const startedAt = Date.now();
  const targets: Target[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const closeStreams = () => {
    if (timer) clearInterval(timer);
    for (const t of targets) t.stream?.destroy?.();
  };

  try {
    for (const c of opts.containers) {
      const container = docker.getContainer(c.containerId);
      const info = await container.inspect();
      const limit = info.HostConfig.Memory ?? 0;
      const target: Target = {
        ...c,
        container,
        limitBytes: limit > 0 ? limit : null,
        samples: [],
        lastT: 0,
        streamEnded: false,
        lastReopenAt: 0,
        startedAtAtStart: info.State.StartedAt,
        restartCountAtStart: info.RestartCount ?? 0,
        oomKillsAtStart: readOomKills(info.Id),
      };
      if (opts.fillFromCgroup ?? true) target.readCgroup = createCgroupReader(info.Id);
      targets.push(target);
      await openStream(target);
    }
  } catch (err) {
    closeStreams();
    throw new SamplingError(
      'SAMPLER_START_FAILED',
      `memory sampler could not start for ${opts.containers.map((c) => `${c.service} (${c.containerId.slice(0, 12)})`).join(', ')}: ${String(err)}`,
    );
  }
  log.debug(`sampling ${targets.map((t) => t.service).join(', ')} every ${intervalMs} ms`);

  // Gap filler: a target without a sample for 60% of the interval gets a direct cgroup reading.
  timer = setInterval(
    () => {
      const now = Date.now();
      for (const t of targets) {
        if (t.readCgroup && now - Math.max(t.lastT, startedAt) >= intervalMs * 0.6)
          addSample(t, t.readCgroup());
        if (t.streamEnded && !stopped && now - t.lastReopenAt >= 1000) {
          // the engine ends the stream when the container stops; resume once it runs again
          t.lastReopenAt = now;
          t.streamEnded = false;
          openStream(t).catch(() => {
            t.streamEnded = true;
          });
        }
      }
    },
    Math.max(20, Math.floor(intervalMs / 10)),
  );

  const build = (stoppedAt: number, end: Map<string, EndState>): MemoryReport => ({
    startedAt,
    stoppedAt,
    intervalMs,
    marks: [...marks],
    services: Object.fromEntries(
      targets.map((t) => [
        t.service,
        summariseService({
          service: t.service,
          containerId: t.containerId,
          limitBytes: t.limitBytes,
          samples: t.samples,
          marks,
          startedAt,
          stoppedAt,
          oomKilled: end.get(t.service)?.oomKilled ?? false,
          restarts: end.get(t.service)?.restarts ?? 0,
          oomKills: end.get(t.service)?.oomKills ?? null,
        }),
      ]),
    ),
  });

  let stopping: Promise<MemoryReport> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const stoppedAt = Date.now();
      stopped = true;
      closeStreams();
      const end = new Map<string, EndState>();
      for (const t of targets) {
        const info = await t.container.inspect().catch(() => undefined);
        const oomKillsNow = readOomKills(t.containerId);
        end.set(t.service, {
          oomKills:
            oomKillsNow === undefined || t.oomKillsAtStart === undefined
              ? null
              : oomKillsNow - t.oomKillsAtStart,
          oomKilled: info?.State.OOMKilled ?? false,
          restarts: info
            ? Math.max(
                info.RestartCount - t.restartCountAtStart,
                info.State.StartedAt !== t.startedAtAtStart ? 1 : 0,
              )
            : 0,
        });
      }
      return build(stoppedAt, end);
    })();
    return stopping;
  };

  return {
    mark: (label) => {
      marks.push({ label, t: Date.now() });
    },
    snapshot: () => build(Date.now(), new Map()),
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}
