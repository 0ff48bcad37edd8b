import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onInterrupt, pendingInterruptActions } from './cleanup.ts';

describe('interrupt cleanup', () => {
  it('registers and unregisters actions', () => {
    const off = onInterrupt('stack-a', () => {});
    expect(pendingInterruptActions()).toEqual(['stack-a']);
    off();
    expect(pendingInterruptActions()).toEqual([]);
    expect(process.listeners('SIGINT').length).toBe(0);
  });

  it('runs the emergency action on SIGTERM, then dies of the same signal', () => {
    const mod = resolve(import.meta.dirname, 'cleanup.ts');
    const script = `import { onInterrupt } from ${JSON.stringify(mod)};
      onInterrupt('x', () => process.stdout.write('cleaned\\n'));
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 10);
      setTimeout(() => {}, 5000);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.stdout).toBe('cleaned\n');
    expect(r.signal).toBe('SIGTERM');
  });
});
