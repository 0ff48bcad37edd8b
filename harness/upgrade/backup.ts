/**
 * A full backup of an InfluxDB 2.x server through its backup API, written in the layout of
 * `influx backup <dir>` (influx CLI >= 2.1): `<stamp>.manifest` (JSON: kv, sql, buckets with their
 * retention policies, shard groups and shards, each file named with its compression),
 * `<stamp>.bolt.gz`, `<stamp>.sqlite.gz` and one `<stamp>.s<id>.tar.gz` per shard. For homes
 * without the influx CLI, and for the check's own test of --from-backup.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface Part {
  name: string;
  body: Buffer;
}

/** Split a multipart/mixed body into its parts (name from Content-Disposition). */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    const chunk = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const sep = chunk.indexOf('\r\n\r\n');
    if (sep !== -1) {
      const headers = chunk.subarray(0, sep).toString('utf8');
      const name = /name="([^"]+)"/.exec(headers)?.[1] ?? '';
      parts.push({ name, body: chunk.subarray(sep + 4) });
    }
    pos = next;
  }
  return parts;
}

async function get(url: string, token: string, path: string): Promise<Response> {
  const res = await fetch(`${url}${path}`, {
    headers: { authorization: `Token ${token}` },
    signal: AbortSignal.timeout(300_000),
  });
  if (res.status !== 200)
    throw new Error(
      `backup: GET ${path} expected 200, got ${res.status}: ${(await res.text()).slice(0, 200)}`,
    );
  return res;
}

type Json = Record<string, unknown>;

/** Write a full backup of the server at `url` (operator token) into `dir`; returns the manifest path. */
export async function backupServer(url: string, token: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const meta = await get(url, token, '/api/v2/backup/metadata');
  const boundary = /boundary=([^;]+)/.exec(meta.headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('backup: /api/v2/backup/metadata is not multipart');
  const parts = parseMultipart(Buffer.from(await meta.arrayBuffer()), boundary.replace(/"/g, ''));
  const part = (n: string) => {
    const p = parts.find((x) => x.name === n);
    if (!p) throw new Error(`backup: metadata has no "${n}" part`);
    return p.body;
  };
  const file = async (name: string, data: Buffer) => {
    const gz = gzipSync(data);
    await writeFile(join(dir, name), gz);
    return { fileName: name, size: gz.length, compression: 'gzip' };
  };
  const kv = await file(`${stamp}.bolt.gz`, part('kv'));
  const sql = await file(`${stamp}.sqlite.gz`, part('sql'));
  const buckets = JSON.parse(part('buckets').toString('utf8')) as Json[];
  for (const b of buckets)
    for (const rp of (b.retentionPolicies as Json[] | undefined) ?? [])
      for (const sg of (rp.shardGroups as Json[] | undefined) ?? []) {
        const kept: Json[] = [];
        for (const sh of (sg.shards as Json[] | undefined) ?? []) {
          const res = await fetch(`${url}/api/v2/backup/shards/${sh.id}`, {
            headers: { authorization: `Token ${token}` },
            signal: AbortSignal.timeout(300_000),
          });
          if (res.status === 404) continue; // deleted meanwhile
          if (res.status !== 200) throw new Error(`backup: shard ${sh.id} expected 200, got ${res.status}`);
          kept.push({
            ...sh,
            ...(await file(`${stamp}.s${sh.id}.tar.gz`, Buffer.from(await res.arrayBuffer()))),
          });
        }
        sg.shards = kept;
      }
  const manifest = join(dir, `${stamp}.manifest`);
  await writeFile(manifest, JSON.stringify({ kv, sql, buckets }, null, 2));
  return manifest;
}
