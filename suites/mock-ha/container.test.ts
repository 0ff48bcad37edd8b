/**
 * The mock HA as the test profile runs it: the CLI in the homeiq/app:local container, reached
 * from the host by the official HA client, the ingestion's REST pre-check and the control API;
 * clean exit on SIGTERM; one clear line and exit 2 on a bad token.
 */
import Docker from 'dockerode';
import { createConnection, createLongLivedTokenAuth, type HassEvent } from 'home-assistant-js-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerLabels } from '../../harness/docker/identity.ts';
import {
  MOCK_HA_LABELS,
  type StartedMockHaContainer,
  startMockHaContainer,
} from '../../harness/mock-ha/container.ts';
import type { LedgerEntry, RunReport } from '../../harness/mock-ha/index.ts';
import { waitFor } from '../../harness/util/wait.ts';

const docker = new Docker();
/** MOCK_HA_IMAGE overrides the app image (e.g. an image with a planted fault). */
const image = process.env.MOCK_HA_IMAGE;
let ha: StartedMockHaContainer;
beforeAll(async () => {
  ha = await startMockHaContainer({ seed: 12, ...(image ? { image } : {}) });
});
afterAll(() => ha?.stop());

const control = async (path: string, body?: unknown) => {
  const res = await fetch(`${ha.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${ha.controlToken}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('mock HA container (home-assistant-test)', () => {
  it('answers the ingestion pre-check GET /api/ with the token, 401 without', async () => {
    const ok = await fetch(`${ha.url}/api/`, { headers: { authorization: `Bearer ${ha.token}` } });
    expect([ok.status, await ok.json()]).toEqual([200, { message: 'API running.' }]);
    expect((await fetch(`${ha.url}/api/`)).status).toBe(401);
  });

  it('delivers every event of a scenario, in ledger order, to the official client on the host', async () => {
    const conn = await createConnection({ auth: createLongLivedTokenAuth(ha.url, ha.token) });
    try {
      const seen: string[] = [];
      await conn.subscribeEvents((ev: HassEvent) => seen.push(ev.context.id), 'state_changed');
      const started = await control('/_mock/scenario', { kind: 'steady', rate: 200, durationS: 2 });
      expect(started.status).toBe(201);
      const runId = String(started.body.run_id);
      const report = await waitFor(
        async () => {
          const r = (await control(`/_mock/runs/${runId}`)).body as unknown as RunReport;
          return { done: r.state === 'finished', value: r, seen: `state=${r.state} count=${r.count}` };
        },
        { what: `mock HA run ${runId} to finish`, timeoutMs: 30_000 },
      );
      expect(report.count).toBe(400);
      const ledger = (await control(`/_mock/runs/${runId}/ledger?limit=1000`)).body.entries as LedgerEntry[];
      await waitFor(
        async () => ({
          done: seen.length >= ledger.length,
          seen: `${seen.length} of ${ledger.length} events`,
        }),
        {
          what: 'the client to receive every fired event',
          timeoutMs: 15_000,
        },
      );
      expect(seen).toEqual(ledger.map((e) => e.context_id));
    } finally {
      conn.close();
    }
  });

  it('exits 0 within 5 s on SIGTERM (docker stop)', async () => {
    const other = await startMockHaContainer({ seed: 13, ...(image ? { image } : {}) });
    const id = other.container.getId();
    const t0 = performance.now();
    await other.container.stop({ remove: false, timeout: 20_000 });
    const stopMs = performance.now() - t0;
    const info = await docker.getContainer(id).inspect();
    await docker.getContainer(id).remove({ force: true });
    expect(info.State.ExitCode, `exit code after SIGTERM (took ${stopMs.toFixed(0)} ms)`).toBe(0);
    expect(stopMs).toBeLessThan(5000);
  });

  it('refuses a malformed HA_TOKEN with one clear line and exit code 2', async () => {
    const c = await docker.createContainer({
      Image: image ?? 'homeiq/app:local',
      Cmd: ['harness/mock-ha/cli.ts'],
      Env: ['HA_TOKEN=too-short'],
      Labels: { ...MOCK_HA_LABELS, ...ownerLabels() },
      Tty: true, // raw log stream, no multiplexing headers
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      const logs = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
      const lines = logs
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      expect(StatusCode).toBe(2);
      expect(lines).toEqual([
        'mock-ha: HA_TOKEN must be 32-300 characters of [A-Za-z0-9._-], got 9 characters',
      ]);
    } finally {
      await c.remove({ force: true });
    }
  });
});
