import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFaults } from './load.ts';
import { ReadmeMarkersError, readmePath, renderFaultsTable, withFaultsTable } from './readme.ts';

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

  it('fails with one line naming the missing marker (docs:faults exits 2 with it)', () => {
    const readme = readFileSync(readmePath, 'utf8').replace('<!-- end of faults table -->', '');
    expect(() => withFaultsTable(readme, loadFaults().faults)).toThrow(ReadmeMarkersError);
    expect(() => withFaultsTable(readme, loadFaults().faults)).toThrow(
      /^fixtures\/faults\/README\.md: the end marker is missing: expected the lines .* around the faults table \(in that order\)$/,
    );
  });

  it("shows the scenario a fault runs on: its group's burst when another member needs it", () => {
    const { faults } = loadFaults();
    const [a, b] = faults;
    if (!a || !b) throw new Error('expected at least two faults in fixtures/faults/faults.json');
    const group = [
      { ...a, boot: 'planted-group', scenario: 'burst' as const },
      { ...b, boot: 'planted-group', scenario: 'short' as const },
    ];
    const table = renderFaultsTable(group);
    expect(table).toMatch(new RegExp(`\\| ${b.name} \\|.*\\| burst \\(its group's; own: short\\) \\|`));
    expect(table).not.toMatch(new RegExp(`\\| ${a.name} \\|.*its group's`));
  });
});
