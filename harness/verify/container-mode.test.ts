import { describe, expect, it } from 'vitest';
import type { StartedStack } from '../stack/types.ts';
import { containerMode, describeMode, modeIsTest } from './container-mode.ts';

describe('a service mode from its container environment', () => {
  it('says test only when the variable is unset or "test"', () => {
    expect(modeIsTest({ variable: 'DEPLOYMENT_MODE' })).toBe(true);
    expect(modeIsTest({ variable: 'DEPLOYMENT_MODE', value: 'test' })).toBe(true);
    expect(modeIsTest({ variable: 'DEPLOYMENT_MODE', value: 'production' })).toBe(false);
    expect(modeIsTest({ variable: 'DEPLOYMENT_MODE', value: '' })).toBe(false);
    expect(modeIsTest({ variable: 'DEPLOYMENT_MODE', value: 'Test' })).toBe(false);
  });

  it('describes the reading: value, unset, or why it could not be read', () => {
    expect(describeMode({ variable: 'MODE', value: 'production' })).toBe('MODE=production');
    expect(describeMode({ variable: 'MODE' })).toBe('MODE unset');
    expect(describeMode({ variable: 'MODE', unreadable: 'no container' })).toBe(
      'MODE unreadable (no container)',
    );
  });

  it('never throws: a target without containers comes back unreadable, naming the service', async () => {
    const stack = { target: 'local', containerId: () => undefined } as unknown as StartedStack;
    const m = await containerMode(stack, 'ai-core', 'DEPLOYMENT_MODE');
    expect(m).toEqual({
      variable: 'DEPLOYMENT_MODE',
      unreadable: 'the local target has no container for ai-core',
    });
  });
});
