/**
 * Token files in a shared directory (compose volume INFLUXDB_TOKENS_DIR): `prod.token` and
 * `test.token`. Services read them through INFLUXDB_TOKEN_FILE when the token value could not
 * be chosen in advance (see tokens.ts).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const TOKEN_FILES = { production: 'prod.token', test: 'test.token' } as const;
export type Deployment = keyof typeof TOKEN_FILES;

export async function readTokenFile(dir: string, which: Deployment): Promise<string | undefined> {
  try {
    const value = (await readFile(join(dir, TOKEN_FILES[which]), 'utf8')).trim();
    return value.length > 0 ? value : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Atomic replace, so a reader never sees a half-written token. */
export async function writeTokenFile(dir: string, which: Deployment, token: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, TOKEN_FILES[which]);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${token}\n`, { mode: 0o644 });
  await rename(tmp, path);
  return path;
}

/**
 * The harness's record of the tokens it created (`harness-tokens.json` in the token directory):
 * token id -> org and description. Only tokens in this record may ever be deleted by the harness
 * (tokens.ts); a token merely described like a harness token is not enough.
 */
export const TOKEN_RECORD = 'harness-tokens.json';
export type TokenRecord = Record<string, { org: string; description: string; createdAt: string }>;

export async function readTokenRecord(dir: string): Promise<TokenRecord> {
  let text: string;
  try {
    text = await readFile(join(dir, TOKEN_RECORD), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: TokenRecord = Object.create(null) as TokenRecord;
  for (const [id, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[0-9a-f]{16}$/.test(id) || !v || typeof v !== 'object') continue;
    const r = v as Record<string, unknown>;
    out[id] = {
      org: String(r.org ?? ''),
      description: String(r.description ?? ''),
      createdAt: String(r.createdAt ?? ''),
    };
  }
  return out;
}

export async function writeTokenRecord(dir: string, record: TokenRecord): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, TOKEN_RECORD);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
  return path;
}

/** What a service does with INFLUXDB_TOKEN / INFLUXDB_TOKEN_FILE. */
export async function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.INFLUXDB_TOKEN) return env.INFLUXDB_TOKEN;
  if (env.INFLUXDB_TOKEN_FILE) return (await readFile(env.INFLUXDB_TOKEN_FILE, 'utf8')).trim() || undefined;
  return undefined;
}
