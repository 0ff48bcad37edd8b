/**
 * Conformance exchanges: a scripted conversation with a Home Assistant (real or mock) over one
 * websocket and/or HTTP requests, and what came back. The recorder (record.ts) runs each
 * exchange of the catalogue against a real HA core and stores the normalised outputs as golden
 * transcripts (fixtures/ha-transcripts/); the replay test runs the same steps against the mock
 * and diffs the normalised outputs.
 */
import { connect } from 'node:net';
import { WebSocket } from 'ws';

/** How a step's output is compared: exactly (after normalisation), by JSON shape, or status only. */
export type Compare = 'exact' | 'shape' | 'status';

export type Step =
  /** Opens the websocket; `auth: 'token'` also authenticates (auth_required + auth_ok are recorded). */
  | { ws: 'open'; auth?: 'token' | 'none' }
  /** Sends a frame: `frame` as JSON ("$TOKEN" replaced), `raw` as text, `binary` as bytes. */
  | { ws: 'send'; frame?: unknown; raw?: string; binary?: number[]; compare?: Compare; shapeDepth?: number }
  /** An HTTP request (auth: the token, none, or a wrong one). Body: JSON value or `rawBody` text. */
  | {
      http: string;
      path: string;
      body?: unknown;
      rawBody?: string;
      auth?: 'token' | 'none' | 'wrong';
      compare?: Compare;
      shapeDepth?: number;
    }
  /** Raw bytes on a fresh TCP connection (malformed requests); the status line is recorded. */
  | { tcp: string };

export interface Exchange {
  name: string;
  /** What HA behaviour this pins down. */
  about: string;
  steps: Step[];
}

export interface StepOutput {
  /** Websocket messages received during the step (coalesced frames flattened). */
  messages?: unknown[];
  /** The server closed the websocket during the step. */
  closed?: boolean;
  http?: { status: number; contentType: string; body: unknown };
  tcp?: { statusLine: string };
}

export interface Target {
  /** http://host:port */
  url: string;
  token: string;
}

export interface RunOptions {
  /** Recording: a step ends after this long without a message. */
  quietMs: number;
  /** Replay: the number of messages (and whether a close) each step must produce. */
  expect?: readonly StepOutput[];
  /** Replay: deadline for the expected messages of one step. */
  deadlineMs?: number;
  /** Recording: wait (up to 5 s) for at least one message before the quiet period starts. */
  waitFirst?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class WsSession {
  readonly ws: WebSocket;
  readonly inbox: unknown[] = [];
  /** Messages before this index belong to earlier steps. */
  cursor = 0;
  closed = false;
  readonly opened: Promise<void>;
  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.inbox.push({ binary: [...(data as Buffer)] });
        return;
      }
      let v: unknown;
      try {
        v = JSON.parse(String(data));
      } catch {
        v = { unparseable: String(data) };
      }
      for (const m of Array.isArray(v) ? v : [v]) this.inbox.push(m);
    });
    this.ws.on('close', () => {
      this.closed = true;
    });
    this.ws.on('error', () => {
      this.closed = true;
    });
  }
}

/** Collects messages until quiet (recording) or until the expected count/close (replay). */
async function collect(session: WsSession | null, opts: RunOptions, index: number): Promise<StepOutput> {
  if (!session) return {};
  const start = session.cursor;
  const expected = opts.expect?.[index];
  if (expected) {
    const want = expected.messages?.length ?? 0;
    const deadline = Date.now() + (opts.deadlineMs ?? 3000);
    while (Date.now() < deadline) {
      const have = session.inbox.length - start;
      if (have >= want && (!expected.closed || session.closed)) break;
      if (session.closed && have >= want) break;
      await sleep(5);
    }
    await sleep(opts.quietMs); // let any extra message arrive: it is a difference too
  } else {
    // An opening step waits for auth_required first (HA may be slow to send it).
    const deadline = Date.now() + 5000;
    while (opts.waitFirst) {
      if (session.inbox.length > start || session.closed || Date.now() > deadline) break;
      await sleep(5);
    }
    let seen = session.inbox.length;
    let quietSince = Date.now();
    while (Date.now() - quietSince < opts.quietMs) {
      await sleep(10);
      if (session.inbox.length !== seen) {
        seen = session.inbox.length;
        quietSince = Date.now();
      }
    }
  }
  session.cursor = session.inbox.length;
  const out: StepOutput = { messages: session.inbox.slice(start, session.cursor) };
  if (session.closed) out.closed = true;
  return out;
}

async function httpStep(target: Target, step: Extract<Step, { http: string }>): Promise<StepOutput> {
  const headers: Record<string, string> = {};
  const auth = step.auth ?? 'token';
  if (auth === 'token') headers.authorization = `Bearer ${target.token}`;
  if (auth === 'wrong') headers.authorization = 'Bearer not-the-token';
  let body: string | undefined;
  if (step.rawBody !== undefined) body = step.rawBody;
  else if (step.body !== undefined) body = JSON.stringify(step.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${target.url}${step.path}`, { method: step.http, headers, body });
  const text = await res.text();
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0] as string;
  let parsed: unknown = text;
  if (contentType === 'application/json') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { http: { status: res.status, contentType, body: parsed } };
}

function tcpStep(target: Target, data: string): Promise<StepOutput> {
  const { hostname, port } = new URL(target.url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname);
    let buf = '';
    const done = () => {
      sock.destroy();
      resolve({ tcp: { statusLine: buf.split('\r\n')[0] ?? '' } });
    };
    const timer = setTimeout(done, 3000);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) {
        clearTimeout(timer);
        done();
      }
    });
    sock.on('error', () => {
      clearTimeout(timer);
      done();
    });
    sock.on('close', () => {
      clearTimeout(timer);
      done();
    });
    sock.write(data);
  });
}

const withToken = (v: unknown, token: string): unknown =>
  JSON.parse(JSON.stringify(v).replaceAll('$TOKEN', token));

/** Runs one exchange; returns one output per step. Never throws for what the server does. */
export async function runExchange(
  target: Target,
  exchange: Exchange,
  opts: RunOptions,
): Promise<StepOutput[]> {
  const outputs: StepOutput[] = [];
  let session: WsSession | null = null;
  try {
    for (const [i, step] of exchange.steps.entries()) {
      if ('ws' in step && step.ws === 'open') {
        session = new WsSession(`${target.url.replace(/^http/, 'ws')}/api/websocket`);
        await session.opened;
        if (step.auth === 'token') {
          // auth_required arrives first; send auth at once (HA accepts it either way).
          session.ws.send(JSON.stringify({ type: 'auth', access_token: target.token }));
        }
        outputs.push(await collect(session, { ...opts, waitFirst: !opts.expect }, i));
        continue;
      }
      if ('ws' in step && step.ws === 'send') {
        if (!session) throw new Error(`${exchange.name}: step ${i} sends before ws open`);
        if (!session.closed) {
          if (step.binary) session.ws.send(Buffer.from(step.binary), { binary: true });
          else if (step.raw !== undefined) session.ws.send(step.raw.replaceAll('$TOKEN', target.token));
          else session.ws.send(JSON.stringify(withToken(step.frame, target.token)));
        }
        // Recording: a JSON frame always gets an answer (HA may take a while, e.g. get_services).
        outputs.push(
          await collect(session, { ...opts, waitFirst: !opts.expect && step.frame !== undefined }, i),
        );
        continue;
      }
      if ('http' in step) {
        const out = await httpStep(target, step);
        const events = await collect(session, opts, i);
        outputs.push(session ? { ...out, ...events } : out);
        continue;
      }
      if ('tcp' in step) {
        outputs.push(await tcpStep(target, step.tcp));
      }
    }
  } finally {
    session?.ws.terminate();
  }
  return outputs;
}
