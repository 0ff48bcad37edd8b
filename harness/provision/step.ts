/**
 * A setup step prints what it looked for, what it found, what it did, and how long it took.
 * Steps are idempotent: on a ready machine each one only checks and reports "found".
 */
export interface StepReport {
  name: string;
  found: string;
  did: string;
  seconds: number;
}

export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export interface StepContext {
  /** Progress line inside the step (long work prints at least every 30 s). */
  progress(msg: string): void;
  found(msg: string): void;
  did(msg: string): void;
}

export async function runStep(name: string, body: (ctx: StepContext) => Promise<void>): Promise<StepReport> {
  const t0 = performance.now();
  process.stdout.write(`\n==> ${name}\n`);
  const report: StepReport = { name, found: '', did: 'nothing to do', seconds: 0 };
  const ctx: StepContext = {
    progress: (msg) =>
      process.stdout.write(`    ... ${msg} (${((performance.now() - t0) / 1000).toFixed(0)}s)\n`),
    found: (msg) => {
      report.found = msg;
      process.stdout.write(`    found: ${msg}\n`);
    },
    did: (msg) => {
      report.did = msg;
      process.stdout.write(`    did: ${msg}\n`);
    },
  };
  await body(ctx);
  report.seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`    done in ${report.seconds.toFixed(1)}s\n`);
  return report;
}

/** Print a heartbeat while a long promise runs, so long work never looks hung. */
export async function withHeartbeat<T>(
  ctx: StepContext,
  what: string,
  work: Promise<T>,
  everyMs = 20_000,
): Promise<T> {
  const timer = setInterval(() => ctx.progress(`still ${what}`), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
