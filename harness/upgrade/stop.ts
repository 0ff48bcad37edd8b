/**
 * Stop a service's container the way `docker stop` / `docker compose stop` does (its configured
 * stop signal, then SIGKILL after the grace period) and judge the stop from the outside: the
 * signal sent, the exit code, the time it took and whether the process logged anything after the
 * signal (an orderly shutdown does; a process killed or exiting at once does not).
 *
 * Why this matters for InfluxDB: influxd 2.x cancels its run context on os.Interrupt and os.Kill
 * only (kit/signals WithStandardSignals), not SIGTERM. SIGTERM, Docker's default stop signal, then
 * hits the Go runtime's default: as PID 1 the re-raised signal is ignored by the kernel and the
 * runtime calls exit(2) (runtime.dieFromSignal): exit 2 within milliseconds, no shutdown, no log.
 * The fix is SIGINT as the stop signal (compose `stop_signal: SIGINT` or image `STOPSIGNAL`).
 */
import { demuxLogs, docker, inspect } from '../stack/docker.ts';
import type { Finding } from './findings.ts';

export interface StopVerdict {
  service: string;
  image: string;
  /** The stop signal Docker sent (container config; Docker's default SIGTERM when unset). */
  signal: string;
  graceSec: number;
  exitCode: number;
  durationMs: number;
  oomKilled: boolean;
  /** Log lines written after the signal was sent. */
  linesAfterSignal: string[];
  clean: boolean;
}

/** Demultiplexed log lines with Docker timestamps, since `sinceMs` (epoch ms). */
async function logLinesSince(id: string, sinceMs: number): Promise<string[]> {
  const buf = (await docker()
    .getContainer(id)
    .logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      since: Math.floor(sinceMs / 1000),
      follow: false,
    })) as unknown as Buffer;
  const text = demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
  return text
    .split('\n')
    .filter((l) => l.trim())
    .filter((l) => {
      const t = Date.parse(l.slice(0, l.indexOf(' ')));
      return Number.isFinite(t) && t >= sinceMs;
    })
    .map((l) => l.slice(l.indexOf(' ') + 1));
}

export async function stopAndJudge(
  service: string,
  containerId: string,
  graceSec?: number,
): Promise<StopVerdict> {
  const info = await inspect(containerId);
  const cfg = info.Config as { StopSignal?: string; StopTimeout?: number; Image: string };
  const signal = cfg.StopSignal || 'SIGTERM';
  const grace = graceSec ?? cfg.StopTimeout ?? 10;
  const t0 = Date.now();
  await docker()
    .getContainer(containerId)
    .stop({ t: grace })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 304) throw err; // 304: already stopped
    });
  const durationMs = Date.now() - t0;
  const after = await inspect(containerId);
  const lines = await logLinesSince(containerId, t0 - 20);
  const exitCode = after.State.ExitCode;
  const oomKilled = after.State.OOMKilled;
  return {
    service,
    image: cfg.Image,
    signal,
    graceSec: grace,
    exitCode,
    durationMs,
    oomKilled,
    linesAfterSignal: lines,
    // Exit 0 means the process ended itself (after the grace period Docker SIGKILLs: 137). The wall
    // time is reported, not judged: on a loaded engine the API round trips alone take seconds.
    clean: exitCode === 0 && !oomKilled && lines.length > 0,
  };
}

export function stopFinding(v: StopVerdict, phase: string): Finding {
  const measured = `exit ${v.exitCode} after ${(v.durationMs / 1000).toFixed(1)} s on ${v.signal}${v.oomKilled ? ' (OOM-killed)' : ''}, ${v.linesAfterSignal.length} log line(s) after the signal${v.linesAfterSignal.length ? ` (last: ${JSON.stringify(v.linesAfterSignal.at(-1)?.slice(0, 160))})` : ''}`;
  return {
    id: `stop-${phase}`,
    ok: v.clean,
    severity: 'fail',
    service: v.service,
    what: `${phase}: docker stop of ${v.image} (stop signal ${v.signal}, grace ${v.graceSec} s)`,
    expected: `an orderly shutdown: exit 0 before the ${v.graceSec} s grace ran out (137: SIGKILLed) with shutdown log lines`,
    measured,
    action: v.clean
      ? 'none'
      : v.signal === 'SIGTERM'
        ? `set "stop_signal: SIGINT" on the ${v.service} service (or STOPSIGNAL SIGINT in its image): influxd shuts down cleanly on SIGINT only; on SIGTERM as PID 1 it exits 2 at once without flushing or closing its stores`
        : `find out why ${v.service} does not shut down cleanly on ${v.signal} (exit ${v.exitCode})`,
  };
}
