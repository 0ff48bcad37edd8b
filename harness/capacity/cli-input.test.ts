import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../config/load.ts';

/** `npm run capacity -- <args>` refusals: one line, exit 2, before anything boots (newcomer's inputs). */
const capacity = (args: string[]) => {
  const r = spawnSync(process.execPath, ['harness/capacity/cli.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:9' },
    timeout: 60_000,
  });
  return { code: r.status, err: r.stderr.trim(), out: r.stdout };
};

describe('npm run capacity refuses settings that can run no step or cannot load their home', () => {
  it('a budget shorter than one step and its overhead', () => {
    expect(capacity(['--budget', '30'])).toMatchObject({
      code: 2,
      err: 'capacity: --budget=30 is invalid: expected at least HOMEIQ_CAPACITY_STEP_S + 25 (35): a step is started only when its estimate (step + 20 s) fits in the budget left, so a shorter budget runs no step',
    });
    expect(capacity(['--budget', '60', '--step', '45']).err).toContain(
      '--budget=60 is invalid: expected at least --step + 25 (70)',
    );
  });

  it("a max rate and gap whose home is larger than the mock's largest", () => {
    expect(capacity(['--max-rate', '100000', '--min-gap', '60000'])).toMatchObject({
      code: 2,
      err: "capacity: --max-rate=100000 is invalid with --min-gap=60000: a home for twice that rate with that gap needs 18000000 entities: expected at most 12000 (the mock's largest home; lower the max rate or the gap)",
    });
  });

  it('a flag given twice, and a negative value, each in one line', () => {
    expect(capacity(['--budget', '40', '--budget', '50'])).toMatchObject({
      code: 2,
      err: 'capacity: --budget is given 2 times: expected each flag once',
    });
    expect(capacity(['--budget', 'abc', '--budget', '60']).err).toBe(
      'capacity: --budget is given 2 times: expected each flag once',
    );
    expect(capacity(['--budget', '-5'])).toMatchObject({
      code: 2,
      err: 'capacity: --budget="-5" is invalid: a value starting with "-" is not allowed here (see --help for the allowed values)',
    });
  });
});
