/** Small node:http helpers shared by the REST and control routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

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

export async function readBytes(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, { message: `body larger than ${limitBytes} bytes` });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Strict UTF-8, as aiohttp's `request.text()` decodes (`bytes.decode("utf-8")`, errors="strict"):
 * null for invalid UTF-8 (never U+FFFD in its place). A BOM is kept as U+FEFF, as Python keeps it.
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The body as strict UTF-8 text; null when it is not valid UTF-8. */
export async function readBody(req: IncomingMessage, limitBytes = 16 * 1024 * 1024): Promise<string | null> {
  return decodeUtf8(await readBytes(req, limitBytes));
}

/** Only JSON's whitespace (space, tab, CR, LF), or nothing: a BOM or U+00A0 is not whitespace. */
export function onlyJsonWhitespace(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  return true;
}

export const bearer = (req: IncomingMessage): string | null => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice('Bearer '.length).trim() : null;
};
