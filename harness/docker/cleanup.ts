/**
 * Everything a test starts registers how to undo it here. `cleanup()` runs the undo steps in
 * reverse order, once. On SIGINT/SIGTERM (Ctrl-C) the shared interrupt handler of
 * harness/stack/cleanup.ts runs this scope's emergency action instead: a detached `docker rm`
 * of everything carrying the scope's label, which survives the worker being killed.
 */
import { spawn } from 'node:child_process';
import { onInterrupt } from '../stack/cleanup.ts';

type Undo = { what: string; run: () => Promise<unknown> };

/** Remove every container, network and volume with `label` (key=value), detached, best effort. */
function sweepDetached(label: string): void {
  const f = `--filter label=${label}`;
  const script = [
    `docker ps -aq ${f} | xargs -r docker rm -f -v`,
    `docker network ls -q ${f} | xargs -r docker network rm`,
    `docker volume ls -q ${f} | xargs -r docker volume rm`,
  ].join('; ');
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

export class CleanupScope {
  private readonly undo: Undo[] = [];
  private done = false;
  private readonly unregister: () => void;

  /** `label` (key=value) is carried by every resource registered here. */
  constructor(label: string) {
    this.unregister = onInterrupt(`cleanup scope ${label}`, () => sweepDetached(label));
  }

  add(what: string, run: () => Promise<unknown>): void {
    if (this.done) throw new Error(`cleanup scope already closed; cannot register ${what}`);
    this.undo.push({ what, run });
  }

  /** Undo everything registered, newest first. Errors are collected, never stop the rest. */
  async cleanup(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const errors: string[] = [];
    for (const u of this.undo.reverse()) {
      try {
        await u.run();
      } catch (err) {
        errors.push(`${u.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.unregister();
    if (errors.length) throw new Error(`cleanup left resources behind:\n  ${errors.join('\n  ')}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cleanup();
  }
}
