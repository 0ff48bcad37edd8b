/**
 * Runs before the test command: the checks without which no suite can say anything useful.
 * Each failure is ONE line naming what is wrong and how to fix it, never a stack trace.
 * Also brings the project's app image up to date with the working tree (cheap when unchanged).
 */
import { ensureAppImage } from '../provision/app-image.ts';
import { imageExists } from '../provision/docker-cli.ts';
import { pins } from '../provision/pins.ts';
import { checkDockerEngine } from './docker.ts';

function fail(line: string): never {
  process.stderr.write(`preflight: ${line}\n`);
  process.exit(1);
}

const t0 = performance.now();
const engine = await checkDockerEngine();
if (!engine.ok) fail(engine.line);

const influxImage = pins.influxdb.localImage.replace(
  '{version}',
  process.env.INFLUXDB_VERSION ?? pins.influxdb.baseline,
);
for (const image of [pins.baseImage.tag, influxImage]) {
  if (!(await imageExists(image))) fail(`image ${image} is missing: run 'npm run setup' first`);
}
try {
  const app = await ensureAppImage((m) => process.stderr.write(`preflight: ${m}\n`));
  process.stderr.write(
    `preflight: ${engine.line}; ${app.image} ${app.rebuilt.length ? 'rebuilt' : 'up to date'}; ${((performance.now() - t0) / 1000).toFixed(1)}s\n`,
  );
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
