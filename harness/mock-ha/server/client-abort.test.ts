/**
 * A client that goes away in the middle of a request body (a timeout in the system under test, a
 * killed process) is not a fault of the mock: aiohttp drops such a request quietly, and the mock
 * must not count it in `handler_errors` (the figure suites and the fuzz test read as "the mock
 * failed") nor log it as a handler error. Found by trying the mock: a POST whose chunked body broke
 * off was counted as a handler error with a WARN and a stack trace.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { waitFor } from '../../util/wait.ts';
import { type StartedMockHa, startMockHa } from '../index.ts';

let ha: StartedMockHa;
beforeEach(async () => {
  ha = await startMockHa({ seed: 1, homeSize: 'small' });
});
afterEach(() => ha.stop());

/** Sends a request head and part of its body, then closes the connection; resolves once closed. */
const abortMidBody = (path: string, token: string) =>
  new Promise<void>((resolve, reject) => {
    const sock = connect(ha.port, '127.0.0.1', () => {
      sock.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"state":`,
      );
      setImmediate(() => sock.destroy());
    });
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });

it('a request body that breaks off is not a handler error (REST and control API)', async () => {
  const before = ha.stats().totals.rest_requests;
  await abortMidBody('/api/states/sensor.x', ha.token);
  await abortMidBody('/_mock/event', ha.controlToken as string);
  // the REST request reached its handler (so its body read was under way when the client left)
  await waitFor(
    async () => ({ done: ha.stats().totals.rest_requests > before, seen: JSON.stringify(ha.stats().totals) }),
    { what: 'the REST request to reach its handler', timeoutMs: 5000 },
  );
  // a later request on a new connection is served after the server saw both closes
  const ok = await fetch(`${ha.url}/api/`, { headers: { authorization: `Bearer ${ha.token}` } });
  expect(ok.status).toBe(200);
  expect(ha.stats().totals.handler_errors).toBe(0);
  expect(ha.world.has('sensor.x')).toBe(false);
});
