/**
 * Benchmark subscriber (child process): a raw `ws` client that authenticates, asks for
 * coalescing, subscribes to state_changed and parses and counts every event. It measures the
 * end-to-end lag (receive time - time_fired) of every 8th event and hashes every context id in
 * arrival order, so the driver can check the mock's ledger against what was received.
 *   node subscriber.ts <wsUrl> <token>
 */
import { WebSocket } from 'ws';
import * as msg from '../../mock-ha/protocol/messages.ts';
import { FNV_START, fnv1a, roleArgs, type SubscriberCounts } from './ipc.ts';

const [url, token] = roleArgs(
  'bench subscriber',
  'subscriber.ts <ws url> <access token>',
  2,
  process.argv.slice(2),
) as [string, string];
const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0 }); // the plain server's frames may be huge
let events = 0;
let frames = 0;
let hash = FNV_START;
let lags: number[] = [];
const now = () => performance.timeOrigin + performance.now();
ws.on('message', (data) => {
  frames++;
  const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const t = now();
  for (const m of list) {
    if (m.type === 'auth_ok') {
      ws.send(JSON.stringify(msg.supportedFeatures(1)));
      ws.send(JSON.stringify(msg.subscribeEvents(2, 'state_changed')));
    } else if (m.type === 'result' && m.id === 2) process.send?.({ type: 'ready' });
    else if (m.type === 'event') {
      events++;
      const ev = m.event as { time_fired: string; context: { id: string } };
      hash = fnv1a(hash, ev.context.id);
      if ((events & 7) === 0) lags.push(t - msg.isoToEpochSeconds(ev.time_fired) * 1000);
    }
  }
});
ws.on('open', () => ws.send(JSON.stringify(msg.auth(token))));
ws.on('close', () => process.exit(0));
ws.on('error', (err) => {
  process.stderr.write(`bench subscriber: ${err.message}\n`);
  process.exit(1);
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'counts' || m.type === 'reset') {
    const sorted = Float64Array.from(lags).sort();
    const q = (p: number) =>
      sorted.length
        ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number)
        : null;
    const counts: SubscriberCounts = {
      type: 'counts',
      events,
      frames,
      hash: hash.toString(16),
      lagP50: q(0.5),
      lagP99: q(0.99),
      lagMax: q(1),
    };
    if (m.type === 'reset') {
      lags = [];
      hash = FNV_START;
    }
    process.send?.(counts);
  }
  if (m.type === 'exit') ws.close();
});
