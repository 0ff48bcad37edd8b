import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, health, ProbeError, probe } from './http.ts';

describe('http probes', () => {
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'healthy', service: 'x', deployment_mode: 'test' }));
    } else if (req.url === '/echo') {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => res.end(JSON.stringify({ got: JSON.parse(b), ct: req.headers['content-type'] })));
    } else if (req.url === '/hang') {
      // never answers
    } else {
      res.statusCode = 503;
      res.end('not ready');
    }
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('parses a health body', async () => {
    const r = await health(base);
    expect(r.status).toBe(200);
    expect(r.json?.deployment_mode).toBe('test');
  });

  it('returns non-2xx results with their text, and describes them in one line', async () => {
    const r = await probe(`${base}/ready`);
    expect(r.status).toBe(503);
    expect(r.json).toBeUndefined();
    expect(describeResult(r)).toBe(`${base}/ready -> 503 not ready`);
  });

  it('sends JSON bodies', async () => {
    const r = await probe<{ got: unknown; ct: string }>(`${base}/echo`, { method: 'POST', body: { a: 1 } });
    expect(r.json).toEqual({ got: { a: 1 }, ct: 'application/json' });
  });

  it('turns a refused connection and a timeout into a ProbeError naming the URL', async () => {
    const refused = await probe('http://127.0.0.1:1/health').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProbeError);
    expect((refused as Error).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:1\/health unreachable after \d+ms \(ECONNREFUSED/,
    );
    const hung = await probe(`${base}/hang`, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((hung as Error).message).toMatch(/\/hang unreachable after \d+ms/);
  });
});
