/**
 * Runs build-influxd.sh for one version. The full output goes to the version's build.log in the
 * cache; every 30 s a progress line says how long it has run and what the build last printed.
 * On failure the error names the log file and carries its last 30 lines.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../util/log.ts';
import { exec } from '../exec.ts';
import { SetupError } from '../step.ts';
import { influxdFiles } from './files.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build-influxd.sh');

export async function buildInfluxd(
  version: string,
  moduleSum: string,
  log: Logger,
  heartbeatMs = 30_000,
): Promise<void> {
  const files = influxdFiles(version);
  await mkdir(files.dir, { recursive: true });
  const out = createWriteStream(files.buildLog, { flags: 'a' });
  out.write(`\n=== build of influxd ${version} started ${new Date().toISOString()} (pid ${process.pid})\n`);
  let lastLine = 'nothing yet';
  const t0 = performance.now();
  log.info(`building influxd ${version} from its Go module (several minutes); log: ${files.buildLog}`);
  const timer = setInterval(() => {
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    log.info(`influxd ${version}: building for ${s}s; last output: ${lastLine}`);
  }, heartbeatMs);
  try {
    const r = await exec('bash', [SCRIPT, version, files.dir, moduleSum], {
      onOutput: (chunk) => {
        out.write(chunk);
        const lines = chunk.split('\n').filter((l) => l.trim());
        lastLine = lines.at(-1)?.slice(0, 160) ?? lastLine;
        for (const l of lines) if (l.startsWith('step: ')) log.info(`influxd ${version}: ${l.slice(6)}`);
      },
    });
    await new Promise<void>((resolve) => out.end(resolve));
    if (r.code !== 0) {
      const tail = (await readFile(files.buildLog, 'utf8')).trimEnd().split('\n').slice(-30).join('\n');
      throw new SetupError(
        `building influxd ${version} failed (exit ${r.code}); full log: ${files.buildLog}\nlast 30 lines:\n${tail}`,
      );
    }
    log.info(`influxd ${version} built in ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  } finally {
    clearInterval(timer);
  }
}
