/**
 * The harness's vitest reporter: at the end of a run, and also when the run is interrupted
 * (Ctrl-C, SIGTERM), it writes
 * - `reports/junit.xml`   JUnit for CI (harness/report/junit.ts; strict Ant and Jenkins schemas),
 * - `reports/summary.json` the same figures for machines (schema: harness/report/summary.schema.json),
 * - `reports/summary.md`   the verdict and failures with their reasons (CI job summaries),
 * - `reports/report.html`  the human report, and `reports/report.png`, its screenshot in headless
 *   chromium (skipped with one line when chromium is missing; HOMEIQ_REPORT_SCREENSHOT=0 skips it),
 * from per-test results and the measurements suites recorded (harness/report/measurements.ts,
 * JSON lines in `reports/measurements/*.jsonl`, cleared when a run starts).
 *
 * @example
 * // vitest.config.ts
 * reporters: ['default', './harness/report/reporter.ts'],
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { collectModule } from './collect.ts';
import { renderJunit } from './junit.ts';
import { measurementsDir, REPO_ROOT, reportsDir } from './measurements.ts';
import type { Measurement, RunReport } from './model.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { readFaultsReport } from './sections/faults.ts';
import { buildSummary } from './summary.ts';
import { configuredTarget, runTarget } from './target.ts';

/** Reads every measurement line; a corrupt line is reported as a measurement of its own. */
export function readMeasurements(dir = measurementsDir()): Measurement[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const out: Measurement[] = [];
  for (const f of files.sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as Measurement);
      } catch (err) {
        out.push({
          name: 'unreadable-measurement',
          data: { file: f, error: String(err), line: line.slice(0, 200) },
          t: 0,
          pid: 0,
        });
      }
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

export interface WrittenReport {
  html: string;
  md: string;
  json: string;
  junit: string;
}

/** Write every report file of `report` into `dir` (synchronously: also used from a signal handler). */
export function writeReport(report: RunReport, dir = reportsDir()): WrittenReport {
  mkdirSync(dir, { recursive: true });
  const summary = buildSummary(report);
  const out: WrittenReport = {
    html: join(dir, 'report.html'),
    md: join(dir, 'summary.md'),
    json: join(dir, 'summary.json'),
    junit: join(dir, 'junit.xml'),
  };
  writeFileSync(out.junit, renderJunit(report, summary));
  writeFileSync(out.json, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(out.md, renderMarkdown(report, summary));
  writeFileSync(out.html, renderHtml(report, summary));
  return out;
}

/** Screenshot of the written report beside it (report.png); one line on stderr either way. */
export async function screenshotReport(htmlPath: string): Promise<void> {
  if (process.env.HOMEIQ_REPORT_SCREENSHOT === '0') return;
  const png = htmlPath.replace(/\.html$/, '.png');
  try {
    const { renderReport } = await import('./screenshot.ts');
    const seen = await renderReport(htmlPath, png);
    const empty = seen.plots.filter((p) => !p.visible || p.marks === 0).map((p) => p.title);
    process.stderr.write(
      `report screenshot: ${relative(process.cwd(), png)} (verdict rows ${seen.verdict.rows}, plots ${seen.plots.length}${
        empty.length ? `, EMPTY: ${empty.join('; ')}` : ''
      })\n`,
    );
  } catch (err) {
    process.stderr.write(
      `report screenshot: not taken: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`,
    );
  }
}

export default class HarnessReporter implements Reporter {
  #startedAt = Date.now();
  #modules = new Map<string, TestModule>();
  #written = false;
  #onSignal = (signal: NodeJS.Signals) => this.#interrupted(signal);

  /** Before global setup runs: measurements recorded there belong to this run too. */
  onInit(_vitest: Vitest): void {
    this.#startedAt = Date.now();
    this.#written = false;
    rmSync(measurementsDir(), { recursive: true, force: true });
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
  }

  onTestModuleQueued(m: TestModule): void {
    this.#modules.set(m.id, m);
  }

  onTestModuleCollected(m: TestModule): void {
    this.#modules.set(m.id, m);
  }

  #report(modules: readonly TestModule[], reason: string, interrupted?: RunReport['interrupted']): RunReport {
    const measurements = readMeasurements();
    const report: RunReport = {
      startedAt: this.#startedAt,
      finishedAt: Date.now(),
      reason,
      files: modules.map((m) =>
        collectModule(m, { repoRoot: REPO_ROOT, ...(interrupted ? { interrupted } : {}) }),
      ),
      measurements,
      unhandledErrors: [],
      target: runTarget(configuredTarget(), measurements),
      hostname: hostname(),
    };
    if (interrupted) report.interrupted = interrupted;
    // The planted-fault matrix of `npm run test:faults`, when it ran into this reports directory.
    const faults = readFaultsReport(reportsDir());
    if (faults) report.faults = faults;
    return report;
  }

  /**
   * Ctrl-C or SIGTERM: vitest exits within milliseconds and never calls onTestRunEnd. Write what
   * finished now, synchronously, then let the signal take its course.
   */
  #interrupted(signal: NodeJS.Signals): void {
    this.#detach();
    if (!this.#written) {
      this.#written = true;
      try {
        const report = this.#report([...this.#modules.values()], 'interrupted', { signal, at: Date.now() });
        const out = writeReport(report);
        const c = buildSummary(report).counts;
        process.stderr.write(
          `\nrun interrupted by ${signal}: wrote ${relative(process.cwd(), out.junit)} and ${relative(process.cwd(), out.md)} with what finished (${c.passed} passed, ${c.failed} failed, ${c.interrupted} of them interrupted)\n`,
        );
      } catch (err) {
        process.stderr.write(`run interrupted by ${signal}: could not write the reports: ${String(err)}\n`);
      }
    }
    // Nobody else handles the signal (vitest normally does): behave as if we were not here.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  }

  #detach(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): Promise<void> {
    this.#detach();
    if (this.#written) return;
    this.#written = true;
    const report = this.#report(
      [...testModules],
      reason,
      reason === 'interrupted' ? { signal: 'cancelled', at: Date.now() } : undefined,
    );
    report.unhandledErrors = unhandledErrors.map((e) => `${e.name ?? 'Error'}: ${e.message}`);
    const out = writeReport(report);
    process.stderr.write(
      `reports: ${[out.junit, out.json, out.md, out.html].map((p) => relative(process.cwd(), p)).join(', ')} (${report.measurements.length} measurements)\n`,
    );
    await screenshotReport(out.html);
  }
}
