/** Small node:http helpers shared by the REST and control routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson } from '../protocol/validation.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
    this.status = status;
    this.body = body;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, { message: `body larger than ${limitBytes} bytes` });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON object body with HA's JSON rules (protocol/validation.ts parseJson); empty body -> {}. */
export async function readJsonObject(
  req: IncomingMessage,
  invalidMessage: string,
): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  // The websocket's and REST's rules (nesting depth above all): a body the mock could store but
  // never serialise again would break every later read of the states.
  const v = parseJson(text)?.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new HttpError(400, { message: invalidMessage });
  return v as Record<string, unknown>;
}

export const bearer = (req: IncomingMessage): string | null => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice('Bearer '.length).trim() : null;
};
