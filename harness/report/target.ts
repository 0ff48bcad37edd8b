/**
 * What a run was pointed at, for the report's header, the JUnit <properties> and summary.json:
 * the validated configuration (target kind, compose files, images, attach URLs, seed), completed
 * after each boot by what the stack itself says (`recordStackTarget`: the InfluxDB server's own
 * version from /health, every service's image and memory limit when the target knows containers).
 */
import { basename } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { inspect } from '../stack/docker.ts';
import type { StartedStack } from '../stack/types.ts';
import { recordMeasurement } from './measurements.ts';
import type { Measurement, TargetInfo } from './model.ts';

/** One line of reports/measurements: name 'target', recorded by every stack boot. */
export interface StackTargetData {
  kind: string;
  influxdbVersion?: string;
  images?: Record<string, string>;
  /** HostConfig.Memory per service, bytes; null when a service has no limit. */
  memoryLimits?: Record<string, number | null>;
  urls?: Record<string, string>;
}

/** The configured target; a configuration that does not load is reported, not thrown. */
export function configuredTarget(env: Record<string, string | undefined> = process.env): TargetInfo {
  try {
    const cfg = loadConfig(env);
    const t: TargetInfo = { kind: cfg.target, seed: cfg.seed };
    if (cfg.fault) t.fault = cfg.fault;
    if (cfg.target === 'compose') {
      t.composeFiles = cfg.compose.files.map((f) => (f.startsWith(cfg.repoRoot) ? basename(f) : f));
      t.profiles = cfg.compose.profiles;
      t.images = { app: cfg.images.app, influxdb: cfg.images.influxdb };
      const tag = /:([^:/]+)$/.exec(cfg.images.influxdb)?.[1];
      if (tag) t.influxdbVersion = tag;
    } else if (cfg.target === 'attach') {
      t.urls = { host: cfg.attach.host, ...cfg.attach.urls };
    }
    return t;
  } catch (err) {
    return { kind: 'unknown', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The images a stack ran, compactly: `influxdb` (the influxdb service's), `app` (the image most
 * services share), and any other image under the first service that runs it.
 */
export function compactImages(byService: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const influx = byService.influxdb;
  if (influx) out.influxdb = influx;
  const counts = new Map<string, number>();
  for (const [s, img] of Object.entries(byService))
    if (s !== 'influxdb') counts.set(img, (counts.get(img) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (common) out.app = common;
  for (const [s, img] of Object.entries(byService).sort(([a], [b]) => a.localeCompare(b)))
    if (img !== common && img !== influx && !Object.values(out).includes(img)) out[s] = img;
  return out;
}

/** The configured target, completed by what the booted stacks reported (latest boot wins). */
export function runTarget(configured: TargetInfo, measurements: readonly Measurement[]): TargetInfo {
  const out: TargetInfo = { ...configured };
  const versions = new Set<string>();
  for (const m of measurements) {
    if (m.name !== 'target') continue;
    const d = m.data as StackTargetData;
    if (d.influxdbVersion) versions.add(d.influxdbVersion);
    if (d.images) out.images = compactImages(d.images);
    if (d.urls && out.kind !== 'compose') out.urls = { ...out.urls, ...d.urls };
  }
  if (versions.size) out.influxdbVersion = [...versions].join(', ');
  return out;
}

/**
 * Record what the booted stack says about itself. Best effort, bounded (5 s per probe): a stack
 * that does not answer is the checks' business, not the report's.
 */
export async function recordStackTarget(stack: StartedStack): Promise<void> {
  const data: StackTargetData = { kind: stack.target };
  const services = stack.services();
  if (services.includes('influxdb')) {
    try {
      const r = await fetch(`${stack.url('influxdb')}/health`, { signal: AbortSignal.timeout(5_000) });
      const v = ((await r.json()) as { version?: unknown }).version;
      if (typeof v === 'string') data.influxdbVersion = v.replace(/^v/, '');
    } catch {
      // not reachable: the configured image's tag stays in the report
    }
  }
  const images: Record<string, string> = {};
  const memoryLimits: Record<string, number | null> = {};
  for (const s of services) {
    const id = stack.containerId(s);
    if (!id) continue;
    try {
      const info = await inspect(id);
      images[s] = info.Config.Image;
      memoryLimits[s] = info.HostConfig.Memory ? info.HostConfig.Memory : null;
    } catch {
      // a one-shot service may be gone already
    }
  }
  if (Object.keys(images).length) {
    data.images = images;
    data.memoryLimits = memoryLimits;
  } else if (stack.target !== 'compose') {
    data.urls = Object.fromEntries(
      services.flatMap((s) => {
        try {
          return [[s, stack.url(s)]];
        } catch {
          return [];
        }
      }),
    );
  }
  recordMeasurement('target', data);
}
