import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFaults } from './load.ts';
import { readmePath, renderFaultsTable, withFaultsTable } from './readme.ts';

describe('fixtures/faults/README.md faults table', () => {
  it('is the one generated from faults.json (run `npm run docs:faults` when this fails)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readme).toBe(withFaultsTable(readme, loadFaults().faults));
  });

  it('has a row per fault with the check that must fail and the service it names', () => {
    const { faults } = loadFaults();
    const table = renderFaultsTable(faults);
    for (const f of faults) {
      expect(table).toContain(`| ${f.name} |`);
      for (const e of f.expect) expect(table).toContain(`"${e.test}" names \`${e.service}\``);
    }
  });
});
