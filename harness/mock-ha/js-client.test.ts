import {
  type Connection,
  createConnection,
  createLongLivedTokenAuth,
  ERR_INVALID_AUTH,
  type HassEntities,
  subscribeEntities,
} from 'home-assistant-js-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../util/wait.ts';
import { type StartedMockHa, startMockHa } from './index.ts';

// The official client, unmodified, against the mock (Node 24 has a global WebSocket).
let ha: StartedMockHa;
let conn: Connection | undefined;
beforeAll(async () => {
  ha = await startMockHa({ seed: 21, homeSize: 'medium' });
});
afterAll(async () => {
  conn?.close();
  await ha.stop();
});

describe('home-assistant-js-websocket against the mock', () => {
  it('connects, subscribes to entities and sees every change of a scenario', async () => {
    conn = await createConnection({ auth: createLongLivedTokenAuth(ha.url, ha.token) });
    expect(conn.haVersion).toBe('2025.11.2');
    let entities: HassEntities = {};
    subscribeEntities(conn, (e) => {
      entities = e;
    });
    await waitFor(
      async () => ({
        done: Object.keys(entities).length === ha.world.size,
        seen: `${Object.keys(entities).length} entities`,
      }),
      {
        what: 'the initial entity states',
        timeoutMs: 5000,
      },
    );
    const run = ha.startScenario({ kind: 'steady', rate: 400, durationS: 1 });
    const report = await ha.waitForRun(run.run_id);
    const last = ha.ledger(run.run_id, report.count - 1, 1)[0];
    await waitFor(
      async () => ({
        done: entities[last?.entity_id ?? '']?.context.id === last?.context_id,
        seen: JSON.stringify(entities[last?.entity_id ?? '']?.context),
      }),
      { what: `the client to see the last change (${last?.context_id})`, timeoutMs: 5000 },
    );
    // The client's reconstructed states equal the mock's, attribute for attribute.
    for (const s of ha.world.states()) {
      const seen = entities[s.entity_id];
      expect(seen?.state, s.entity_id).toBe(s.state);
      expect(seen?.attributes, s.entity_id).toEqual(s.attributes);
      expect(seen?.last_changed, s.entity_id).toBe(new Date(Date.parse(s.last_changed)).toISOString());
    }
    const client = ha.stats().clients[0];
    expect(client?.coalesce).toBe(true); // the client sent supported_features
  });

  it('is refused with ERR_INVALID_AUTH for a wrong token', async () => {
    await expect(createConnection({ auth: createLongLivedTokenAuth(ha.url, 'z'.repeat(40)) })).rejects.toBe(
      ERR_INVALID_AUTH,
    );
  });
});
