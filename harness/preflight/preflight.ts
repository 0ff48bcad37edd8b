/**
 * Runs before the test command: the checks without which no suite can say anything useful.
 *   node harness/preflight/preflight.ts [--help]
 * In order, each failure ONE line naming what is wrong and how to fix it, never a stack trace:
 *  1. the whole harness configuration (environment, HOMEIQ_ENV_FILE, files it names, stack
 *     profile, host ports): exit 2, within a second or two, before anything starts;
 *  2. the Docker engine answers: exit 1;
 *  3. resources left by runs that are gone (SIGKILL, crash) are removed, and said so; resources
 *     of live runs are never touched (harness/docker/stale.ts);
 *  4. the images exist, and the project's app image is brought up to date with the working tree.
 */
import { enableCompileCache } from 'node:module';

// Cached bytecode (in the OS temporary directory): a bad value is reported ~2x sooner.
enableCompileCache?.();

const usage = `usage: node harness/preflight/preflight.ts

Checks the harness configuration (exit 2 on a bad value), the Docker engine (exit 1), removes
resources of runs that are gone, and brings the app image up to date. Run by npm test,
npm run test:suites and npm run test:smoke before vitest.`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (process.argv.length > 2) {
  process.stderr.write(`preflight: unknown argument "${process.argv[2]}": expected none (see --help)\n`);
  process.exit(2);
}

function fail(line: string, code = 1): never {
  process.stderr.write(`preflight: ${line}\n`);
  process.exit(code);
}

const t0 = performance.now();
// 1. Configuration: nothing else is loaded until it is valid, so a bad value fails at once.
const { ConfigError } = await import('../config/load.ts');
const { validateHarnessConfig } = await import('../config/validate.ts');
let cfg: Awaited<ReturnType<typeof validateHarnessConfig>>;
try {
  cfg = await validateHarnessConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}

const { checkDockerEngine } = await import('./docker.ts');
const engine = await checkDockerEngine();
if (!engine.ok) fail(engine.line);

// 3. Stale resources: only those whose owner is proven gone.
const { describeSweep, sweepStaleResources } = await import('../docker/stale.ts');
try {
  for (const line of describeSweep(await sweepStaleResources())) process.stderr.write(`preflight: ${line}\n`);
} catch (err) {
  fail(`listing harness resources failed: ${err instanceof Error ? err.message : String(err)}`);
}

const { ensureAppImage } = await import('../provision/app-image.ts');
const { imageExists } = await import('../provision/docker-cli.ts');
const { pins } = await import('../provision/pins.ts');
for (const image of [pins.baseImage.tag, cfg.images.influxdb]) {
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
