/**
 * Minimal JSON client for InfluxDB's management API (setup, orgs, buckets, authorizations).
 * Writes and Flux queries go through @influxdata/influxdb-client instead (writes.ts, flux.ts).
 */
import { InfluxError } from './errors.ts';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export interface InfluxApi {
  readonly url: string;
  /** Calls the API; any status not in `expect` throws InfluxError INFLUX_HTTP. */
  call<T>(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; expect?: number[] },
  ): Promise<ApiResponse<T>>;
}

export function influxApi(url: string, defaultToken?: string, timeoutMs = 15_000): InfluxApi {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    async call<T>(
      method: string,
      path: string,
      opts: { body?: unknown; token?: string; expect?: number[] } = {},
    ) {
      const token = opts.token ?? defaultToken;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Token ${token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new InfluxError(
          'INFLUX_HTTP',
          `influxdb at ${base}: ${method} ${path} failed: ${String(err)}`,
          {
            cause: err,
          },
        );
      }
      const text = await res.text();
      const expect = opts.expect ?? [200, 201, 204];
      if (!expect.includes(res.status)) {
        throw new InfluxError(
          'INFLUX_HTTP',
          `influxdb at ${base}: ${method} ${path} expected status ${expect.join('|')}, got ${res.status}: ${text.slice(0, 300)}`,
          { status: res.status },
        );
      }
      const body = (text ? JSON.parse(text) : undefined) as T;
      return { status: res.status, body };
    },
  };
}
