/**
 * The safety interlock has its proof on this stack (issue 9): the token the ingestion was given
 * writes the test bucket and no other, read and probed from the outside (no deployment mode needed
 * from the service). A stack whose ingestion token reaches another bucket (planted fault
 * `org-wide-token` of fixtures/foreign-stack) fails here with the interlock's refusal.
 */
import { describe, it } from 'vitest';
import { check } from '../../harness/failure/check.ts';
import { activeProfile } from '../../harness/profile/index.ts';
import { SafetyError } from '../../harness/safety/guard.ts';
import { assertSafeToFire } from '../../harness/safety/interlock.ts';
import { useStack } from '../../harness/stack/use-stack.ts';

describe('safety interlock: proof that synthetic events can only land in the test bucket', () => {
  const stack = useStack({ shares: true });
  const profile = activeProfile();
  const { test } = profile.roles.influxdb;

  it(`finds the ingestion's token scoped to ${test.org}/${test.bucket} alone`, async () => {
    const outcome = await assertSafeToFire(stack(), profile).then(
      (proof) => ({ ok: true, text: proof.join('; ') }),
      (err: unknown) => {
        if (err instanceof SafetyError) return { ok: false, text: err.message };
        throw err;
      },
    );
    check(outcome.ok, {
      service: profile.roles.ingestion.service,
      what: 'proof that synthetic events can only land in the test bucket',
      expected: `its token writes ${test.org}/${test.bucket} and no other bucket`,
      measured: outcome.text,
    });
  });
});
