/**
 * The only way the harness writes line protocol into InfluxDB: every call passes the safety
 * guard first, so a misconfigured bucket or org cannot receive synthetic points.
 */
import { request } from 'undici';
import { assertSafeWrite } from './guard.ts';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
  bucket: string;
}

export class InfluxWriteError extends Error {
  override readonly name = 'InfluxWriteError';
  readonly code = 'INFLUX_WRITE_FAILED';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Write line-protocol lines (ms precision). Refused by the guard before any byte is sent. */
export async function writeLines(target: InfluxTarget, lines: string[]): Promise<void> {
  assertSafeWrite({ kind: 'influx', org: target.org, bucket: target.bucket, points: lines.length });
  const status = await postWrite(target, lines.join('\n'));
  if (status !== 204)
    throw new InfluxWriteError(
      status,
      `influxdb write of ${lines.length} point(s) to ${target.org}/${target.bucket}: expected 204, got ${status}`,
    );
}

/**
 * Write a reference set into a scratch instance's bucket (the pre-upgrade check): the guard's
 * `influx-scratch` rule decides, with the bucket's creation time and emptiness as evidence.
 */
export async function writeScratchLines(
  target: InfluxTarget,
  lines: string[],
  evidence: { bucketCreatedMs: number; runStartedMs: number; pointsBefore: number },
): Promise<void> {
  assertSafeWrite({
    kind: 'influx-scratch',
    org: target.org,
    bucket: target.bucket,
    points: lines.length,
    ...evidence,
  });
  const status = await postWrite(target, lines.join('\n'));
  if (status !== 204)
    throw new InfluxWriteError(
      status,
      `influxdb write of ${lines.length} reference point(s) to ${target.org}/${target.bucket}: expected 204, got ${status}`,
    );
}

/**
 * Whether `token` may write into the bucket, without writing anything: an empty write is
 * authorised before its body is parsed, so 401/403/404 mean "denied" and 204/400 mean "allowed".
 */
export async function probeWritePermission(
  target: InfluxTarget,
): Promise<{ allowed: boolean; status: number }> {
  assertSafeWrite({ kind: 'influx', org: target.org, bucket: target.bucket, points: 0 });
  const status = await postWrite(target, '');
  return { allowed: status === 204 || status === 400, status };
}

async function postWrite(target: InfluxTarget, body: string): Promise<number> {
  const url = new URL('/api/v2/write', target.url);
  url.searchParams.set('org', target.org);
  url.searchParams.set('bucket', target.bucket);
  url.searchParams.set('precision', 'ms');
  const res = await request(url, {
    method: 'POST',
    headers: { authorization: `Token ${target.token}`, 'content-type': 'text/plain; charset=utf-8' },
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await res.body.text();
  return res.statusCode;
}
