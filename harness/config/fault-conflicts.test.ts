import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './load.ts';
import { plantedFaults, validateHarnessConfig } from './validate.ts';

// HOMEIQ_FAULT=a,b conflicts passed the configuration check and failed only at boot (planCompose).
describe('HOMEIQ_FAULT: faults that cannot share a boot are refused before anything starts', () => {
  const env = (fault: string) => ({ PATH: process.env.PATH, HOMEIQ_FAULT: fault });

  it('refuses two faults that set one variable to different values, naming both and the variable', async () => {
    await expect(validateHarnessConfig(env('influxdb-unlimited,limits-over-budget'))).rejects.toThrow(
      'HOMEIQ_FAULT="influxdb-unlimited,limits-over-budget" is invalid: influxdb-unlimited and limits-over-budget set INFLUXDB_MEM_LIMIT to different values ("0", "5G"): expected faults that set different variables',
    );
  });

  it('refuses an upgrade (.Dockerfile) fault with others, and alone for the suites', async () => {
    await expect(validateHarnessConfig(env('ignores-sigterm,upgrade-moved-data-path'))).rejects.toThrow(
      'HOMEIQ_FAULT="ignores-sigterm,upgrade-moved-data-path" is invalid: upgrade-moved-data-path is an upgrade fault (upgrade-moved-data-path.Dockerfile): expected it alone, with npm run test:upgrade',
    );
    await expect(
      validateHarnessConfig(env('upgrade-moved-data-path'), repoRoot, { runner: 'suites' }),
    ).rejects.toThrow(
      'HOMEIQ_FAULT="upgrade-moved-data-path" is invalid for the suites: upgrade-moved-data-path is an upgrade fault (upgrade-moved-data-path.Dockerfile): expected it with npm run test:upgrade',
    );
    // test:upgrade's own preflight still accepts it.
    await expect(validateHarnessConfig(env('upgrade-moved-data-path'))).resolves.toBeDefined();
  });

  it('uses the one fault-name rule of the matrix: new--fault is not a planted fault', () => {
    const root = mkdtempSync(join(tmpdir(), 'fault-names-'));
    mkdirSync(join(root, 'fixtures', 'faults'), { recursive: true });
    for (const f of ['new--fault.compose.yml', 'ok-fault.env', '-x.env', 'x-.env'])
      writeFileSync(join(root, 'fixtures', 'faults', f), 'X=1\n');
    expect(plantedFaults(root)).toEqual(['ok-fault']);
  });
});
