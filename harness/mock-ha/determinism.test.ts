import { describe, expect, it } from 'vitest';
import { startMockHa } from './index.ts';
import * as msg from './protocol/messages.ts';
import { RawClient } from './testing/raw-client.ts';

/** Everything a client sees from a mock with this seed, driven by an injected manual clock. */
async function wireTranscript(seed: number): Promise<string[]> {
  let t = 1_767_225_600_000;
  await using ha = await startMockHa({ seed, homeSize: 'medium', clock: { now: () => t } });
  const c = await RawClient.authed(ha.wsUrl, ha.token);
  try {
    c.send(msg.command(1, 'get_states'));
    c.send(msg.subscribeEvents(2, 'state_changed'));
    await c.next();
    await c.next();
    for (let i = 0; i < 300; i++) {
      t += 7.25;
      ha.fire();
    }
    await c.nextMatching(() => c.messages.length >= 303, '300 events');
    return c.messages
      .filter((m) => m.type !== 'auth_required' && m.type !== 'auth_ok')
      .map((m) => JSON.stringify(m));
  } finally {
    c.close();
  }
}

describe('determinism over the wire', () => {
  it('same seed and clock -> byte-identical states and events; another seed -> different', async () => {
    const a = await wireTranscript(99);
    const b = await wireTranscript(99);
    expect(a).toHaveLength(302);
    expect(b).toEqual(a);
    const other = await wireTranscript(100);
    expect(other).not.toEqual(a);
  });
});
