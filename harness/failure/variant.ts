/**
 * How a one-off copy of a service ended (StartedStack.runVariant), in words for a failure message:
 * its exit code and the last lines it logged (health-poll access lines removed), or that it was
 * still running and what its /health said. A check that expected the copy to keep running and saw
 * it exit says why it exited, not only that it did.
 */
import type { VariantResult } from '../stack/types.ts';
import { healthPollMatcher } from './context.ts';

/** The last `lines` non-empty log lines of a copy, health-poll access lines removed. */
export function variantLogTail(v: Pick<VariantResult, 'output'>, lines = 5): string[] {
  const isPoll = healthPollMatcher();
  return v.output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !isPoll(l))
    .slice(-lines);
}

/**
 * `exited 1; last log lines: a | b | c` for a copy that exited; `still running at its own 60 s
 * deadline (awaited: …; last seen: …)` for one that neither exited nor answered in time;
 * `running (health {...})` for one that answered /health. Shapes: `lines` = how many log lines (default 5), joined
 * with " | " so the message stays one line per service.
 */
export function describeVariantEnd(v: VariantResult, lines = 5): string {
  if (v.deadline)
    return `still running at its own ${Math.round(v.deadline.timeoutMs / 1000)} s deadline (awaited: ${v.deadline.awaited}; last seen: ${v.deadline.lastSeen})`;
  if (v.exitCode === undefined)
    return `running (health ${v.health === undefined ? 'not read' : JSON.stringify(v.health).slice(0, 200)})`;
  const tail = variantLogTail(v, lines);
  return `exited ${v.exitCode}; last log lines: ${tail.length ? tail.join(' | ') : '(none)'}`;
}
