/**
 * Property-based fuzzing of one mock Home Assistant, run as a child process (the CLI) so that a
 * crash is observable: generated websocket frames (valid, mutated, hostile, raw, binary), HTTP
 * requests and malformed request heads. Asserts that the process stays up, every websocket
 * reply is a well-formed HA message, the connection only closes where HA closes it, HTTP
 * answers are well-formed, RSS stays bounded, no handler threw, and a normal client still works.
 *
 * Fixed seed (HOMEIQ_FUZZ_SEED overrides it); fast-check prints the seed and the shrunk input of
 * a failure, and the test name carries the seed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor } from '../../util/wait.ts';
import { ERROR_CODES } from '../protocol/messages.ts';
import { RawClient } from '../testing/raw-client.ts';
import { type Frame, type FuzzRequest, frameSequence, httpRequest, rawRequest } from './arbitraries.ts';

const SEED = Number(process.env.HOMEIQ_FUZZ_SEED ?? 20_261_130);
const WS_RUNS = 400; // x ~28 frames = ~11,000 frames
const HTTP_RUNS = 2000;
const RAW_RUNS = 200;
/** RSS may grow by at most this much over the whole fuzz run (the container limit is 256 MiB). */
const MAX_RSS_GROWTH_MIB = 64;
const TOKEN = 'fuzz-access-token-0123456789abcdefghijkl';
const CONTROL = 'fuzz-control-token-0123456789abcdefghijk';
const CLI = new URL('../cli.ts', import.meta.url).pathname;

let child: ChildProcess;
let port = 0;
let stderr = '';
const figures = {
  frames: 0,
  wsRuns: 0,
  closedByServer: 0,
  httpRequests: 0,
  rawRequests: 0,
  rssBeforeMiB: 0,
  rssAfterMiB: 0,
};

const rssMiB = (): number => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
};
const alive = () => child.exitCode === null && child.signalCode === null;
/** Runs one fuzz case; if the mock died meanwhile, the failure says so (with its last stderr). */
async function guarded(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await new Promise((r) => setTimeout(r, 100)); // let the exit be observed
    if (!alive())
      throw new Error(
        `the mock-ha process died (exit ${child.exitCode}, signal ${child.signalCode}); its stderr ends: ${stderr.slice(-400)}`,
      );
    throw err;
  }
}
const base = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
  child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', HA_TOKEN: TOKEN, MOCK_HA_CONTROL_TOKEN: CONTROL, MOCK_HA_SEED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d) => {
    stderr += String(d);
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });
  port = await waitFor(
    async () => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (!alive()) throw new Error(`mock-ha exited during start: ${stderr}`);
      return { done: m !== null, value: Number(m?.[1]), seen: stderr.slice(-200) };
    },
    { what: 'the mock CLI to listen', timeoutMs: 20_000 },
  );
});

afterAll(async () => {
  if (alive()) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  process.stdout.write(`fuzz seed=${SEED} ${JSON.stringify(figures)}\n`);
});

/** null when `m` is a well-formed HA websocket message, else what is wrong with it. */
function malformed(m: unknown): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not an object';
  const r = m as Record<string, unknown>;
  switch (r.type) {
    case 'auth_required':
    case 'auth_ok':
      return typeof r.ha_version === 'string' ? null : 'no ha_version';
    case 'auth_invalid':
      return typeof r.message === 'string' ? null : 'no message';
    case 'pong':
      return 'id' in r ? null : 'pong without id';
    case 'event':
      return typeof r.id === 'number' && typeof r.event === 'object' && r.event !== null ? null : 'bad event';
    case 'result': {
      if (!('id' in r) || typeof r.success !== 'boolean') return 'result without id or success';
      if (r.success) return 'result' in r ? null : 'success without result';
      const e = r.error as Record<string, unknown> | undefined;
      if (!e || !(ERROR_CODES as readonly unknown[]).includes(e.code) || typeof e.message !== 'string')
        return `bad error ${JSON.stringify(e)}`;
      return null;
    }
    default:
      return `unknown type ${JSON.stringify(r.type)}`;
  }
}

/**
 * What HA's json_loads (orjson) refuses: a syntax error, and beyond JSON.parse a number that
 * overflows to infinity, nesting deeper than 1024 arrays/objects, a lone surrogate escape.
 */
const orjsonRefuses = (text: string): boolean => {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return true;
  }
  const bad = (v: unknown, depth: number): boolean => {
    if (typeof v === 'number') return !Number.isFinite(v);
    if (typeof v === 'string') return !v.isWellFormed();
    if (typeof v !== 'object' || v === null) return false;
    if (depth > 1024) return true;
    if (Array.isArray(v)) return v.some((x) => bad(x, depth + 1));
    return Object.entries(v).some(([k, x]) => !k.isWellFormed() || bad(x, depth + 1));
  };
  return bad(root, 1);
};

const closesLikeHa = (f: Frame): boolean => {
  if (f.kind === 'binary') return f.bytes.length === 0;
  return orjsonRefuses(f.kind === 'raw' ? f.text : JSON.stringify(f.value));
};

async function wsRun(frames: Frame[]): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/websocket`, { perMessageDeflate: false });
  const problems: string[] = [];
  const sentinel = Number.MAX_SAFE_INTEGER;
  let closed = false;
  let wake: () => void = () => {};
  let authed = false;
  let answered = false;
  ws.on('message', (data, isBinary) => {
    if (isBinary) problems.push('binary frame from the mock');
    else {
      let v: unknown;
      try {
        v = JSON.parse(String(data));
      } catch {
        problems.push(`not JSON: ${String(data).slice(0, 100)}`);
        v = [];
      }
      for (const m of Array.isArray(v) ? v : [v]) {
        const p = malformed(m);
        if (p) problems.push(`${p}: ${JSON.stringify(m).slice(0, 200)}`);
        const r = m as { type?: unknown; id?: unknown };
        if (r.type === 'auth_ok') authed = true;
        if (r.id === sentinel) answered = true;
      }
    }
    wake();
  });
  const onClose = () => {
    closed = true;
    wake();
  };
  ws.on('close', onClose);
  ws.on('error', onClose);
  /** Resolves when `cond` holds (checked on every message and on close), or fails after 10 s. */
  const until = (cond: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s (closed=${closed})`)), 10_000);
      wake = () => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.send(JSON.stringify({ type: 'auth', access_token: TOKEN }));
  await until(() => authed || closed, 'auth_ok');
  const mayClose = frames.some(closesLikeHa);
  for (const f of frames) {
    if (closed) break;
    if (f.kind === 'binary') ws.send(f.bytes, { binary: true });
    else ws.send(f.kind === 'raw' ? f.text : JSON.stringify(f.value));
    figures.frames++;
  }
  if (!closed) ws.send(JSON.stringify({ id: sentinel, type: 'ping' }));
  await until(() => closed || answered, 'answer to the sentinel ping (or a close)');
  if (closed) figures.closedByServer++;
  ws.terminate();
  figures.wsRuns++;
  expect(problems).toEqual([]);
  if (!mayClose) expect({ closedWithoutCause: closed }).toEqual({ closedWithoutCause: false });
  expect(alive()).toBe(true);
}

function httpRun(r: FuzzRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (r.auth === 'token') headers.authorization = `Bearer ${TOKEN}`;
    if (r.auth === 'control') headers.authorization = `Bearer ${CONTROL}`;
    if (r.auth === 'wrong') headers.authorization = 'Bearer nope';
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    const req = request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          figures.httpRequests++;
          try {
            const status = res.statusCode ?? 0;
            expect([r.method, r.path, status >= 200 && status <= 599]).toEqual([r.method, r.path, true]);
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.headers['content-type'] ?? '').startsWith('application/json') && r.method !== 'HEAD')
              expect(
                () => JSON.parse(text),
                `${r.method} ${r.path} -> ${status} ${text.slice(0, 200)}`,
              ).not.toThrow();
            resolve();
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in 10 s to ${r.method} ${r.path}`)));
    req.on('error', (err) => reject(new Error(`${r.method} ${r.path}: ${err.message}`)));
    req.end(r.body);
  });
}

function rawRun(head: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      figures.rawRequests++;
      const line = buf.split('\r\n')[0] ?? '';
      if (buf !== '' && !/^HTTP\/1\.[01] \d{3}/.test(line))
        reject(
          new Error(`not an HTTP answer to ${JSON.stringify(head.slice(0, 80))}: ${JSON.stringify(line)}`),
        );
      else resolve();
    };
    // An incomplete request (e.g. a body still due) may get no answer: the client gives up.
    const timer = setTimeout(finish, 300);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) finish();
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.write(head);
  });
}

describe(`fuzzing one mock HA process (fast-check seed ${SEED})`, () => {
  it('stays up, answers well-formed HA messages, keeps memory bounded, and serves a normal client afterwards', async () => {
    const warm = await RawClient.authed(`ws://127.0.0.1:${port}/api/websocket`, TOKEN);
    warm.close();
    figures.rssBeforeMiB = Math.round(rssMiB());

    await fc.assert(
      fc.asyncProperty(frameSequence, (frames) => guarded(() => wsRun(frames))),
      { seed: SEED, numRuns: WS_RUNS, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(httpRequest, (r) => guarded(() => httpRun(r))),
      { seed: SEED, numRuns: HTTP_RUNS, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(rawRequest, (h) => guarded(() => rawRun(h))),
      { seed: SEED, numRuns: RAW_RUNS, endOnFailure: true },
    );

    expect(alive()).toBe(true);
    figures.rssAfterMiB = Math.round(rssMiB());
    expect(figures.frames).toBeGreaterThanOrEqual(10_000);
    expect(figures.rssAfterMiB - figures.rssBeforeMiB).toBeLessThanOrEqual(MAX_RSS_GROWTH_MIB);

    // A normal client still works: auth, subscribe_entities, a fired change arrives; REST answers.
    const c = await RawClient.authed(`ws://127.0.0.1:${port}/api/websocket`, TOKEN);
    try {
      c.send({ id: 1, type: 'subscribe_entities', entity_ids: ['sun.sun'] });
      expect(await c.next()).toMatchObject({ id: 1, type: 'result', success: true });
      await c.next('initial entities');
      const fired = await fetch(`${base()}/_mock/event`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CONTROL}`, 'content-type': 'application/json' },
        body: JSON.stringify({ entity_id: 'sun.sun', state: 'below_horizon' }),
      });
      expect(fired.status).toBe(201);
      expect(await c.next('the change of sun.sun')).toMatchObject({ id: 1, type: 'event' });
    } finally {
      c.close();
    }
    const api = await fetch(`${base()}/api/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(200);
    const stats = (await (
      await fetch(`${base()}/_mock/stats`, { headers: { authorization: `Bearer ${CONTROL}` } })
    ).json()) as {
      totals: { handler_errors: number };
    };
    expect({ handler_errors: stats.totals.handler_errors }).toEqual({ handler_errors: 0 });
  }, 120_000);
});
