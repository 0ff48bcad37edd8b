/**
 * Benchmark server role (child process): the plain Node + ws server the mock is measured against.
 * It plays the same seeded home (the same World produces the same events, byte for byte) and the
 * same open-model schedule, but paces with a 10 ms timer that sends every event due, and keeps no
 * ledger, no delivery record and no back-pressure rule: the floor of what serving these events
 * costs. It speaks just enough of HA's websocket protocol for the bench subscriber (auth,
 * supported_features coalescing: one JSON array frame per tick, subscribe_events).
 *   node plain-server.ts <home size>
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { percentiles } from '../../mock-ha/engine/ledger.ts';
import { scheduleFor } from '../../mock-ha/engine/schedule.ts';
import { singleThreadedGc } from '../../mock-ha/gc.ts';
import { buildHome, type HomeSize } from '../../mock-ha/home/home.ts';
import { World } from '../../mock-ha/home/world.ts';
import { randomToken } from '../../mock-ha/index.ts';
import * as msg from '../../mock-ha/protocol/messages.ts';
import { processUsage, type RunDone, type RunRequest, roleArgs, type ServerReady } from './ipc.ts';

const home = roleArgs(
  'bench plain server',
  'plain-server.ts <home size>',
  1,
  process.argv.slice(2),
)[0] as HomeSize;
singleThreadedGc();
const token = randomToken();
const now = () => performance.timeOrigin + performance.now();
const world = new World(buildHome(1, home), now());
const http = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: '/api/websocket', perMessageDeflate: false });
interface Client {
  send(data: string): void;
  prefix: string | null;
  coalesce: boolean;
}
const clients = new Set<Client>();
wss.on('connection', (ws) => {
  const c: Client = { send: (d) => ws.send(d), prefix: null, coalesce: false };
  let authed = false;
  ws.send(JSON.stringify(msg.authRequired('2025.11.2')));
  ws.on('message', (data) => {
    let m: { type?: string; id?: number; access_token?: string; features?: { coalesce_messages?: number } };
    try {
      m = JSON.parse(data.toString());
    } catch {
      ws.close();
      return;
    }
    if (!authed) {
      if (m.type === 'auth' && m.access_token === token) {
        authed = true;
        ws.send(JSON.stringify(msg.authOk('2025.11.2')));
      } else ws.close();
      return;
    }
    if (m.type === 'supported_features') c.coalesce = m.features?.coalesce_messages === 1;
    if (m.type === 'subscribe_events' && typeof m.id === 'number') {
      c.prefix = msg.eventMessagePrefix(m.id);
      clients.add(c);
    }
    ws.send(JSON.stringify(msg.result(m.id ?? 0)));
  });
  ws.on('close', () => clients.delete(c));
  ws.on('error', () => clients.delete(c));
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const port = (http.address() as { port: number }).port;

function run(rate: number, durationS: number): Promise<RunDone> {
  const schedule = scheduleFor({ kind: 'steady', rate, durationS }, null);
  const late = new Float64Array(Math.ceil(rate * durationS) + 1);
  let n = 0;
  let next = schedule.next();
  const t0 = now();
  let firstSent = Number.NaN;
  let lastSent = Number.NaN;
  return new Promise((resolve) => {
    const tick = () => {
      const t = now();
      const intended: number[] = [];
      const bodies: string[] = [];
      while (!next.done && t0 + next.value.offsetMs <= t) {
        const due = t0 + next.value.offsetMs;
        bodies.push(world.next(due).eventJson());
        intended.push(due);
        next = schedule.next();
      }
      if (bodies.length > 0) {
        for (const c of clients) {
          if (!c.prefix) continue;
          const prefix = c.prefix;
          if (c.coalesce && bodies.length > 1) c.send(`[${bodies.map((b) => `${prefix}${b}}`).join(',')}]`);
          else for (const b of bodies) c.send(`${prefix}${b}}`);
        }
        const sent = now();
        if (Number.isNaN(firstSent)) firstSent = sent;
        lastSent = sent;
        for (const due of intended) if (n < late.length) late[n++] = Math.max(0, sent - due);
      }
      if (next.done) {
        clearInterval(timer);
        const achieved = n > 1 && lastSent > firstSent ? ((n - 1) * 1000) / (lastSent - firstSent) : null;
        const p = percentiles(late.subarray(0, n));
        resolve({
          type: 'ran',
          runId: null,
          count: n,
          achievedRate: achieved,
          rateErrorPct: achieved === null ? null : (achieved / rate - 1) * 100,
          lateness: p && { p50: p.p50, p95: p.p95, p99: p.p99, max: p.max },
        });
      }
    };
    const timer = setInterval(tick, 10);
    tick();
  });
}

const ready: ServerReady = {
  type: 'ready',
  wsUrl: `ws://127.0.0.1:${port}/api/websocket`,
  token,
  url: null,
  controlToken: null,
};
process.send?.(ready);
process.on('message', (m: RunRequest | { type: 'usage' | 'exit' }) => {
  if (m.type === 'run') run(m.rate, m.durationS).then((r) => process.send?.(r));
  else if (m.type === 'usage') {
    process.send?.(processUsage());
  } else if (m.type === 'exit') {
    for (const ws of wss.clients) ws.terminate();
    http.close(() => process.exit(0));
  }
});
