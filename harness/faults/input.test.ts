import { describe, expect, it } from 'vitest';
import { repeatedFlags, targetProblem } from './input.ts';

describe('test:faults input without matrix data', () => {
  // parseArgs keeps the last of `--only a --only b` silently.
  it('refuses a flag given more than once, with or without "="', () => {
    expect(repeatedFlags(['--only', 'a', '--only=b', '--all'], ['only', 'all'])).toEqual([
      '--only is given 2 times: expected each flag once',
    ]);
    expect(repeatedFlags(['--only', 'a', '--dry-run'], ['only', 'dry-run'])).toEqual([]);
  });

  // A run on attach/local would judge a fault-free (possibly live) stack and call every fault undetected.
  it('accepts only the compose target and the reference profile', () => {
    expect(targetProblem({})).toBeUndefined();
    expect(targetProblem({ HOMEIQ_TARGET: 'attach' })).toBe(
      'HOMEIQ_TARGET="attach" is invalid for test:faults: expected compose (unset) — planted faults are compose overrides',
    );
    expect(targetProblem({ HOMEIQ_TARGET: 'local' })).toMatch(
      /^HOMEIQ_TARGET="local" is invalid for test:faults/,
    );
    expect(targetProblem({ HOMEIQ_TARGET: 'bogus' })).toBe(
      'HOMEIQ_TARGET="bogus" is invalid: expected one of compose, attach, local',
    );
    expect(targetProblem({ HOMEIQ_PROFILE: 'fixtures/foreign-stack/stack.profile.json' })).toBe(
      `HOMEIQ_PROFILE="fixtures/foreign-stack/stack.profile.json" is invalid for test:faults: expected the reference stack's profile (unset: fixtures/reference-stack/stack.profile.json) — the matrix data names the reference stack's services`,
    );
  });
});
