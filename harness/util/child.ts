/**
 * Runs a child command with the terminal (stdio inherited), forwarding SIGINT and SIGTERM to it, and
 * resolves with its exit code: the code it exited with, 130 when a signal ended it, 1 otherwise.
 * Used by the entry points that wrap a vitest run (npm run capacity, npm run test:upgrade).
 */
import { spawn } from 'node:child_process';

export function runForwardingSignals(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<number> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code ?? (signal ? 128 + 2 : 1));
    });
  });
}
