/**
 * CLI / container entry point of the mock Home Assistant.
 *   node harness/mock-ha/cli.ts [--port 8123] [--host 0.0.0.0]
 * Env: HA_TOKEN or MOCK_HA_TOKEN (accepted access token, required), MOCK_HA_CONTROL_TOKEN
 * (control API; disabled when unset), MOCK_HA_SEED (integer, default 1),
 * MOCK_HA_HOME_SIZE (small|medium|large, default small).
 * Exits 0 on SIGTERM/SIGINT after closing cleanly; exits 2 with one line on bad config.
 * Runs V8's garbage collector on the main thread only (see gc.ts).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../util/log.ts';
import { singleThreadedGc } from './gc.ts';
import { HOME_SIZES, type HomeSize } from './home/home.ts';
import { MockHaError, startMockHa, validateToken } from './index.ts';

const log = createLogger('mock-ha');

function fail(message: string): never {
  process.stderr.write(`mock-ha: ${message}\n`);
  process.exit(2);
}

function config() {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8123' }, host: { type: 'string', default: '0.0.0.0' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`);
  const token = process.env.HA_TOKEN ?? process.env.MOCK_HA_TOKEN;
  if (!token) fail('set HA_TOKEN (or MOCK_HA_TOKEN) to the access token clients must present');
  const controlToken = process.env.MOCK_HA_CONTROL_TOKEN || null;
  try {
    validateToken(token, 'HA_TOKEN');
    if (controlToken) validateToken(controlToken, 'MOCK_HA_CONTROL_TOKEN');
  } catch (err) {
    fail((err as Error).message.replace(/^mock-ha: /, ''));
  }
  const seed = Number(process.env.MOCK_HA_SEED ?? '1');
  if (!Number.isInteger(seed)) fail(`MOCK_HA_SEED must be an integer, got ${process.env.MOCK_HA_SEED}`);
  const homeSize = (process.env.MOCK_HA_HOME_SIZE ?? 'small') as HomeSize;
  if (!HOME_SIZES.includes(homeSize))
    fail(`MOCK_HA_HOME_SIZE must be one of ${HOME_SIZES.join('|')}, got ${homeSize}`);
  return { port, host: values.host, token, controlToken, seed, homeSize };
}

const cfg = config();
singleThreadedGc();
try {
  const ha = await startMockHa({ ...cfg, logger: log });
  log.info(
    `listening on ${cfg.host}:${ha.port} (ws /api/websocket); home seed=${cfg.seed} size=${cfg.homeSize} ` +
      `(${ha.world.size} entities); control API ${cfg.controlToken ? 'enabled' : 'disabled (MOCK_HA_CONTROL_TOKEN unset)'}`,
  );
  const shutdown = (signal: string) => {
    log.info(`${signal}: closing`);
    ha.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`mock-ha: error while closing: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  fail(err instanceof MockHaError ? err.message.replace(/^mock-ha: /, '') : String(err));
}
