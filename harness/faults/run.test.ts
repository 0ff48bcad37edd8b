import { describe, expect, it } from 'vitest';
import type { LoadedFault } from './load.ts';
import { bootDirName, commandOf, planBoot } from './run.ts';

const fault = (name: string, over: Partial<LoadedFault> = {}): LoadedFault => ({
  name,
  breaks: '',
  kind: '',
  runner: 'suites',
  scenario: 'short',
  suites: ['suites/mission/bucket-separation.smoke.test.ts'],
  expect: [],
  files: {},
  touches: [],
  sets: [],
  ...over,
});

describe('a boot of the matrix', () => {
  it('runs the union of its faults suite files in one vitest invocation with HOMEIQ_FAULT=a,b', () => {
    const p = planBoot(
      [
        fault('a', { boot: 'g' }),
        fault('b', {
          boot: 'g',
          scenario: 'burst',
          suites: ['suites/mission/throughput.test.ts', 'suites/mission/bucket-separation.smoke.test.ts'],
        }),
      ],
      '/repo',
    );
    expect(p.fault).toBe('a,b');
    expect(p.scenario).toBe('burst');
    expect(p.suites).toEqual([
      'suites/mission/bucket-separation.smoke.test.ts',
      'suites/mission/throughput.test.ts',
    ]);
    expect(p.env).toMatchObject({ HOMEIQ_FAULT: 'a,b', HOMEIQ_REPORTS_DIR: '/repo/reports/faults/g' });
    expect(p.env.HOMEIQ_BURST_SECONDS).toBeUndefined();
    expect(commandOf(p, '/repo')).toBe(
      'HOMEIQ_FAULT=a,b HOMEIQ_REPORTS_DIR=reports/faults/g npx vitest run --project suites suites/mission/bucket-separation.smoke.test.ts suites/mission/throughput.test.ts',
    );
  });

  it('runs faults that need no burst on the short scenario, and upgrade faults through test:upgrade', () => {
    expect(planBoot([fault('a')], '/repo').env.HOMEIQ_BURST_SECONDS).toBe('3');
    const u = planBoot(
      [fault('u', { runner: 'upgrade', suites: ['suites/upgrade/influxdb-upgrade.test.ts'] })],
      '/repo',
    );
    expect(u.argv.slice(1)).toEqual(['/repo/harness/upgrade/cli.ts']);
    expect(commandOf(u, '/repo')).toBe(
      'HOMEIQ_BURST_SECONDS=3 HOMEIQ_FAULT=u HOMEIQ_REPORTS_DIR=reports/faults/u npm run test:upgrade',
    );
  });

  // A group of long names joined by "+" exceeded the 255-byte name limit (ENAMETOOLONG mid-run).
  it('puts a grouped boot in reports/faults/<group>/ and a single fault in reports/faults/<fault>/', () => {
    const long = Array.from({ length: 6 }, (_, i) => fault(`${'x'.repeat(60)}-${i}`, { boot: 'services-a' }));
    expect(bootDirName(long)).toBe('services-a');
    expect(planBoot(long, '/repo').dir).toBe('/repo/reports/faults/services-a');
    expect(planBoot([fault('a', { boot: 'services-a' })], '/repo').dir).toBe('/repo/reports/faults/a');
  });
});
