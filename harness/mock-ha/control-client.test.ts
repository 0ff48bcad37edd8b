import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHaControlClient } from './control-client.ts';
import { type StartedMockHa, startMockHa } from './index.ts';

let ha: StartedMockHa;
let ctl: MockHaControlClient;
beforeAll(async () => {
  ha = await startMockHa({ seed: 31 });
  ctl = new MockHaControlClient(ha.url, ha.controlToken as string);
});
afterAll(() => ha.stop());

describe('MockHaControlClient', () => {
  it('runs a scenario and pages through its whole ledger', async () => {
    expect((await ctl.health()).status).toBe('ok');
    const run = await ctl.startScenario({ kind: 'steady', rate: 2000, durationS: 0.6 });
    const report = await ctl.waitForRun(run.run_id, 10_000);
    expect(report.count).toBe(1200);
    const ledger = await ctl.ledger(run.run_id, 500);
    expect(ledger.map((e) => e.seq)).toEqual([...Array(1200).keys()]);
    expect(ledger).toEqual(ha.ledger(run.run_id));
  });

  it('names method, path, status and body when the mock refuses', async () => {
    await expect(new MockHaControlClient(ha.url, 'x'.repeat(40)).stats()).rejects.toThrow(
      /GET \/_mock\/stats on http:\/\/127\.0\.0\.1:\d+: expected 2xx, got 401/,
    );
  });
});
