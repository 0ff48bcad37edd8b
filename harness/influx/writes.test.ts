import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from './connection.ts';
import { InfluxError } from './errors.ts';
import { type PointInput, writePoints } from './writes.ts';

/**
 * A stand-in for /api/v2/write that answers each request per `answer(n)` (n: 1-based request
 * number): a status and a delay. Records the lines each answered request carried.
 */
async function writeServer(answer: (n: number) => { status: number; delayMs: number }) {
  const answered: { n: number; status: number; lines: number }[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const mine = ++n;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const { status, delayMs } = answer(mine);
      setTimeout(() => {
        answered.push({ n: mine, status, lines: body.split('\n').filter(Boolean).length });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 204 ? '' : JSON.stringify({ code: 'forbidden', message: 'no write permission' }));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    answered,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const points = (count: number): PointInput[] =>
  Array.from({ length: count }, (_, i) => ({ measurement: 'm', fields: { v: i }, timeMs: 1_000 + i }));
const target = { org: 'o', bucket: 'b' };
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('writePoints', () => {
  it('resolves only after the server answered every batch, even a slow middle one', async () => {
    // 2,500 points in batches of 1,000: the 2nd batch is answered last (as a busy server may).
    const s = await writeServer((n) => ({ status: 204, delayMs: n === 2 ? 400 : 0 }));
    stop = s.close;
    await writePoints(connect(s.url, 't'), target, points(2500), 1000);
    expect(s.answered.map((a) => a.lines).sort()).toEqual([1000, 1000, 500].sort());
  });

  it('rejects when any batch is refused, not only the last', async () => {
    const s = await writeServer((n) => ({ status: n === 1 ? 403 : 204, delayMs: 0 }));
    stop = s.close;
    const err = await writePoints(connect(s.url, 't'), target, points(2500), 1000).catch((e) => e);
    expect(err).toBeInstanceOf(InfluxError);
    expect(String(err.message)).toMatch(/got 403/);
  });
});
