/**
 * One booted stack per suite file: `const stack = useStack()` in a describe block boots the
 * configured target in beforeAll and tears it down in afterAll (also when a test failed).
 */
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { recordStackTarget } from '../report/target.ts';
import { startStack } from './index.ts';
import type { StartedStack } from './types.ts';

export type StackRef = () => StartedStack;

export function useStack(overrides: Record<string, string> = {}): StackRef {
  let stack: StartedStack | undefined;
  beforeAll(async () => {
    stack = await startStack(loadConfig({ ...process.env, ...overrides }));
    // What was tested (images, InfluxDB version, memory limits) for the report; never throws.
    await recordStackTarget(stack).catch(() => {});
  });
  afterAll(async () => {
    await stack?.down();
  });
  return () => {
    if (!stack)
      throw new Error('the stack is not booted (beforeAll failed: see the first error of this file)');
    return stack;
  };
}
