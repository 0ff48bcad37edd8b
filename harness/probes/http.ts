/**
 * HTTP probes (undici). A probe never throws on a non-2xx status: it returns what it saw so a
 * check can name the expected and the measured value. Network errors become ProbeError.
 */
import { request } from 'undici';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly code = 'PROBE_UNREACHABLE';
  readonly url: string;
  constructor(url: string, message: string) {
    super(message);
    this.url = url;
  }
}

export interface ProbeResult<T = unknown> {
  url: string;
  status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: T | undefined;
  text: string;
  ms: number;
}

export interface ProbeOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

export async function probe<T = unknown>(url: string, opts: ProbeOptions = {}): Promise<ProbeResult<T>> {
  const started = performance.now();
  const timeout = opts.timeoutMs ?? 5_000;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  try {
    const res = await request(url, {
      method: opts.method ?? 'GET',
      headers,
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.body.text();
    let json: T | undefined;
    try {
      json = JSON.parse(text) as T;
    } catch {
      json = undefined;
    }
    return { url, status: res.statusCode, json, text, ms: performance.now() - started };
  } catch (err) {
    const why =
      err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
    throw new ProbeError(
      url,
      `${opts.method ?? 'GET'} ${url} unreachable after ${Math.round(performance.now() - started)}ms (${why})`,
    );
  }
}

/** The health body every service of the contract serves. */
export interface Health {
  status?: string;
  service?: string;
  deployment_mode?: string;
  [key: string]: unknown;
}

export async function health(
  baseUrl: string,
  path = '/health',
  timeoutMs = 5_000,
): Promise<ProbeResult<Health>> {
  return probe<Health>(new URL(path, `${baseUrl}/`).toString(), { timeoutMs });
}

/** One line describing a probe result, for failure messages: `GET url -> 503 {"status":"starting"}`. */
export function describeResult(r: ProbeResult): string {
  const body = r.text.length > 200 ? `${r.text.slice(0, 200)}...` : r.text;
  return `${r.url} -> ${r.status} ${body}`.trim();
}
