import { describe, expect, it } from 'vitest';
import { type ContainerState, servicesDown } from './service-state.ts';

const st = (service: string, over: Partial<ContainerState> = {}): ContainerState => ({
  service,
  running: true,
  restartCount: 0,
  startedAt: '2026-01-01T00:00:00Z',
  oomKilled: false,
  exitCode: null,
  ...over,
});

describe('services that went down during a capacity step', () => {
  it('names a restart after an OOM kill, a stop and a vanished container; ignores init containers', () => {
    const before = new Map<string, ContainerState | undefined>([
      ['influxdb', st('influxdb')],
      ['ingest', st('ingest')],
      ['gone', st('gone')],
      ['init', st('init', { running: false, exitCode: 0 })],
      ['calm', st('calm')],
    ]);
    const now = new Map<string, ContainerState | undefined>([
      ['influxdb', st('influxdb', { restartCount: 1, startedAt: '2026-01-01T00:01:00Z', oomKilled: true })],
      ['ingest', st('ingest', { running: false, exitCode: 137 })],
      ['gone', undefined],
      ['init', st('init', { running: false, exitCode: 0 })],
      ['calm', st('calm')],
    ]);
    expect(servicesDown(before, now)).toEqual([
      {
        service: 'influxdb',
        oomKilled: true,
        detail: 'running again, restarted 1x, OOM-killed (Docker State.OOMKilled)',
      },
      { service: 'ingest', oomKilled: false, detail: 'stopped (exit 137)' },
      { service: 'gone', oomKilled: false, detail: 'container gone' },
    ]);
  });
});
