/**
 * CLI / container entry point of the mock Home Assistant.
 *   node harness/mock-ha/cli.ts [--port 8123] [--host 0.0.0.0] [--help]
 * An unknown flag or a bad value: one line naming it and what is allowed, exit 2.
 * Env: HA_TOKEN or MOCK_HA_TOKEN (accepted access token, required), MOCK_HA_CONTROL_TOKEN
 * (control API; disabled when unset), MOCK_HA_SEED (integer, default 1),
 * MOCK_HA_HOME_SIZE (small|medium|large, default small).
 * Exits 0 on SIGTERM/SIGINT after closing cleanly; exits 2 with one line on bad config.
 * Runs V8's garbage collector on the main thread only (see gc.ts).
 */
import { isIP } from 'node:net';
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

const USAGE = `usage: npm run mock-ha -- [--port <0-65535>] [--host <IP address or host name>] [--help]

Plays Home Assistant (websocket /api/websocket, REST /api/..., control API /_mock/...).
  --port   TCP port to listen on (default 8123; 0 = any free port)
  --host   address to bind (default 0.0.0.0)
  --help   print this and exit
Environment:
  HA_TOKEN or MOCK_HA_TOKEN   the access token clients must present (required; 32-300 of [A-Za-z0-9._-])
  MOCK_HA_CONTROL_TOKEN       token of the control API (same rule; the control API is off when unset)
  MOCK_HA_SEED                integer seed of the synthetic home (default 1)
  MOCK_HA_HOME_SIZE           small | medium | large (default small)
  MOCK_HA_MIN_TICK_MS         shortest interval between two scheduler wake-ups, ms 0-1000 (default 0:
                              every due event is sent on time; N: all that is due, every N ms at most)
`;
const FLAGS = '--port <0-65535>, --host <IP address or host name>, --help';
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function flags(argv: string[]): { port: string; host: string } {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { port: { type: 'string' }; host: { type: 'string' }; help: { type: 'boolean' } };
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    const e = err as { code?: string; message: string };
    const flag = /'([^']+)'/.exec(e.message)?.[1] ?? /argument '?(\S+?)'?\b/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail(`unknown flag ${flag ?? '?'}; allowed: ${FLAGS}`);
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      fail(`unexpected argument ${flag ?? '?'}; allowed: ${FLAGS}`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      fail(`${e.message.split('\n')[0]}; allowed: ${FLAGS}`);
    fail(`${e.message.split('\n')[0]}; allowed: ${FLAGS}`);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return { port: parsed.values.port ?? '8123', host: parsed.values.host ?? '0.0.0.0' };
}

function config() {
  const values = flags(process.argv.slice(2));
  if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535)
    fail(`--port must be an integer 0-65535, got ${JSON.stringify(values.port)}`);
  const port = Number(values.port);
  if (isIP(values.host) === 0 && !HOST_NAME.test(values.host))
    fail(`--host must be an IP address or a host name, got ${JSON.stringify(values.host)}`);
  const token = process.env.HA_TOKEN ?? process.env.MOCK_HA_TOKEN;
  if (!token) fail('set HA_TOKEN (or MOCK_HA_TOKEN) to the access token clients must present');
  const controlToken = process.env.MOCK_HA_CONTROL_TOKEN || null;
  try {
    validateToken(token, 'HA_TOKEN');
    if (controlToken) validateToken(controlToken, 'MOCK_HA_CONTROL_TOKEN');
  } catch (err) {
    fail((err as Error).message.replace(/^mock-ha: /, ''));
  }
  const seedText = process.env.MOCK_HA_SEED ?? '1';
  const seed = Number(seedText);
  if (!/^-?\d+$/.test(seedText.trim()) || !Number.isSafeInteger(seed))
    fail(`MOCK_HA_SEED must be an integer, got ${JSON.stringify(seedText)}`);
  const homeSize = (process.env.MOCK_HA_HOME_SIZE ?? 'small') as HomeSize;
  if (!HOME_SIZES.includes(homeSize))
    fail(`MOCK_HA_HOME_SIZE must be one of ${HOME_SIZES.join('|')}, got ${homeSize}`);
  const tickText = process.env.MOCK_HA_MIN_TICK_MS ?? '0';
  if (!/^\d{1,4}$/.test(tickText.trim()) || Number(tickText) > 1000)
    fail(`MOCK_HA_MIN_TICK_MS must be an integer from 0 to 1000 (ms), got ${JSON.stringify(tickText)}`);
  return { port, host: values.host, token, controlToken, seed, homeSize, minTickMs: Number(tickText) };
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
