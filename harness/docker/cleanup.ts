/**
 * Everything the harness starts registers how to undo it here. `cleanup()` runs the undo steps
 * in reverse order, once, and is also run on SIGINT/SIGTERM (Ctrl-C) before the process exits,
 * so containers, networks, volumes and processes never outlive a run (the Testcontainers reaper
 * cannot be pulled on offline machines, so cleanup is ours).
 */
type Undo = { what: string; run: () => Promise<unknown> };

export class CleanupScope {
  private readonly undo: Undo[] = [];
  private done = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: cleaning up ${this.undo.length} resource(s) before exit\n`);
    void this.cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  add(what: string, run: () => Promise<unknown>): void {
    if (this.done) throw new Error(`cleanup scope already closed; cannot register ${what}`);
    this.undo.push({ what, run });
  }

  /** Undo everything registered, newest first. Errors are collected, never stop the rest. */
  async cleanup(): Promise<void> {
    if (this.done) return;
    this.done = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    const errors: string[] = [];
    for (const u of this.undo.reverse()) {
      try {
        await u.run();
      } catch (err) {
        errors.push(`${u.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (errors.length) throw new Error(`cleanup left resources behind:\n  ${errors.join('\n  ')}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cleanup();
  }
}
