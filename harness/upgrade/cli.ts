/**
 * `npm run test:upgrade -- [--from ..] [--to ..] [--from-volume ..|--from-backup ..]`: validates
 * the options before anything starts (one line naming the option and what is allowed, exit 2),
 * then runs preflight (project image) and the upgrade suite through vitest, so the results land
 * in reports/junit.xml and the human report like every other suite. Exit code: vitest's.
 */
import { resolve } from 'node:path';
import { runForwardingSignals } from '../util/child.ts';
import { parseUpgradeArgs, resolveUpgradeOptions, UpgradeConfigError, USAGE, upgradeEnv } from './options.ts';
import { dockerLookup } from './starting-point.ts';

const root = resolve(import.meta.dirname, '..', '..');
export const UPGRADE_SUITE = 'suites/upgrade/influxdb-upgrade.test.ts';

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) =>
  runForwardingSignals(cmd, args, { cwd: root, env });

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseUpgradeArgs>;
  try {
    parsed = parseUpgradeArgs(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const opts = await resolveUpgradeOptions(parsed, dockerLookup);
    process.stderr.write(
      `test:upgrade: ${opts.from.image} -> ${opts.to.image} (${opts.start.kind === 'fresh' ? 'fresh data set' : opts.start.kind === 'volume' ? `copy of volume ${opts.start.volume}` : `backup ${opts.start.dir}`})\n`,
    );
  } catch (err) {
    if (err instanceof UpgradeConfigError) {
      process.stderr.write(`test:upgrade: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const env = { ...process.env, ...upgradeEnv(parsed) };
  const pre = await run(process.execPath, ['harness/preflight/preflight.ts'], env);
  if (pre !== 0) return pre;
  const vitest = resolve(root, 'node_modules', 'vitest', 'vitest.mjs');
  return run(process.execPath, [vitest, 'run', '--project', 'suites', UPGRADE_SUITE], env);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test:upgrade failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
