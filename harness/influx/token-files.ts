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

/** What a service does with INFLUXDB_TOKEN / INFLUXDB_TOKEN_FILE. */
export async function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.INFLUXDB_TOKEN) return env.INFLUXDB_TOKEN;
  if (env.INFLUXDB_TOKEN_FILE) return (await readFile(env.INFLUXDB_TOKEN_FILE, 'utf8')).trim() || undefined;
  return undefined;
}
