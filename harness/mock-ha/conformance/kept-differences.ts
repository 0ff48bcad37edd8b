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

export const KEPT_DIFFERENCES: Record<string, Record<number, KeptDifference>> = {};
