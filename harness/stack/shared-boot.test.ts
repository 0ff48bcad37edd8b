import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '../config/load.ts';
import { sharedBootKey } from './shared-boot.ts';
import { declaresSharedBoot } from './shared-boot-order.ts';

const suiteFiles = (dir = join(repoRoot, 'suites')): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? suiteFiles(join(dir, e.name))
      : e.name.endsWith('.test.ts')
        ? [join(dir, e.name).slice(repoRoot.length + 1)]
        : [],
  );

describe('shared boot key', () => {
  const key = (env: Record<string, string>) =>
    sharedBootKey(loadConfig({ ...process.env, ...env }, repoRoot));

  it('is one key per stack configuration: a fault or an image makes another boot', () => {
    const base = key({ HOMEIQ_FAULT: '' });
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(key({ HOMEIQ_FAULT: '' })).toBe(base);
    expect(key({ HOMEIQ_FAULT: 'memory-hog' })).not.toBe(base);
    expect(key({ HOMEIQ_FAULT: '', HOMEIQ_APP_IMAGE: 'homeiq/app:other' })).not.toBe(base);
  });

  it('ignores what configures the checks, not the stack (load and seed)', () => {
    expect(key({ HOMEIQ_FAULT: '', HOMEIQ_BURST_RATE: '700', HOMEIQ_SEED: '7' })).toBe(
      key({ HOMEIQ_FAULT: '' }),
    );
  });
});

describe('which suites share a boot', () => {
  it('every suite that uses the stack declares whether it shares it or changes it', () => {
    const classified = Object.fromEntries(
      suiteFiles()
        .map((f) => [f, readFileSync(join(repoRoot, f), 'utf8')] as const)
        .filter(([, text]) => /\buseStack\(/.test(text))
        .map(([f, text]) => [
          f,
          declaresSharedBoot(text)
            ? 'shares'
            : /\buseStack\(\s*\{[^)]*\bchanges:/.test(text)
              ? 'own'
              : 'undeclared',
        ]),
    );
    expect(Object.entries(classified).filter(([, c]) => c === 'undeclared')).toEqual([]);
    // The classification (docstring of harness/stack/use-stack.ts): observers share, those that change the stack boot their own.
    expect(classified).toMatchObject({
      'suites/mission/ai-reachability.smoke.test.ts': 'shares',
      'suites/mission/bucket-separation.smoke.test.ts': 'shares',
      'suites/mission/memory-ceilings.test.ts': 'shares',
      'suites/mission/throughput.test.ts': 'shares',
      'suites/safety/interlock.test.ts': 'shares',
      'suites/capacity/capacity.test.ts': 'own',
      'suites/mission/external-apis-disabled.test.ts': 'own',
      'suites/mission/graceful-shutdown.test.ts': 'own',
      'suites/mission/influxdb-outage.test.ts': 'own',
      'suites/mission/production-safeguards.test.ts': 'own',
    });
  });

  it('recognises the declaration in its usual shapes', () => {
    expect(declaresSharedBoot('const stack = useStack({ shares: true });')).toBe(true);
    expect(declaresSharedBoot('useStack({\n    shares: true,\n    overrides: { A: "1" },\n  })')).toBe(true);
    expect(declaresSharedBoot('useStack({ shares: false })')).toBe(false);
    expect(declaresSharedBoot("useStack({ changes: 'stops InfluxDB' })")).toBe(false);
    expect(declaresSharedBoot('useStack()')).toBe(false);
  });
});
