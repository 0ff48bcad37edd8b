import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ownerOverride } from '../stack/compose-owner.ts';
import { OWNER_LABELS, ownerLabels, ownerLiveness, ownerOf, processStartTime, runOwner } from './identity.ts';

describe('run owner identity', () => {
  it('labels name the host, pid, start time and run of the run root, beside com.homeiq.harness', () => {
    const o = runOwner();
    const labels = ownerLabels(o);
    expect(labels['com.homeiq.harness']).toBe('1');
    expect(ownerOf(labels)).toEqual(o);
    expect(o.host).toBe(hostname());
    expect(ownerLiveness(o), 'the runner of this test is alive').toBe('alive');
  });

  it('a dead pid is a gone owner; a live pid with another start time is a gone owner (reused pid)', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(dead.stdout);
    expect(processStartTime(deadPid)).toBeUndefined();
    expect(ownerLiveness({ host: hostname(), pid: deadPid, start: 'x', run: 'r' })).toBe('gone');
    const start = processStartTime(process.pid) ?? '';
    expect(ownerLiveness({ host: hostname(), pid: process.pid, start: `${start}1`, run: 'r' })).toBe('gone');
    expect(ownerLiveness({ host: hostname(), pid: process.pid, start, run: 'r' })).toBe('alive');
  });

  it('an owner on another host is never judged from here', () => {
    expect(ownerLiveness({ host: `${hostname()}-elsewhere`, pid: 1, start: '', run: 'r' })).toBe('elsewhere');
  });

  it('resources without owner labels have no owner (made by an older harness: never swept)', () => {
    expect(ownerOf({ 'com.homeiq.harness': '1' })).toBeUndefined();
    expect(ownerOf({ [OWNER_LABELS.host]: 'h', [OWNER_LABELS.pid]: 'abc' })).toBeUndefined();
  });
});

describe('compose owner override', () => {
  it('adds only the labels a resource lacks (compose rejects a volume label given twice)', () => {
    expect(
      ownerOverride(
        { services: {}, volumes: { data: { labels: { a: '1' } }, v2: { labels: ['a=1'] } } },
        { a: '1', b: '2' },
      ),
    ).toEqual({
      services: {},
      networks: { default: { labels: { a: '1', b: '2' } } },
      volumes: { data: { labels: { b: '2' } }, v2: { labels: { b: '2' } } },
    });
  });

  it('labels every service, our networks (and default) and our volumes; external ones are left out', () => {
    const labels = { a: '1' };
    expect(
      ownerOverride(
        {
          services: { web: {}, db: {} },
          networks: { back: {}, shared: { external: true } },
          volumes: { data: {}, ext: { external: true } },
        },
        labels,
      ),
    ).toEqual({
      services: { web: { labels }, db: { labels } },
      networks: { back: { labels }, default: { labels } },
      volumes: { data: { labels } },
    });
  });
});
