/**
 * Differences between the mock and Home Assistant core that are kept on purpose, per transcript
 * and step, with the reason and the mock's (normalised) answer. The replay test expects exactly
 * these answers, so a kept difference that disappears must be removed from here too. The same
 * list, in words, is in harness/mock-ha/README.md.
 */
import type { StepOutput } from './exchange.ts';

export interface KeptDifference {
  reason: string;
  mock: StepOutput;
}

export const KEPT_DIFFERENCES: Record<string, Record<number, KeptDifference>> = {
  'float-id': {
    1: {
      reason:
        'Python keeps 1.0 a float (not a valid id); JSON.parse gives the number 1, which JavaScript cannot tell from an integer',
      mock: { messages: [{ id: 1, type: 'pong' }] },
    },
  },
};
