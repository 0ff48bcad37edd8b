import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCgroupReader } from './cgroup-reader.ts';

const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('createCgroupReader', () => {
  it('reads cgroup v1 counters of a cgroupfs-driver container', () => {
    const dir = join(root, 'memory/docker/abc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.usage_in_bytes'), '1000\n');
    writeFileSync(join(dir, 'memory.max_usage_in_bytes'), '1500\n');
    writeFileSync(join(dir, 'memory.limit_in_bytes'), '4096\n');
    writeFileSync(join(dir, 'memory.stat'), 'inactive_file 1\ntotal_inactive_file 300\n');
    const read = createCgroupReader('abc', { root, now: () => 42 });
    expect(read?.()).toEqual({
      t: 42,
      usageBytes: 1000,
      inactiveFileBytes: 300,
      workingSetBytes: 700,
      engineLimitBytes: 4096,
      kernelMaxUsageBytes: 1500,
      source: 'cgroup',
    });
  });

  it('reads cgroup v2 counters of a systemd-driver container', () => {
    const dir = join(root, 'system.slice/docker-def.scope');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.current'), '2000\n');
    writeFileSync(join(dir, 'memory.max'), 'max\n');
    writeFileSync(join(dir, 'memory.stat'), 'anon 1500\ninactive_file 500\n');
    expect(createCgroupReader('def', { root, now: () => 1 })?.()).toMatchObject({
      workingSetBytes: 1500,
      engineLimitBytes: 0,
    });
  });

  it('is undefined when the cgroup is not visible', () => {
    expect(createCgroupReader('nope', { root })).toBeUndefined();
  });
});
