import { describe, expect, it } from 'vitest';
import { bootServices, bootWatcher, observeBoot } from './boot-progress.ts';
import type { ContainerInfo } from './docker.ts';

const c = (service: string, state: string, health?: string): ContainerInfo => ({
  id: service,
  name: `p-${service}-1`,
  service,
  state,
  health,
});

describe('boot progress', () => {
  it('knows the services docker-compose.test.yml starts with --profile test, and its one-shot init', () => {
    const s = bootServices(['docker-compose.test.yml'], ['test'], {}, process.cwd());
    expect(s?.names).toHaveLength(19);
    expect([...(s?.oneShot ?? [])]).toEqual(['influxdb-init']);
    expect(bootServices(['docker-compose.test.yml'], ['other'], {}, process.cwd())).toBeUndefined();
  });

  it('counts ready services: healthy, running without healthcheck, an init job that exited', () => {
    const services = {
      names: ['influxdb', 'influxdb-init', 'api', 'worker', 'ai'],
      oneShot: new Set(['influxdb-init']),
    };
    const o = observeBoot(
      services,
      [
        c('influxdb', 'running', 'healthy'),
        c('influxdb-init', 'exited'),
        c('api', 'running', 'health: starting'),
        c('worker', 'running'),
        c('ai', 'running', 'unhealthy'),
      ],
      new Set(['influxdb']),
    );
    expect(o.text).toBe('3 of 5 services ready (+influxdb-init, worker); failing: ai; waiting for api');
  });

  it('prints a line only when the set of ready, failing or waiting services changes', () => {
    const services = { names: ['a', 'b'], oneShot: new Set<string>() };
    const lines: string[] = [];
    const watch = bootWatcher(services, (l) => lines.push(l));
    watch([]);
    watch([c('a', 'running', 'health: starting')]);
    watch([c('a', 'running', 'healthy')]);
    watch([c('a', 'running', 'healthy'), c('b', 'created')]);
    watch([c('a', 'running', 'healthy'), c('b', 'running', 'healthy')]);
    expect(lines).toEqual([
      '0 of 2 services ready; waiting for a, b',
      '1 of 2 services ready (+a); waiting for b',
      '2 of 2 services ready (+b)',
    ]);
  });
});
