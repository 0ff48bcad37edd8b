/** Where the influxd binary of a version lives: a cache outside the repository. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../paths.ts';

export interface InfluxdFiles {
  dir: string;
  binary: string;
  buildInfo: string;
  buildLog: string;
}

export function influxdFiles(version: string): InfluxdFiles {
  const dir = join(cacheDir(), 'influxd', version);
  return {
    dir,
    binary: join(dir, 'influxd'),
    buildInfo: join(dir, 'build-info.json'),
    buildLog: join(dir, 'build.log'),
  };
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
